#ifndef COMMON_CLOCK_H_
#define COMMON_CLOCK_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace tracker {

// Time and sleeping behind an interface, so retry loops and token expiry are
// tested without waiting.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() = 0;
  virtual void SleepFor(absl::Duration d) = 0;
};

class RealClock : public Clock {
 public:
  absl::Time Now() override { return absl::Now(); }
  void SleepFor(absl::Duration d) override { absl::SleepFor(d); }
  // One shared instance; RealClock has no state.
  static RealClock* Get();
};

}  // namespace tracker

#endif  // COMMON_CLOCK_H_
