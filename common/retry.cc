#include "common/retry.h"

#include <algorithm>
#include <cmath>

#include "common/log.h"

namespace tracker {

Retrier::Retrier(RetryPolicy policy, Clock* clock, uint64_t jitter_seed)
    : policy_(policy), clock_(clock), rng_(jitter_seed) {}

absl::Duration Retrier::Backoff(int attempt) {
  const double cap = std::min(absl::ToDoubleSeconds(policy_.max_backoff),
                              absl::ToDoubleSeconds(policy_.initial_backoff) *
                                  std::pow(policy_.multiplier, std::max(0, attempt - 1)));
  if (cap <= 0) return absl::ZeroDuration();
  absl::MutexLock lock(&rng_mu_);
  std::uniform_real_distribution<double> dist(0.0, cap);
  return absl::Seconds(dist(rng_));
}

RetryEnd Retrier::Run(
    absl::string_view what,
    absl::FunctionRef<AttemptResult(int attempt, absl::Duration time_left)> attempt) {
  const absl::Time deadline = clock_->Now() + policy_.deadline;
  for (int n = 1;; ++n) {
    const absl::Duration left = deadline - clock_->Now();
    if (left <= absl::ZeroDuration()) return RetryEnd::kOutOfTime;
    AttemptResult result = attempt(n, left);
    if (!result.retry) return RetryEnd::kDone;
    if (n >= policy_.max_attempts) return RetryEnd::kOutOfAttempts;
    absl::Duration delay = Backoff(n);
    if (result.retry_after) delay = std::max(delay, *result.retry_after);
    if (clock_->Now() + delay >= deadline) return RetryEnd::kOutOfTime;
    LogDebug("retry").Kv("what", what).Kv("attempt", n).Kv("delay_ms",
                                                            absl::ToInt64Milliseconds(delay));
    clock_->SleepFor(delay);
  }
}

}  // namespace tracker
