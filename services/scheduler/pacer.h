#ifndef SERVICES_SCHEDULER_PACER_H_
#define SERVICES_SCHEDULER_PACER_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace tracker::scheduler {

// The pause between two starts on one environment (start_interval_seconds),
// cut short by a shutdown. It sleeps on the injected clock in short steps
// and holds no lock while it sleeps, so Stop() from another thread ends a
// pause within one step, and tests with a fake clock never wait.
//
// Thread-safe; does not own the clock.
class Pacer {
 public:
  explicit Pacer(Clock* clock, absl::Duration step = absl::Milliseconds(100))
      : clock_(clock), step_(step) {}

  // Waits `pause`. False when stopping (at once if already stopped): the
  // caller starts nothing more.
  bool Pause(absl::Duration pause) ABSL_LOCKS_EXCLUDED(mu_);
  // From now on every pause ends at once, answering false.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);
  bool stopping() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  Clock* const clock_;
  const absl::Duration step_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_PACER_H_
