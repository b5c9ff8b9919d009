#include "common/clock.h"

namespace tracker {

RealClock* RealClock::Get() {
  static RealClock* clock = new RealClock();
  return clock;
}

}  // namespace tracker
