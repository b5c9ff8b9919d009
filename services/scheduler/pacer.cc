#include "services/scheduler/pacer.h"

#include <algorithm>

namespace tracker::scheduler {

bool Pacer::Pause(absl::Duration pause) {
  const absl::Time until = clock_->Now() + pause;
  for (;;) {
    if (stopping()) return false;
    const absl::Duration left = until - clock_->Now();
    if (left <= absl::ZeroDuration()) return true;
    clock_->SleepFor(std::min(left, step_));
  }
}

void Pacer::Stop() {
  absl::MutexLock lock(&mu_);
  stopping_ = true;
}

bool Pacer::stopping() {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

}  // namespace tracker::scheduler
