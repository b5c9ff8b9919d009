#ifndef COMMON_HTTP_CLIENT_H_
#define COMMON_HTTP_CLIENT_H_

// The project's one HTTP client interface. Implementations: CurlHttpClient
// (the real transport), RetryingHttpClient (http_retry.h) and
// testing::FakeHttpClient.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/url.h"  // RedactUrl for callers showing a request

namespace tracker {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  // Header lines as name/value pairs. An "Authorization" value is a secret:
  // nothing in this library prints it.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Safe to send twice: GET, and POSTs that only read (GraphQL queries).
  // Only idempotent requests are retried.
  bool idempotent = true;
  // Whole-exchange limit of this one attempt.
  absl::Duration timeout = absl::Seconds(30);
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  // The header's value, or "" (name is matched case-insensitively).
  std::string Header(absl::string_view name) const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // An HTTP answer of any status is a response; only transport failures
  // (cannot connect, timeout, reset) are errors, all UNAVAILABLE. When the
  // request may have reached the server, RequestMayHaveBeenSent() is true.
  virtual absl::StatusOr<HttpResponse> Send(const HttpRequest& request) = 0;
};

// Marks a transport error as "the request may have reached the server"
// (timeout or reset after connecting). For a POST that creates something,
// such an error means "outcome unknown", not "not done".
absl::Status MarkMaybeSent(absl::Status status);
bool RequestMayHaveBeenSent(const absl::Status& status);

// `status` with "<prefix>: " before its message, payloads (the mark above)
// kept.
absl::Status Prefixed(absl::string_view prefix, const absl::Status& status);

// The absl code for an HTTP status (STYLE.md): 400 INVALID_ARGUMENT, 401
// UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 NOT_FOUND, 409 ABORTED, 412
// FAILED_PRECONDITION, 408/429/5xx UNAVAILABLE, other 4xx
// FAILED_PRECONDITION; 2xx OK.
absl::StatusCode HttpStatusToCode(int http_status);

// An error for a non-2xx answer: "<what>: HTTP 503 from <url>: <body start>".
// `include_body` false for endpoints whose answers may carry secrets.
absl::Status HttpError(absl::string_view what, const HttpRequest& request,
                       const HttpResponse& response, bool include_body = true);

}  // namespace tracker

#endif  // COMMON_HTTP_CLIENT_H_
