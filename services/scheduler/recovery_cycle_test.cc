// The composed cycle's part in the admins' fixes, against the in-memory
// models of repo-service and wes-poller: failed jobs checked in SONG and
// completed, lost runs recorded, alerted once and released, runtime
// settings read from the repository each cycle (and by a new scheduler).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "proto/tracker/v1/verifier_mock.grpc.pb.h"
#include "services/scheduler/recording_notifier.h"
#include "services/scheduler/repo_model.h"
#include "services/scheduler/scheduler.h"
#include "services/scheduler/wes_model.h"
#include "testing/fake_clock.h"
#include "tracking/proto.h"

namespace tracker::scheduler {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using ::testing::Invoke;
using ::testing::NiceMock;
using namespace tracker::v1;  // NOLINT: generated message names

class RecoveryCycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.scheduling_interval_minutes = 30;
    config_.workflow = {"https://github.com/icgc-argo/song-score-transfer", "0.4.0"};
    config_.verify_failed_jobs_per_cycle = 2;
    config_.lost_run_after_minutes = 60;
    ComputeEnvironment qa;
    qa.name = "qa";
    qa.wes_url = "http://wes";
    qa.max_parallel_runs = 3;
    qa.two_window_rule = false;
    config_.compute_environments["qa"] = qa;
    ON_CALL(verifier_, VerifyAnalyses(_, _, _))
        .WillByDefault(Invoke([this](auto*, auto&, VerifyAnalysesResponse* out) {
          out->set_verified(published_);
          out->set_summary(published_ ? "1 of 1 analyses PUBLISHED" : "0 of 1 analyses PUBLISHED");
          return grpc::Status::OK;
        }));
  }
  void Make() {
    SchedulerOptions options;
    options.rpc.attempts = 1;
    scheduler_ = std::make_unique<Scheduler>(config_, options, &repo_.stub, &wes_.stub, &verifier_,
                                             &notifier_, &clock_);
  }
  RunCycleResponse Cycle() {
    if (!scheduler_) Make();
    auto r = scheduler_->RunCycle("qa", false);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : RunCycleResponse();
  }
  std::string Marker(int64_t offset, const std::string& run) {
    return MarkerName(absl::ToUnixSeconds(clock_.Now()) + offset, "qa", run);
  }

  TrackerConfig config_;
  RepoModel repo_;
  WesModel wes_;
  NiceMock<MockAzureVerifierStub> verifier_;
  RecordingNotifier notifier_;
  testing::FakeClock clock_;
  std::unique_ptr<Scheduler> scheduler_;
  bool published_ = true;
};

TEST_F(RecoveryCycleTest, FailedJobsArePublishedCheckedAFewPerCycleAndCompleted) {
  int n = 0;
  for (const char* job : {"job.0001", "job.0002", "job.0003"}) {
    repo_.AddJob("S-A", job, JOB_STATE_FAILED, {Marker(-86400, "wes-f" + std::to_string(++n))});
  }
  RunCycleResponse r = Cycle();
  ASSERT_EQ(r.failed_checked_size(), 2);
  EXPECT_EQ(r.failed_checked(0).action(), CYCLE_ACTION_PUBLISHED);
  EXPECT_EQ(repo_.InState(JOB_STATE_COMPLETED), 2);
  EXPECT_THAT(repo_.messages.back(),
              HasSubstr("2 failed jobs completed, analyses all PUBLISHED in SONG"));
  EXPECT_EQ(notifier_.Count("2 failed jobs moved to completed/"), 1);
  r = Cycle();  // the third one's turn
  ASSERT_EQ(r.failed_checked_size(), 1);
  EXPECT_EQ(repo_.InState(JOB_STATE_FAILED), 0);
}

