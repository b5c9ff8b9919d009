#include "common/http_retry.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/http_metrics.h"
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
    : inner_(std::move(inner)), clock_(clock), retrier_(policy, clock, jitter_seed) {}

absl::StatusOr<HttpResponse> RetryingHttpClient::Send(const HttpRequest& request) {
  if (!request.idempotent) return inner_->Send(request);
  absl::optional<absl::StatusOr<HttpResponse>> last;
  const std::string what = absl::StrCat(request.method, " ", RedactUrl(request.url));
  retrier_.Run(what, [&](int attempt, absl::Duration time_left) {
    HttpRequest attempt_request = request;
    attempt_request.timeout = std::min(request.timeout, time_left);
    last = inner_->Send(attempt_request);
    AttemptResult result;
    if (last->ok()) {
      result.retry = IsRetryableHttpStatus((*last)->status);
      result.retry_after = ParseRetryAfter((*last)->Header("retry-after"), clock_->Now());
    } else {
      result.retry = last->status().code() == absl::StatusCode::kUnavailable;
    }
    if (result.retry) {
      CountHttpRetry(request);
      LogDebug("http_retry")
          .Kv("request", what)
          .Kv("attempt", attempt)
          .Kv("why", last->ok() ? absl::StrCat("HTTP ", (*last)->status)
                                : std::string(last->status().message()));
    }
    return result;
  });
  if (!last) {
    return absl::DeadlineExceededError(absl::StrCat(
        what, ": no answer within ", absl::FormatDuration(retrier_.policy().deadline)));
  }
  return *std::move(last);
}

}  // namespace tracker
