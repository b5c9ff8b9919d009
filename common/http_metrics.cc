#include "common/http_metrics.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/metrics.h"
#include "common/url.h"

namespace tracker {
namespace {

metrics::CounterFamily& Requests() {
  static auto& family = metrics::Registry::Default().Counter(
      "tracker_http_client_requests_total", "Outbound HTTP attempts, by host, method and status class",
      {"host", "method", "status_class"});
  return family;
}

metrics::HistogramFamily& Latency() {
  static auto& family = metrics::Registry::Default().Histogram(
      "tracker_http_client_request_duration_seconds", "Time of one outbound HTTP attempt",
      {"host", "method"});
  return family;
}

metrics::CounterFamily& Retries() {
  static auto& family = metrics::Registry::Default().Counter(
      "tracker_http_client_retries_total", "Outbound HTTP attempts retried", {"host", "method"});
  return family;
}

}  // namespace

absl::StatusOr<HttpResponse> MeteredHttpClient::Send(const HttpRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  auto response = inner_->Send(request);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string host = UrlAuthority(request.url);
  const std::string status_class =
      response.ok() ? absl::StrCat(response->status / 100, "xx") : "error";
  Requests().Add({host, request.method, status_class});
  Latency().Observe({host, request.method}, seconds);
  return response;
}

void CountHttpRetry(const HttpRequest& request) {
  Retries().Add({UrlAuthority(request.url), request.method});
}

}  // namespace tracker
