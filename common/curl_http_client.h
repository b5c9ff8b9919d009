#ifndef COMMON_CURL_HTTP_CLIENT_H_
#define COMMON_CURL_HTTP_CLIENT_H_

#include <cstddef>

#include "absl/time/time.h"
#include "common/http_client.h"

namespace tracker {

struct CurlOptions {
  absl::Duration connect_timeout = absl::Seconds(5);
  // A transfer slower than this many bytes/s for low_speed_time is dropped,
  // so a stalled server cannot hold a request until the total timeout.
  long low_speed_limit = 1;
  absl::Duration low_speed_time = absl::Seconds(30);
  size_t max_response_bytes = 64 << 20;
  // Extra CA bundle (PEM) for private endpoints; the system store otherwise.
  std::string ca_file;
};

// libcurl behind HttpClient. Each thread uses its own easy handle (kept per
// thread, so connections are reused); a handle is never shared between
// threads. TLS verification is on, redirects are not followed, signals are
// not used. Thread-safe.
class CurlHttpClient : public HttpClient {
 public:
  explicit CurlHttpClient(CurlOptions options = {});
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override;

 private:
  CurlOptions options_;
};

}  // namespace tracker

#endif  // COMMON_CURL_HTTP_CLIENT_H_
