#include "services/scheduler/rpc.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status.h"

namespace tracker::scheduler {

RetryPolicy ToRetryPolicy(const RpcPolicy& policy) {
  RetryPolicy out;
  out.max_attempts = std::max(1, policy.attempts);
  out.initial_backoff = policy.backoff;
  out.max_backoff = policy.max_backoff;
  out.multiplier = 2.0;
  absl::Duration total = policy.deadline * out.max_attempts;
  absl::Duration cap = policy.backoff;
  for (int n = 1; n < out.max_attempts; ++n) {
    total += std::min(cap, policy.max_backoff);
    cap *= 2;
  }
  out.deadline = total;
  return out;
}

RpcCaller::RpcCaller(const RpcPolicy& policy, Clock* clock, uint64_t jitter_seed)
    : policy_(policy), retrier_(ToRetryPolicy(policy), clock, jitter_seed) {}

absl::Status RpcCaller::Call(absl::string_view what, Idempotency idempotency,
                             absl::FunctionRef<grpc::Status(grpc::ClientContext*)> call) {
  std::optional<grpc::Status> last;
  retrier_.Run(what, [&](int attempt, absl::Duration time_left) {
    grpc::ClientContext context;
    // gRPC deadlines are wall-clock times; the injected clock only measures
    // what is left of the loop.
    context.set_deadline(absl::ToChronoTime(absl::Now() + std::min(policy_.deadline, time_left)));
    last = call(&context);
    AttemptResult result;
    result.retry = idempotency == Idempotency::kIdempotent &&
                   last->error_code() == grpc::StatusCode::UNAVAILABLE;
    if (result.retry) {
      LogDebug("rpc_retry").Kv("what", what).Kv("attempt", attempt).Kv("why", last->error_message());
    }
    return result;
  });
  if (!last) {
    return absl::DeadlineExceededError(absl::StrCat(what, ": no time left for an attempt"));
  }
  return FromGrpcStatus(*last);
}

}  // namespace tracker::scheduler
