#ifndef SERVICES_SCHEDULER_RPC_H_
#define SERVICES_SCHEDULER_RPC_H_

#include <grpcpp/grpcpp.h>

#include <functional>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace tracker::scheduler {

struct RpcPolicy {
  absl::Duration deadline = absl::Seconds(60);  // of each attempt
  int attempts = 3;                             // for idempotent calls
  absl::Duration backoff = absl::Milliseconds(200);
};

// Runs `call` with a NEW ClientContext (and deadline) for every attempt.
// Idempotent calls are retried on UNAVAILABLE; everything else is sent once.
absl::Status CallRpc(const std::function<grpc::Status(grpc::ClientContext*)>& call,
                     const RpcPolicy& policy, bool idempotent);

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_RPC_H_
