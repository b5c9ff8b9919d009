#ifndef COMMON_HTTP_METRICS_H_
#define COMMON_HTTP_METRICS_H_

// Outbound HTTP as Prometheus metrics, one observation per attempt:
//   tracker_http_client_requests_total{host, method, status_class}
//   tracker_http_client_request_duration_seconds{host, method}
// status_class is "2xx".."5xx", or "error" when no answer came. Hosts are the
// configured services (bounded); paths and queries are never labels (they
// hold run ids and tokens).

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "common/http_client.h"

namespace tracker {

class MeteredHttpClient : public HttpClient {
 public:
  explicit MeteredHttpClient(std::shared_ptr<HttpClient> inner) : inner_(std::move(inner)) {}
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override;

 private:
  std::shared_ptr<HttpClient> inner_;
};

// Counts a retry of an idempotent request (RetryingHttpClient).
void CountHttpRetry(const HttpRequest& request);

}  // namespace tracker

#endif  // COMMON_HTTP_METRICS_H_
