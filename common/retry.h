#ifndef COMMON_RETRY_H_
#define COMMON_RETRY_H_

#include <memory>
#include <mutex>
#include <random>

#include "absl/time/time.h"
#include "common/clock.h"
#include "common/http_client.h"

namespace tracker {

struct RetryPolicy {
  int max_attempts = 5;
  absl::Duration initial_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(10);
  double multiplier = 2.0;
  // Overall limit across attempts and sleeps; a Retry-After beyond it ends
  // the loop at once instead of sleeping into a certain failure.
  absl::Duration deadline = absl::Seconds(60);
};

// True for the HTTP statuses worth retrying: 408, 429, 500, 502, 503, 504.
bool IsRetryableHttpStatus(int status);

// Retry-After as a delay: delta-seconds or an HTTP-date; nullopt if absent
// or unreadable.
absl::optional<absl::Duration> ParseRetryAfter(absl::string_view value, absl::Time now);

// Retries idempotent requests on transport errors and retryable statuses,
// with capped exponential backoff and full jitter, honouring Retry-After,
// within an overall deadline. Non-idempotent requests are sent once.
// Thread-safe if `inner` is.
class RetryingHttpClient : public HttpClient {
 public:
  RetryingHttpClient(std::shared_ptr<HttpClient> inner, RetryPolicy policy,
                     Clock* clock = RealClock::Get(), uint64_t jitter_seed = std::random_device{}());
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override;

 private:
  absl::Duration Backoff(int attempt);

  std::shared_ptr<HttpClient> inner_;
  RetryPolicy policy_;
  Clock* clock_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
};

}  // namespace tracker

#endif  // COMMON_RETRY_H_
