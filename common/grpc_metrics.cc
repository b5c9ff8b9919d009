#include "common/grpc_metrics.h"

#include <chrono>
#include <string>

#include "absl/status/status.h"
#include "common/metrics.h"

namespace tracker {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::InterceptorBatchMethods;
using grpc::experimental::ServerRpcInfo;

metrics::CounterFamily& Requests() {
  static auto& family = metrics::Registry::Default().Counter(
      "tracker_grpc_server_requests_total", "gRPC requests served, by method and status code",
      {"method", "code"});
  return family;
}

metrics::HistogramFamily& Latency() {
  static auto& family = metrics::Registry::Default().Histogram(
      "tracker_grpc_server_request_duration_seconds", "Time to serve a gRPC request", {"method"});
  return family;
}

class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit MetricsInterceptor(ServerRpcInfo* info)
      : method_(info->method() == nullptr ? "" : info->method()),
        start_(std::chrono::steady_clock::now()) {}

  void Intercept(InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      // grpc::StatusCode and absl::StatusCode share google.rpc.Code's values.
      Requests().Add({method_, absl::StatusCodeToString(
                                  static_cast<absl::StatusCode>(status.error_code()))});
      Latency().Observe({method_}, seconds);
    }
    methods->Proceed();
  }

 private:
  const std::string method_;
  const std::chrono::steady_clock::time_point start_;
};

class MetricsInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(ServerRpcInfo* info) override {
    return new MetricsInterceptor(info);
  }
};

}  // namespace

std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
GrpcMetricsInterceptors() {
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> out;
  out.push_back(std::make_unique<MetricsInterceptorFactory>());
  return out;
}

}  // namespace tracker
