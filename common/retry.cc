#include "common/retry.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/log.h"

namespace tracker {

bool IsRetryableHttpStatus(int status) {
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
         status == 504;
}

absl::optional<absl::Duration> ParseRetryAfter(absl::string_view value, absl::Time now) {
  value = absl::StripAsciiWhitespace(value);
  if (value.empty()) return absl::nullopt;
  int64_t seconds = 0;
  if (absl::SimpleAtoi(value, &seconds)) {
    return seconds < 0 ? absl::ZeroDuration() : absl::Seconds(seconds);
  }
  absl::Time when;
  std::string err;
  // IMF-fixdate, e.g. "Wed, 21 Oct 2015 07:28:00 GMT".
  if (absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", std::string(value), absl::UTCTimeZone(),
                      &when, &err)) {
    return std::max(absl::ZeroDuration(), when - now);
  }
  return absl::nullopt;
}

RetryingHttpClient::RetryingHttpClient(std::shared_ptr<HttpClient> inner, RetryPolicy policy,
                                       Clock* clock, uint64_t jitter_seed)
    : inner_(std::move(inner)), policy_(policy), clock_(clock), rng_(jitter_seed) {}

absl::Duration RetryingHttpClient::Backoff(int attempt) {
  double cap = absl::ToDoubleSeconds(policy_.max_backoff);
  double base = absl::ToDoubleSeconds(policy_.initial_backoff) *
                std::pow(policy_.multiplier, attempt - 1);
  double upper = std::min(cap, base);
  std::lock_guard<std::mutex> lock(rng_mu_);
  // Full jitter: many pollers backing off from one overloaded server must
  // not come back in lockstep.
  std::uniform_real_distribution<double> dist(upper / 2, upper);
  return absl::Seconds(dist(rng_));
}

absl::StatusOr<HttpResponse> RetryingHttpClient::Send(const HttpRequest& request) {
  const absl::Time deadline = clock_->Now() + policy_.deadline;
  HttpRequest attempt_request = request;
  for (int attempt = 1;; ++attempt) {
    absl::Duration left = deadline - clock_->Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(absl::StrCat(
          request.method, " ", RedactUrl(request.url), ": no answer within ",
          absl::FormatDuration(policy_.deadline)));
    }
    attempt_request.timeout = std::min(request.timeout, left);
    absl::StatusOr<HttpResponse> result = inner_->Send(attempt_request);

    bool retryable;
    absl::optional<absl::Duration> retry_after;
    if (result.ok()) {
      retryable = IsRetryableHttpStatus(result->status);
      retry_after = ParseRetryAfter(result->Header("retry-after"), clock_->Now());
    } else {
      retryable = result.status().code() == absl::StatusCode::kUnavailable;
    }
    if (!retryable || !request.idempotent || attempt >= policy_.max_attempts) return result;

    absl::Duration delay = Backoff(attempt);
    if (retry_after) delay = std::max(delay, *retry_after);
    if (clock_->Now() + delay >= deadline) return result;  // sleeping could not help
    LogDebug("http_retry")
        .Kv("method", request.method)
        .Kv("url", RedactUrl(request.url))
        .Kv("attempt", attempt)
        .Kv("why", result.ok() ? absl::StrCat("HTTP ", result->status)
                               : std::string(result.status().message()))
        .Kv("delay_ms", absl::ToInt64Milliseconds(delay));
    clock_->SleepFor(delay);
  }
}

}  // namespace tracker