TEST_F(RecoveryCycleTest, ARunUnknownTooLongIsLostAlertedOnceAndReleasedToFailed) {
  repo_.AddJob("S-A", "job.0001", JOB_STATE_QUEUED, {Marker(-60, "wes-u")});
  repo_.AddJob("S-A", "job.0002", JOB_STATE_QUEUED, {Marker(-60, "wes-r")});
  wes_.run_states = {{"wes-u", RUN_STATE_UNKNOWN}};
  Cycle();
  EXPECT_EQ(scheduler_->Status().lost_runs_size(), 0);  // not yet
  ReleaseLostRunsRequest release;
  *release.add_jobs() = repo_.Get("S-A", "job.0001").key;
  EXPECT_EQ(scheduler_->ReleaseLostRuns(release).status().code(),
            absl::StatusCode::kFailedPrecondition);
  clock_.Advance(absl::Minutes(61));
  for (int i = 0; i < 3; ++i) {
    RunCycleResponse r = Cycle();
    bool lost = false;
    for (const auto& a : r.environments(0).actions()) lost |= a.action() == CYCLE_ACTION_LOST;
    EXPECT_TRUE(lost) << r.DebugString();
  }
  EXPECT_EQ(notifier_.Count("S-A/2021-07-01/job.0001 is queued but its run wes-u is lost"), 1);
  GetStatusResponse status = scheduler_->Status();
  ASSERT_EQ(status.lost_runs_size(), 1);
  EXPECT_EQ(status.lost_runs(0).run_id(), "wes-u");

  // A job not recorded as lost is refused, and then nothing moves.
  *release.add_jobs() = repo_.Get("S-A", "job.0002").key;
  EXPECT_EQ(scheduler_->ReleaseLostRuns(release).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(repo_.InState(JOB_STATE_QUEUED), 2);
  release.mutable_jobs()->RemoveLast();
  release.set_dry_run(true);
  auto dry = scheduler_->ReleaseLostRuns(release);
  ASSERT_TRUE(dry.ok()) << dry.status();
  EXPECT_EQ(dry->released_size(), 1);
  EXPECT_EQ(repo_.Get("S-A", "job.0001").state, JOB_STATE_QUEUED);
  release.set_dry_run(false);
  release.set_admin("alice");
  auto done = scheduler_->ReleaseLostRuns(release);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(repo_.Get("S-A", "job.0001").state, JOB_STATE_FAILED);
  EXPECT_EQ(repo_.Get("S-A", "job.0002").state, JOB_STATE_QUEUED);
  EXPECT_THAT(repo_.messages.back(),
              HasSubstr("[scheduler] update job status: 1 lost run released to failed/ by alice"));
  EXPECT_EQ(scheduler_->Status().lost_runs_size(), 0);
}

TEST_F(RecoveryCycleTest, ARunThatAnswersAgainIsNotReleased) {
  repo_.AddJob("S-A", "job.0001", JOB_STATE_QUEUED, {Marker(-60, "wes-u")});
  wes_.run_states = {{"wes-u", RUN_STATE_UNKNOWN}};
  Cycle();
  clock_.Advance(absl::Minutes(61));
  Cycle();
  ASSERT_EQ(scheduler_->Status().lost_runs_size(), 1);
  wes_.run_states = {{"wes-u", RUN_STATE_RUNNING}};  // it is live after all
  ReleaseLostRunsRequest release;
  *release.add_jobs() = repo_.Get("S-A", "job.0001").key;
  auto refused = scheduler_->ReleaseLostRuns(release);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("may be live"));
  EXPECT_EQ(repo_.Get("S-A", "job.0001").state, JOB_STATE_QUEUED);
}

TEST_F(RecoveryCycleTest, RuntimeSettingsAreReadEachCycleAndByARestartedScheduler) {
  for (const char* job : {"job.0001", "job.0002", "job.0003", "job.0004", "job.0005"}) {
    repo_.AddJob("S-A", job, JOB_STATE_BACKLOG);
  }
  Make();
  SetSchedulerSettingRequest set;
  set.set_environment("qa");
  set.set_key("max_parallel_runs");
  set.set_value("1");
  set.set_admin("alice");
  auto written = scheduler_->SetRuntimeSetting(set);
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(written->result().value(), "1");
  EXPECT_EQ(repo_.settings_authors, std::vector<std::string>{"alice"});
  Cycle();
  EXPECT_EQ(repo_.InState(JOB_STATE_QUEUED), 1);
  EXPECT_EQ(scheduler_->Status().environments(0).max_parallel_runs(), 1);

  // A restart: the file, not the config, decides.
  scheduler_.reset();
  Make();
  Cycle();
  EXPECT_EQ(repo_.InState(JOB_STATE_QUEUED), 1);
  {
    absl::MutexLock lock(&repo_.mu);
    ASSERT_TRUE(tracking::SetRuntimeSetting(&repo_.settings, "qa", "max_parallel_runs", "3").ok());
    ASSERT_TRUE(tracking::SetRuntimeSetting(&repo_.settings, "qa", "workflow_version", "v9").ok());
  }
  Cycle();
  EXPECT_EQ(repo_.InState(JOB_STATE_QUEUED), 3);
  ASSERT_FALSE(wes_.started.empty());
  EXPECT_EQ(wes_.started.back().workflow_version(), "v9");
  EXPECT_EQ(wes_.started.front().workflow_version(), "0.4.0");
  EXPECT_THAT(scheduler_->Status().environments(0).settings(),
              ::testing::ElementsAre("max_parallel_runs=3", "workflow_version=v9"));

  // Off: the environment's cycle does not run at all.
  {
    absl::MutexLock lock(&repo_.mu);
    ASSERT_TRUE(tracking::SetRuntimeSetting(&repo_.settings, "qa", "max_parallel_runs", "5").ok());
    ASSERT_TRUE(tracking::SetRuntimeSetting(&repo_.settings, "qa", "enabled", "false").ok());
  }
  RunCycleResponse off = Cycle();
  EXPECT_EQ(off.environments(0).outcome(), CYCLE_OUTCOME_PAUSED);
  EXPECT_THAT(off.environments(0).message(), HasSubstr("disabled"));
  EXPECT_EQ(repo_.InState(JOB_STATE_QUEUED), 3);
  EXPECT_TRUE(scheduler_->Status().environments(0).disabled());

  // An environment the config does not have, and a bad value.
  set.set_environment("prod");
  EXPECT_EQ(scheduler_->SetRuntimeSetting(set).status().code(), absl::StatusCode::kNotFound);
  set.set_environment("qa");
  set.set_value("many");
  EXPECT_EQ(scheduler_->SetRuntimeSetting(set).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tracker::scheduler
