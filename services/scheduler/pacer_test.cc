// Pacer: the pause between starts, on a fake clock, and how a shutdown cuts
// it short.

#include "services/scheduler/pacer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/fake_clock.h"

namespace tracker::scheduler {
namespace {

// A clock on which a stop arrives while the pacer sleeps.
class StopWhileSleeping : public testing::FakeClock {
 public:
  void SleepFor(absl::Duration d) override {
    FakeClock::SleepFor(d);
    if (++count_ == stop_after_ && pacer_ != nullptr) pacer_->Stop();
  }
  Pacer* pacer_ = nullptr;
  int stop_after_ = 0;

 private:
  int count_ = 0;
};

TEST(PacerTest, WaitsTheWholePauseInSteps) {
  testing::FakeClock clock;
  Pacer pacer(&clock, absl::Seconds(2));
  const absl::Time before = clock.Now();
  EXPECT_TRUE(pacer.Pause(absl::Seconds(5)));
  EXPECT_EQ(clock.Now() - before, absl::Seconds(5));
  EXPECT_THAT(clock.sleeps(),
              ::testing::ElementsAre(absl::Seconds(2), absl::Seconds(2), absl::Seconds(1)));
}

TEST(PacerTest, NoPauseSleepsNothing) {
  testing::FakeClock clock;
  Pacer pacer(&clock);
  EXPECT_TRUE(pacer.Pause(absl::ZeroDuration()));
  EXPECT_TRUE(clock.sleeps().empty());
}

TEST(PacerTest, AStopEndsAPauseWithinAStep) {
  StopWhileSleeping clock;
  Pacer pacer(&clock, absl::Milliseconds(100));
  clock.pacer_ = &pacer;
  clock.stop_after_ = 3;
  EXPECT_FALSE(pacer.Pause(absl::Seconds(60)));
  EXPECT_EQ(clock.sleeps().size(), 3u);
}

TEST(PacerTest, AfterAStopEveryPauseEndsAtOnce) {
  testing::FakeClock clock;
  Pacer pacer(&clock);
  pacer.Stop();
  EXPECT_FALSE(pacer.Pause(absl::Seconds(5)));
  EXPECT_TRUE(clock.sleeps().empty());
  EXPECT_TRUE(pacer.stopping());
}

}  // namespace
}  // namespace tracker::scheduler
