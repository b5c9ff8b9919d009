// CircuitBreaker (step 4): when an environment trips, what the flag says,
// and that failures an admin already answered are not counted again.

#include "services/scheduler/circuit_breaker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "services/scheduler/recording_notifier.h"
#include "services/scheduler/repo_model.h"
#include "testing/fake_clock.h"
#include "tracking/flags.h"
#include "tracking/proto.h"
#include "tracking/run_marker.h"

namespace tracker::scheduler {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using ::testing::Return;
using ::testing::UnorderedElementsAre;
using namespace tracker::v1;  // NOLINT: generated message names

class CircuitBreakerTest : public ::testing::Test {
 protected:
  // A job of S-A whose current run on qa started `ago` before now.
  std::string AddJob(const std::string& job, JobState state, absl::Duration ago,
                     const std::string& run_id) {
    const std::string marker =
        MarkerName(absl::ToUnixSeconds(clock_.Now() - ago), "qa", run_id);
    repo_model_.AddJob("S-A", job, state, {marker});
    return marker;
  }
  std::string Key(const std::string& job) {
    return tracking::JobKeyText(repo_model_.Get("S-A", job).key);
  }

  testing::FakeClock clock_;
  RecordingNotifier notifier_;
  Alerter alerts_{&notifier_, &clock_};
  RepoModel repo_model_;
  RepoClient repo_{&repo_model_.stub, OneAttempt(), &clock_};
  // Two windows: the last hour.
  CircuitBreaker breaker_{&repo_, &alerts_, &clock_, absl::Minutes(30)};
};

TEST_F(CircuitBreakerTest, TripsWhenEveryJobStartedInTheLastTwoWindowsFailed) {
  const std::string f1 = AddJob("job.0001", JOB_STATE_FAILED, absl::Minutes(50), "wes-f1");
  const std::string f2 = AddJob("job.0002", JOB_STATE_FAILED, absl::Minutes(5), "wes-f2");
  AddJob("job.0003", JOB_STATE_COMPLETED, absl::Minutes(70), "wes-old");  // before the windows
  std::optional<CircuitBreaker::Trip> trip = breaker_.Check("qa", {true, 0});
  ASSERT_TRUE(trip.has_value());
  EXPECT_THAT(trip->failed_runs, UnorderedElementsAre(f1, f2));
  EXPECT_EQ(trip->reason, "all 2 jobs started on qa in the last two scheduling windows failed");
}

TEST_F(CircuitBreakerTest, OneJobNotFailedInTheWindowsHoldsIt) {
  AddJob("job.0001", JOB_STATE_FAILED, absl::Minutes(50), "wes-f1");
  AddJob("job.0002", JOB_STATE_QUEUED, absl::Minutes(5), "wes-running");
  EXPECT_FALSE(breaker_.Check("qa", {true, 0}).has_value());
}

TEST_F(CircuitBreakerTest, NothingStartedInTheWindowsTripsNothing) {
  AddJob("job.0001", JOB_STATE_FAILED, absl::Minutes(70), "wes-f1");
  EXPECT_FALSE(breaker_.Check("qa", {true, 0}).has_value());
}

TEST_F(CircuitBreakerTest, APendingStartIsNotAStartedJob) {
  const std::string f1 = AddJob("job.0001", JOB_STATE_FAILED, absl::Minutes(20), "wes-f1");
  AddJob("job.0002", JOB_STATE_QUEUED, absl::Minutes(1), tracking::PendingRunId(1));
  std::optional<CircuitBreaker::Trip> trip = breaker_.Check("qa", {true, 0});
  ASSERT_TRUE(trip.has_value());
  EXPECT_THAT(trip->failed_runs, ElementsAre(f1));
}

TEST_F(CircuitBreakerTest, FailuresAFlagNamedAreNotCountedAgain) {
  const std::string f1 = AddJob("job.0001", JOB_STATE_FAILED, absl::Minutes(50), "wes-f1");
  const std::string f2 = AddJob("job.0002", JOB_STATE_FAILED, absl::Minutes(5), "wes-f2");
  breaker_.Acknowledge("prod", tracking::FormatExcessiveFailureContent({f1, f2}));
  EXPECT_TRUE(breaker_.Check("qa", {true, 0}).has_value()) << "another environment's flag";
  breaker_.Acknowledge("qa", tracking::FormatExcessiveFailureContent({f1, f2}));
  EXPECT_FALSE(breaker_.Check("qa", {true, 0}).has_value());
  // A new failure after the answered ones trips again, on its own.
  const std::string f3 = AddJob("job.0003", JOB_STATE_FAILED, absl::Minutes(1), "wes-f3");
  std::optional<CircuitBreaker::Trip> trip = breaker_.Check("qa", {true, 0});
  ASSERT_TRUE(trip.has_value());
  EXPECT_THAT(trip->failed_runs, ElementsAre(f3));
}

TEST_F(CircuitBreakerTest, FailuresSinceThePushReachingTheThresholdTrip) {
  const std::string f1 = AddJob("job.0001", JOB_STATE_FAILED, absl::Hours(5), "wes-f1");
  const std::string f2 = AddJob("job.0002", JOB_STATE_FAILED, absl::Hours(4), "wes-f2");
  AddJob("job.0003", JOB_STATE_COMPLETED, absl::Minutes(10), "wes-ok");  // holds the window rule
  repo_model_.failed_since_push = {Key("job.0001"), Key("job.0002")};
  EXPECT_FALSE(breaker_.Check("qa", {true, 3}).has_value());
  std::optional<CircuitBreaker::Trip> trip = breaker_.Check("qa", {true, 2});
  ASSERT_TRUE(trip.has_value());
  EXPECT_THAT(trip->failed_runs, UnorderedElementsAre(f1, f2));
  EXPECT_EQ(trip->reason,
            "2 jobs failed on qa since the last push (excessive_failure_threshold 2)");
  // Counted from the commit the remote has.
  ASSERT_FALSE(repo_model_.transitions_asked.empty());
  EXPECT_EQ(repo_model_.transitions_asked.back().from_commit(), "r0");
}

TEST_F(CircuitBreakerTest, ThresholdZeroTurnsTheSincePushRuleOff) {
  AddJob("job.0001", JOB_STATE_FAILED, absl::Hours(5), "wes-f1");
  AddJob("job.0003", JOB_STATE_COMPLETED, absl::Minutes(10), "wes-ok");
  repo_model_.failed_since_push = {Key("job.0001")};
  EXPECT_CALL(repo_model_.stub, ListTransitions(_, _, _)).Times(0);
  EXPECT_FALSE(breaker_.Check("qa", {true, 0}).has_value());
}

TEST_F(CircuitBreakerTest, TheTwoWindowRuleOffDoesNotTripOnAllFailedWindows) {
  AddJob("job.0001", JOB_STATE_FAILED, absl::Minutes(50), "wes-f1");
  AddJob("job.0002", JOB_STATE_FAILED, absl::Minutes(5), "wes-f2");
  EXPECT_TRUE(breaker_.Check("qa", {true, 0}).has_value());
  EXPECT_FALSE(breaker_.Check("qa", {false, 0}).has_value());
}

TEST_F(CircuitBreakerTest, WithTheTwoWindowRuleOffTheThresholdStillTrips) {
  // The original scheduler's rules alone: only the threshold stops.
  const std::string f1 = AddJob("job.0001", JOB_STATE_FAILED, absl::Minutes(50), "wes-f1");
  const std::string f2 = AddJob("job.0002", JOB_STATE_FAILED, absl::Minutes(5), "wes-f2");
  repo_model_.failed_since_push = {Key("job.0001"), Key("job.0002")};
  EXPECT_FALSE(breaker_.Check("qa", {false, 3}).has_value());
  std::optional<CircuitBreaker::Trip> trip = breaker_.Check("qa", {false, 2});
  ASSERT_TRUE(trip.has_value());
  EXPECT_THAT(trip->failed_runs, UnorderedElementsAre(f1, f2));
  EXPECT_THAT(trip->reason, ::testing::HasSubstr("since the last push"));
}

TEST_F(CircuitBreakerTest, OnlyThisEnvironmentsFailuresCountAgainstItsThreshold) {
  AddJob("job.0001", JOB_STATE_FAILED, absl::Hours(5), "wes-f1");
  repo_model_.AddJob("S-A", "job.0002", JOB_STATE_FAILED,
                     {MarkerName(absl::ToUnixSeconds(clock_.Now() - absl::Hours(4)), "prod",
                                 "wes-elsewhere")});
  AddJob("job.0003", JOB_STATE_COMPLETED, absl::Minutes(10), "wes-ok");
  repo_model_.failed_since_push = {Key("job.0001"), Key("job.0002")};
  EXPECT_FALSE(breaker_.Check("qa", {true, 2}).has_value());
}

TEST_F(CircuitBreakerTest, WithoutAPushedCommitTheThresholdRuleWaits) {
  AddJob("job.0001", JOB_STATE_FAILED, absl::Hours(5), "wes-f1");
  AddJob("job.0003", JOB_STATE_COMPLETED, absl::Minutes(10), "wes-ok");
  repo_model_.failed_since_push = {Key("job.0001")};
  repo_model_.remote_tip = "";
  EXPECT_FALSE(breaker_.Check("qa", {true, 1}).has_value());
}

TEST_F(CircuitBreakerTest, AnUnreadableRepositoryTripsNothing) {
  AddJob("job.0001", JOB_STATE_FAILED, absl::Minutes(5), "wes-f1");
  repo_model_.failed_since_push = {Key("job.0001")};
  EXPECT_CALL(repo_model_.stub, ListJobs(_, _, _))
      .WillRepeatedly(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down")));
  EXPECT_FALSE(breaker_.Check("qa", {true, 1}).has_value());
}

TEST_F(CircuitBreakerTest, StopWritesTheFlagAndAlertsOnceUntilResolved) {
  const std::string f1 = AddJob("job.0001", JOB_STATE_FAILED, absl::Minutes(5), "wes-f1");
  std::optional<CircuitBreaker::Trip> trip = breaker_.Check("qa", {true, 0});
  ASSERT_TRUE(trip.has_value());
  EXPECT_TRUE(breaker_.Stop("qa", *trip));
  EXPECT_TRUE(repo_model_.flags.count({"qa", FLAG_KIND_EXCESSIVE_FAILURE}));
  EXPECT_THAT(tracking::ParseExcessiveFailureContent(repo_model_.flag_content), ElementsAre(f1));
  ASSERT_EQ(notifier_.texts().size(), 1u);
  const std::string alert = notifier_.texts()[0];
  EXPECT_TRUE(absl::StartsWith(alert, ":fire:\nqa stopped: all 1 jobs")) << alert;
  EXPECT_TRUE(absl::StrContains(
      alert, tracking::FlagPath(tracking::FlagKind::kExcessiveFailure, "qa")))
      << alert;
  // The runs it named are answered once the flag is cleared.
  EXPECT_FALSE(breaker_.Check("qa", {true, 0}).has_value());
  EXPECT_TRUE(breaker_.Stop("qa", *trip));
  EXPECT_EQ(notifier_.Count(":fire:\n"), 1);  // a standing stop is not re-announced
  breaker_.Resolve("qa");
  EXPECT_TRUE(breaker_.Stop("qa", *trip));
  EXPECT_EQ(notifier_.Count(":fire:\n"), 2);
}

TEST_F(CircuitBreakerTest, AFlagNotWrittenStillAlertsAndItsRunsStillCount) {
  AddJob("job.0001", JOB_STATE_FAILED, absl::Minutes(5), "wes-f1");
  EXPECT_CALL(repo_model_.stub, SetFlag(_, _, _))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::ABORTED, "stale")));
  std::optional<CircuitBreaker::Trip> trip = breaker_.Check("qa", {true, 0});
  ASSERT_TRUE(trip.has_value());
  EXPECT_FALSE(breaker_.Stop("qa", *trip));
  EXPECT_EQ(notifier_.Count(":fire:\n"), 1);
  EXPECT_TRUE(breaker_.Check("qa", {true, 0}).has_value());
}

}  // namespace
}  // namespace tracker::scheduler
