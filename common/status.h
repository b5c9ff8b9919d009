#ifndef COMMON_STATUS_H_
#define COMMON_STATUS_H_

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tracker {

// The one place where absl::Status becomes grpc::Status (handler boundary)
// and back (client side). Codes map one to one; the message is kept.
grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

// A handler's whole body: `return Reply(impl_->Method(*req), out);`.
template <typename Response>
grpc::Status Reply(absl::StatusOr<Response> result, Response* out) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *out = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace tracker

// Returns from the enclosing function when `expr` (an absl::Status) fails.
#define TRACKER_RETURN_IF_ERROR(expr)              \
  do {                                             \
    ::absl::Status tracker_status_ = (expr);       \
    if (!tracker_status_.ok()) return tracker_status_; \
  } while (0)

#define TRACKER_CONCAT_INNER_(a, b) a##b
#define TRACKER_CONCAT_(a, b) TRACKER_CONCAT_INNER_(a, b)

// `TRACKER_ASSIGN_OR_RETURN(auto x, StatusOrExpr());`
#define TRACKER_ASSIGN_OR_RETURN(lhs, expr) \
  TRACKER_ASSIGN_OR_RETURN_IMPL_(TRACKER_CONCAT_(tracker_so_, __LINE__), lhs, expr)
#define TRACKER_ASSIGN_OR_RETURN_IMPL_(so, lhs, expr) \
  auto so = (expr);                                   \
  if (!so.ok()) return so.status();                   \
  lhs = std::move(so).value()

#endif  // COMMON_STATUS_H_
