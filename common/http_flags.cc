#include "common/http_flags.h"

#include "absl/flags/flag.h"
#include "common/curl_http_client.h"
#include "common/http_metrics.h"
#include "common/http_retry.h"

ABSL_FLAG(int, request_timeout_seconds, 30, "limit of one HTTP attempt");
ABSL_FLAG(int, retry_deadline_seconds, 60, "limit of one HTTP call with its retries");
ABSL_FLAG(int, retry_attempts, 5, "attempts of an idempotent HTTP call");
ABSL_FLAG(std::string, ca_file, "", "extra CA bundle (PEM) for the HTTP services called");

namespace tracker {

absl::StatusOr<std::shared_ptr<HttpClient>> HttpClientFromFlags() {
  if (absl::GetFlag(FLAGS_retry_attempts) < 1) {
    return absl::InvalidArgumentError("--retry_attempts must be >= 1");
  }
  if (absl::GetFlag(FLAGS_request_timeout_seconds) < 1 ||
      absl::GetFlag(FLAGS_retry_deadline_seconds) < 1) {
    return absl::InvalidArgumentError(
        "--request_timeout_seconds and --retry_deadline_seconds must be >= 1");
  }
  CurlOptions curl;
  curl.ca_file = absl::GetFlag(FLAGS_ca_file);
  RetryPolicy retry;
  retry.max_attempts = absl::GetFlag(FLAGS_retry_attempts);
  retry.deadline = absl::Seconds(absl::GetFlag(FLAGS_retry_deadline_seconds));
  // Every attempt is measured, retries included.
  return std::make_shared<RetryingHttpClient>(
      std::make_shared<MeteredHttpClient>(std::make_shared<CurlHttpClient>(curl)), retry);
}

absl::Duration RequestTimeoutFromFlags() {
  return absl::Seconds(absl::GetFlag(FLAGS_request_timeout_seconds));
}

}  // namespace tracker
