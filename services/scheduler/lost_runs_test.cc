// LostRuns: when a queued job's run counts as lost, that it is alerted once,
// listed, dropped when the job leaves queued/ or the run answers again.

#include "services/scheduler/lost_runs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/scheduler/recording_notifier.h"
#include "services/scheduler/repo_model.h"
#include "testing/fake_clock.h"
#include "tracking/proto.h"

namespace tracker::scheduler {
namespace {

using namespace tracker::v1;  // NOLINT: generated message names

class LostRunsTest : public ::testing::Test {
 protected:
  // A job queued on rdpc_qa whose run started at `epoch`.
  JobSummary Job(const std::string& id, int64_t epoch, const std::string& run = "wes-1") {
    JobSummary j;
    j.mutable_key()->set_study_id("PACA-CA");
    j.mutable_key()->set_batch_id(kModelBatch);
    j.mutable_key()->set_job_id(id);
    j.set_state(JOB_STATE_QUEUED);
    *j.mutable_current_run() = ParseRunMarker(MarkerName(epoch, "rdpc_qa", run));
    return j;
  }
  static RunStatus NotFound() {
    RunStatus s;
    s.set_run_id("wes-1");
    s.set_error_code(static_cast<int>(absl::StatusCode::kNotFound));
    s.set_error_message("HTTP 404: Cannot find run log with run id = wes-1");
    return s;
  }
  static RunStatus State(RunState state) {
    RunStatus s;
    s.set_run_id("wes-1");
    s.set_state(state);
    return s;
  }
  int64_t Now() { return absl::ToUnixSeconds(clock_.Now()); }

  testing::FakeClock clock_;
  RecordingNotifier slack_;
  Alerter alerts_{&slack_, &clock_};
  LostRuns lost_{&alerts_, &clock_, absl::Minutes(10), absl::Minutes(60)};
};

TEST_F(LostRunsTest, A404OfARunOlderThanTheGraceIsLostAndAlertedOnce) {
  const JobSummary job = Job("job.0001", Now() - 3600);
  auto lost = lost_.Observe("rdpc_qa", job, NotFound());
  ASSERT_TRUE(lost.has_value());
  EXPECT_EQ(lost->run_id(), "wes-1");
  EXPECT_EQ(lost->environment(), "rdpc_qa");
  EXPECT_THAT(lost->reason(), ::testing::HasSubstr("does not know the run"));
  EXPECT_EQ(slack_.Count("PACA-CA/2021-07-01/job.0001 is queued but its run wes-1 is lost"), 1);
  // Every later cycle: still lost, never alerted again, even after hours.
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(absl::Hours(7));
    EXPECT_TRUE(lost_.Observe("rdpc_qa", job, NotFound()).has_value());
  }
  EXPECT_EQ(slack_.Count("is lost"), 1);
  ASSERT_EQ(lost_.List().size(), 1u);
  EXPECT_TRUE(lost_.Find(job.key()).has_value());
}

TEST_F(LostRunsTest, AYoungRunNotFoundYetIsNotLost) {
  // ARGO's index shows a run only after workflow-relay saw an event of it.
  const JobSummary job = Job("job.0001", Now() - 60);
  EXPECT_FALSE(lost_.Observe("rdpc_qa", job, NotFound()).has_value());
  EXPECT_TRUE(lost_.List().empty());
  clock_.Advance(absl::Minutes(10));
  EXPECT_TRUE(lost_.Observe("rdpc_qa", job, NotFound()).has_value());
}

TEST_F(LostRunsTest, UnknownIsLostOnlyAfterTheSettingCountedFromFirstSeen) {
  const JobSummary job = Job("job.0001", Now() - 86400);  // an old run
  EXPECT_FALSE(lost_.Observe("rdpc_qa", job, State(RUN_STATE_UNKNOWN)).has_value());
  clock_.Advance(absl::Minutes(59));
  EXPECT_FALSE(lost_.Observe("rdpc_qa", job, State(RUN_STATE_UNKNOWN)).has_value());
  clock_.Advance(absl::Minutes(1));
  auto lost = lost_.Observe("rdpc_qa", job, State(RUN_STATE_UNKNOWN));
  ASSERT_TRUE(lost.has_value());
  EXPECT_THAT(lost->reason(), ::testing::HasSubstr("UNKNOWN on rdpc_qa since"));
  EXPECT_EQ(slack_.Count("is lost"), 1);
}

TEST_F(LostRunsTest, ARunThatAnswersAgainIsNoLongerLost) {
  const JobSummary job = Job("job.0001", Now() - 3600);
  ASSERT_TRUE(lost_.Observe("rdpc_qa", job, NotFound()).has_value());
  EXPECT_FALSE(lost_.Observe("rdpc_qa", job, State(RUN_STATE_RUNNING)).has_value());
  EXPECT_TRUE(lost_.List().empty());
  // An UNKNOWN spell restarts from zero after a known state.
  EXPECT_FALSE(lost_.Observe("rdpc_qa", job, State(RUN_STATE_UNKNOWN)).has_value());
  clock_.Advance(absl::Minutes(30));
  EXPECT_FALSE(lost_.Observe("rdpc_qa", job, State(RUN_STATE_UNKNOWN)).has_value());
  // Other read errors (an outage) are not "lost".
  RunStatus unavailable = NotFound();
  unavailable.set_error_code(static_cast<int>(absl::StatusCode::kUnavailable));
  EXPECT_FALSE(lost_.Observe("rdpc_qa", job, unavailable).has_value());
  EXPECT_FALSE(LostRuns::StillLost(unavailable));
  EXPECT_TRUE(LostRuns::StillLost(NotFound()));
  EXPECT_TRUE(LostRuns::StillLost(State(RUN_STATE_UNKNOWN)));
  EXPECT_FALSE(LostRuns::StillLost(State(RUN_STATE_QUEUED)));
}

TEST_F(LostRunsTest, AJobThatLeftQueuedOrGotANewRunIsDropped) {
  const JobSummary a = Job("job.0001", Now() - 3600);
  const JobSummary b = Job("job.0002", Now() - 3600);
  ASSERT_TRUE(lost_.Observe("rdpc_qa", a, NotFound()).has_value());
  ASSERT_TRUE(lost_.Observe("rdpc_qa", b, NotFound()).has_value());
  lost_.Keep("rdpc_prod", {});  // another environment's jobs only
  EXPECT_EQ(lost_.List().size(), 2u);
  lost_.Keep("rdpc_qa", {b});
  ASSERT_EQ(lost_.List().size(), 1u);
  EXPECT_EQ(tracking::JobKeyText(lost_.List()[0].key()), "PACA-CA/2021-07-01/job.0002");
  // A new run of the same job starts a new record, alerted again.
  const JobSummary b2 = Job("job.0002", Now() - 3600, "wes-2");
  auto again = lost_.Observe("rdpc_qa", b2, NotFound());
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->run_id(), "wes-2");
  lost_.Forget(b2.key());
  EXPECT_TRUE(lost_.List().empty());
  EXPECT_FALSE(lost_.Find(b2.key()).has_value());
}

}  // namespace
}  // namespace tracker::scheduler
