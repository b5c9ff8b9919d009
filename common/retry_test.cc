#include "common/retry.h"

#include <gtest/gtest.h>

#include <vector>

#include "testing/fake_clock.h"

namespace tracker {
namespace {

using testing::FakeClock;

RetryPolicy Policy(int attempts) {
  RetryPolicy p;
  p.max_attempts = attempts;
  p.initial_backoff = absl::Milliseconds(100);
  p.max_backoff = absl::Seconds(1);
  p.deadline = absl::Seconds(60);
  return p;
}

TEST(RetrierTest, StopsAtTheFirstAttemptThatNeedsNoRetry) {
  FakeClock clock;
  Retrier retrier(Policy(5), &clock, 1);
  int calls = 0;
  RetryEnd end = retrier.Run("op", [&](int attempt, absl::Duration) {
    EXPECT_EQ(attempt, ++calls);
    return AttemptResult{attempt < 3, absl::nullopt};
  });
  EXPECT_EQ(end, RetryEnd::kDone);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(clock.sleeps().size(), 2u);  // slept through the injected clock
}

TEST(RetrierTest, GivesUpAfterMaxAttempts) {
  FakeClock clock;
  Retrier retrier(Policy(4), &clock, 1);
  int calls = 0;
  EXPECT_EQ(retrier.Run("op", [&](int, absl::Duration) { return AttemptResult{++calls > 0, {}}; }),
            RetryEnd::kOutOfAttempts);
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(clock.sleeps().size(), 3u);  // none after the last attempt
}

TEST(RetrierTest, FullJitterSpansZeroToTheCap) {
  FakeClock clock;
  Retrier retrier(Policy(5), &clock, 7);
  for (int attempt = 1; attempt <= 6; ++attempt) {
    const absl::Duration cap =
        std::min(absl::Seconds(1), absl::Milliseconds(100) * (1 << (attempt - 1)));
    absl::Duration lo = absl::InfiniteDuration(), hi = absl::ZeroDuration();
    for (int i = 0; i < 400; ++i) {
      absl::Duration d = retrier.Backoff(attempt);
      ASSERT_GE(d, absl::ZeroDuration());
      ASSERT_LE(d, cap);
      lo = std::min(lo, d);
      hi = std::max(hi, d);
    }
    // 400 uniform draws: the lowest lands in the bottom tenth of [0, cap],
    // the highest in the top tenth (each fails with probability 0.9^400).
    EXPECT_LT(lo, cap / 10) << attempt;
    EXPECT_GT(hi, cap * 9 / 10) << attempt;
  }
}

TEST(RetrierTest, RetryAfterIsALowerBound) {
  FakeClock clock;
  Retrier retrier(Policy(2), &clock, 1);
  retrier.Run("op", [&](int attempt, absl::Duration) {
    return AttemptResult{attempt == 1, absl::Seconds(7)};
  });
  ASSERT_EQ(clock.sleeps().size(), 1u);
  EXPECT_EQ(clock.sleeps()[0], absl::Seconds(7));
}

TEST(RetrierTest, NeverSleepsPastTheDeadline) {
  FakeClock clock;
  RetryPolicy policy = Policy(100);
  policy.deadline = absl::Seconds(10);
  Retrier retrier(policy, &clock, 1);
  // A wait longer than what is left ends the loop at once.
  int calls = 0;
  EXPECT_EQ(retrier.Run("op", [&](int, absl::Duration) {
              ++calls;
              return AttemptResult{true, absl::Hours(1)};
            }),
            RetryEnd::kOutOfTime);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(clock.sleeps().empty());

  // Attempts that take time: each is told what is left, and it shrinks.
  std::vector<absl::Duration> left;
  EXPECT_EQ(retrier.Run("op",
                        [&](int, absl::Duration time_left) {
                          left.push_back(time_left);
                          clock.Advance(absl::Seconds(2));
                          return AttemptResult{true, {}};
                        }),
            RetryEnd::kOutOfTime);
  ASSERT_GE(left.size(), 2u);
  EXPECT_LE(left.size(), 5u);  // 2 s each within 10 s
  EXPECT_EQ(left[0], absl::Seconds(10));
  for (size_t i = 1; i < left.size(); ++i) EXPECT_LT(left[i], left[i - 1]);
}

TEST(RetrierTest, NoAttemptWithoutTime) {
  FakeClock clock;
  RetryPolicy policy = Policy(3);
  policy.deadline = absl::ZeroDuration();
  Retrier retrier(policy, &clock, 1);
  int calls = 0;
  EXPECT_EQ(retrier.Run("op", [&](int, absl::Duration) { return AttemptResult{++calls > 0, {}}; }),
            RetryEnd::kOutOfTime);
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace tracker
