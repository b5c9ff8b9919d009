#ifndef SERVICES_SCHEDULER_RPC_H_
#define SERVICES_SCHEDULER_RPC_H_

// The scheduler's calls to the other services go through one retry loop,
// the project's (common/retry.h); this decides only what is worth another
// attempt: UNAVAILABLE, and only for calls that are safe to repeat.

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <random>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/retry.h"

namespace tracker::scheduler {

struct RpcPolicy {
  absl::Duration deadline = absl::Seconds(60);  // of each attempt
  int attempts = 3;                             // for idempotent calls
  // The cap of the first sleep (full jitter: uniform in [0, cap]); it
  // doubles per attempt up to max_backoff.
  absl::Duration backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(10);
};

// The loop's policy for `policy`: its overall deadline leaves every allowed
// attempt its whole deadline, plus the longest sleeps between them, so the
// limit is the per-attempt deadline, as it was before the one loop.
RetryPolicy ToRetryPolicy(const RpcPolicy& policy);

enum class Idempotency {
  kIdempotent,     // reads, and writes whose repeat changes nothing
  kNonIdempotent,  // sent once: a repeat could act twice
};

// Calls to one service under one policy. Every attempt gets a NEW
// grpc::ClientContext (gRPC forbids reusing one) with the deadline
// min(policy deadline, time left in the loop). Sleeps go through the
// injected Clock, so tests do not wait.
//
// Thread-safe: one RpcCaller serves concurrent calls.
class RpcCaller {
 public:
  explicit RpcCaller(const RpcPolicy& policy, Clock* clock = RealClock::Get(),
                     uint64_t jitter_seed = std::random_device{}());

  // `what` names the method in the debug log of a retry. Answers the last
  // attempt's status; DEADLINE_EXCEEDED when no attempt had time to start.
  absl::Status Call(absl::string_view what, Idempotency idempotency,
                    absl::FunctionRef<grpc::Status(grpc::ClientContext*)> call);

  const RpcPolicy& policy() const { return policy_; }

 private:
  const RpcPolicy policy_;
  Retrier retrier_;
};

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_RPC_H_
