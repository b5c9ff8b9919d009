#ifndef COMMON_RETRY_H_
#define COMMON_RETRY_H_

// The one retry loop: capped exponential backoff with full jitter, an
// overall deadline, and sleeping through an injected Clock so tests do not
// wait. HTTP (http_retry.h), the scheduler's gRPC calls and repo-service's
// push all retry through it; each decides only which failures are worth
// another attempt.

#include <cstdint>
#include <random>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "common/clock.h"

namespace tracker {

struct RetryPolicy {
  int max_attempts = 5;
  absl::Duration initial_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(10);
  double multiplier = 2.0;
  // Overall limit across attempts and sleeps; a wait beyond it ends the loop
  // at once instead of sleeping into a certain failure.
  absl::Duration deadline = absl::Seconds(60);
};

// What one attempt says about itself.
struct AttemptResult {
  bool retry = false;  // failed in a way another attempt may fix
  // The server's own "not before" (HTTP Retry-After); the sleep is at least
  // this long.
  absl::optional<absl::Duration> retry_after;
};

enum class RetryEnd {
  kDone,           // an attempt answered retry=false
  kOutOfAttempts,  // the last allowed attempt still wanted a retry
  kOutOfTime,      // the deadline passed, or the next sleep would pass it
};

// Thread-safe: one Retrier may serve concurrent loops.
class Retrier {
 public:
  explicit Retrier(RetryPolicy policy, Clock* clock = RealClock::Get(),
                   uint64_t jitter_seed = std::random_device{}());

  // Calls `attempt(n, time_left)` for n = 1, 2, ... until it answers
  // retry=false, max_attempts is reached, or the deadline would pass.
  // `time_left` (> 0) bounds what the attempt may spend. The caller keeps
  // the attempt's own result; this says why the loop stopped. `what` names
  // the operation in the debug log of each retry.
  RetryEnd Run(absl::string_view what,
               absl::FunctionRef<AttemptResult(int attempt, absl::Duration time_left)> attempt);

  // The sleep after failed attempt n: full jitter, uniform in [0, cap] with
  // cap = min(max_backoff, initial_backoff * multiplier^(n-1)), so that many
  // clients backing off from one overloaded server do not return in
  // lockstep.
  absl::Duration Backoff(int attempt);

  const RetryPolicy& policy() const { return policy_; }

 private:
  const RetryPolicy policy_;
  Clock* const clock_;
  absl::Mutex rng_mu_;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(rng_mu_);
};

}  // namespace tracker

#endif  // COMMON_RETRY_H_
