#ifndef COMMON_GRPC_METRICS_H_
#define COMMON_GRPC_METRICS_H_

// gRPC server requests as Prometheus metrics, by method and code:
//   tracker_grpc_server_requests_total{method, code}
//   tracker_grpc_server_request_duration_seconds{method}
// recorded by a server interceptor every service installs (server.cc).
// Methods are bounded (the services' RPCs); nothing of a request is a label.

#include <memory>
#include <vector>

#include <grpcpp/support/server_interceptor.h>

namespace tracker {

std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
GrpcMetricsInterceptors();

}  // namespace tracker

#endif  // COMMON_GRPC_METRICS_H_
