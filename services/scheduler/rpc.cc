#include "services/scheduler/rpc.h"

#include <chrono>
#include <thread>

#include "common/status.h"

namespace tracker::scheduler {

absl::Status CallRpc(const std::function<grpc::Status(grpc::ClientContext*)>& call,
                     const RpcPolicy& policy, bool idempotent) {
  absl::Duration backoff = policy.backoff;
  for (int attempt = 1;; ++attempt) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + policy.deadline));
    grpc::Status status = call(&ctx);
    if (status.ok()) return absl::OkStatus();
    if (!idempotent || status.error_code() != grpc::StatusCode::UNAVAILABLE ||
        attempt >= policy.attempts) {
      return FromGrpcStatus(status);
    }
    absl::SleepFor(backoff);
    backoff *= 2;
  }
}

}  // namespace tracker::scheduler
