#ifndef COMMON_HTTP_RETRY_H_
#define COMMON_HTTP_RETRY_H_

// HTTP's rules for the one retry loop (retry.h): which answers are worth
// another attempt, and the server's Retry-After.

#include <memory>
#include <random>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "common/clock.h"
#include "common/http_client.h"
#include "common/retry.h"

namespace tracker {

// True for the HTTP statuses worth retrying: 408, 429, 500, 502, 503, 504.
bool IsRetryableHttpStatus(int status);

// Retry-After as a delay: delta-seconds or an HTTP-date; nullopt if absent
// or unreadable.
absl::optional<absl::Duration> ParseRetryAfter(absl::string_view value, absl::Time now);

// Retries idempotent requests on transport errors (UNAVAILABLE) and
// retryable statuses, honouring Retry-After, within the policy's deadline;
// each attempt's timeout is cut to the time left. Non-idempotent requests
// are sent once. Thread-safe if `inner` is.
class RetryingHttpClient : public HttpClient {
 public:
  RetryingHttpClient(std::shared_ptr<HttpClient> inner, RetryPolicy policy,
                     Clock* clock = RealClock::Get(), uint64_t jitter_seed = std::random_device{}());
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override;

 private:
  std::shared_ptr<HttpClient> inner_;
  Clock* clock_;
  Retrier retrier_;
};

}  // namespace tracker

#endif  // COMMON_HTTP_RETRY_H_
