// The cycle composed (Scheduler, RunEnvironment) against gMock stubs of
// the three services: a repository model (repo_model.h) and a workflow
// service model (wes_model.h), so the tests read like the cycle's story:
// what was there, what got written, what got started. Each part has its own
// test beside it; this one checks they are put together right.

#include "services/scheduler/scheduler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/metrics.h"
#include "proto/tracker/v1/verifier_mock.grpc.pb.h"
#include "services/scheduler/cycle_records.h"
#include "services/scheduler/recording_notifier.h"
#include "services/scheduler/repo_model.h"
#include "services/scheduler/wes_model.h"
#include "testing/fake_clock.h"
#include "tracking/flags.h"
#include "tracking/proto.h"
#include "tracking/run_marker.h"

namespace tracker::scheduler {
namespace {

using ::testing::_;
using ::testing::Invoke;
using ::testing::NiceMock;
using ::testing::UnorderedElementsAre;
using namespace tracker::v1;  // NOLINT: generated message names

class CycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.scheduling_interval_minutes = 30;
    config_.tracking_repo_push_interval_hours = 12;
    config_.workflow = {"https://github.com/icgc-argo/song-score-transfer", "0.4.0"};
    // The failed jobs' check in SONG has its own tests (recovery_cycle_test).
    config_.verify_failed_jobs_per_cycle = 0;
    ComputeEnvironment qa;
    qa.name = "qa";
    qa.wes_url = "http://wes";
    qa.max_parallel_runs = 3;
    config_.compute_environments["qa"] = qa;
    ON_CALL(verifier_, VerifyAnalyses(_, _, _)).WillByDefault(Invoke([this](auto*, auto&, VerifyAnalysesResponse* out) {
      if (song_down_) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "song down");
      out->set_verified(published_);
      out->set_summary(published_ ? "1 of 1 analyses PUBLISHED" : "0 of 1 analyses PUBLISHED; not yet: a1 (UNPUBLISHED)");
      return grpc::Status::OK;
    }));
  }

  void AddJob(const std::string& study, const std::string& job, JobState state,
              std::vector<std::string> markers = {}) {
    repo_.AddJob(study, job, state, std::move(markers)).params = ParamsOf(study, job);
  }
  // Each job its own analysis, as in a real repository.
  static std::string AnalysisOf(const std::string& study, const std::string& job) {
    return "an-" + study + "-" + job;
  }
  static std::string ParamsOf(const std::string& study, const std::string& job) {
    return R"({"study_id":")" + study + R"(","analysis_id":[")" + AnalysisOf(study, job) +
           R"("],"upload_song_url":"http://song"})";
  }
  std::string Marker(int64_t epoch_offset, const std::string& run) {
    return MarkerName(absl::ToUnixSeconds(clock_.Now()) + epoch_offset, "qa", run);
  }
  ModelJob& Get(const std::string& study, const std::string& job) { return repo_.Get(study, job); }
  // The run id of a job's marker.
  static std::string RunOf(const std::string& marker) { return ParseRunMarker(marker).run_id(); }

  Scheduler& Make(SchedulerOptions options = {}) {
    options.rpc.attempts = 1;
    scheduler_ = std::make_unique<Scheduler>(config_, options, &repo_.stub, &wes_.stub, &verifier_,
                                             &notifier_, &clock_);
    return *scheduler_;
  }

  EnvironmentCycle Cycle(bool dry_run = false) {
    if (!scheduler_) Make();
    auto r = scheduler_->RunCycle("qa", dry_run);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->environments(0) : EnvironmentCycle();
  }

  TrackerConfig config_;
  RepoModel repo_;
  WesModel wes_;
  NiceMock<MockAzureVerifierStub> verifier_;
  RecordingNotifier notifier_;
  testing::FakeClock clock_;
  std::unique_ptr<Scheduler> scheduler_;
  bool song_down_ = false, published_ = true;
};

TEST_F(CycleTest, CompleteAndPublishedGoesToCompletedErrorsToFailedOthersStay) {
  AddJob("S-A", "job.0001", JOB_STATE_QUEUED, {Marker(-60, "wes-c")});
  AddJob("S-A", "job.0002", JOB_STATE_QUEUED, {Marker(-60, "wes-e")});
  AddJob("S-A", "job.0003", JOB_STATE_QUEUED, {Marker(-60, "wes-r")});
  AddJob("S-A", "job.0004", JOB_STATE_QUEUED, {Marker(-60, "wes-u")});
  AddJob("S-A", "job.0005", JOB_STATE_QUEUED, {Marker(-60, "wes-p")});
  wes_.run_states = {{"wes-c", RUN_STATE_COMPLETE}, {"wes-e", RUN_STATE_SYSTEM_ERROR},
                 {"wes-r", RUN_STATE_RUNNING}, {"wes-u", RUN_STATE_UNKNOWN},
                 {"wes-p", RUN_STATE_PREEMPTED}};
  EnvironmentCycle c = Cycle();
  EXPECT_EQ(Get("S-A", "job.0001").state, JOB_STATE_COMPLETED);
  EXPECT_EQ(Get("S-A", "job.0002").state, JOB_STATE_FAILED);
  EXPECT_EQ(Get("S-A", "job.0003").state, JOB_STATE_QUEUED);
  EXPECT_EQ(Get("S-A", "job.0004").state, JOB_STATE_QUEUED);
  EXPECT_EQ(Get("S-A", "job.0005").state, JOB_STATE_FAILED);
  EXPECT_EQ(c.completed(), 1);
  EXPECT_EQ(c.failed(), 2);
  ASSERT_FALSE(repo_.messages.empty());
  EXPECT_EQ(repo_.messages[0], "[scheduler] update job status: 1 completed, 2 failed");
}

TEST_F(CycleTest, CompleteButNotPublishedWaitsAndSongOutageNeverFails) {
  AddJob("S-A", "job.0001", JOB_STATE_QUEUED, {Marker(-60, "wes-c")});
  wes_.run_states = {{"wes-c", RUN_STATE_COMPLETE}};
  published_ = false;
  EnvironmentCycle c = Cycle();
  EXPECT_EQ(Get("S-A", "job.0001").state, JOB_STATE_QUEUED);
  EXPECT_EQ(c.actions(0).action(), CYCLE_ACTION_WAITING);
  song_down_ = true;
  Cycle();
  Cycle();
  EXPECT_EQ(Get("S-A", "job.0001").state, JOB_STATE_QUEUED);
  EXPECT_EQ(notifier_.Count("SONG unavailable"), 1);  // deduplicated
  song_down_ = false;
  published_ = true;
  Cycle();
  EXPECT_EQ(Get("S-A", "job.0001").state, JOB_STATE_COMPLETED);
}

TEST_F(CycleTest, AWesOutageWritesNothingAndStartsNothing) {
  AddJob("S-A", "job.0001", JOB_STATE_QUEUED, {Marker(-60, "wes-c")});
  AddJob("S-A", "job.0002", JOB_STATE_BACKLOG);
  wes_.down = true;
  EXPECT_CALL(repo_.stub, TransitionJobs(_, _, _)).Times(0);
  EXPECT_CALL(wes_.stub, StartRun(_, _, _)).Times(0);
  EnvironmentCycle c = Cycle();
  EXPECT_EQ(c.outcome(), CYCLE_OUTCOME_UNAVAILABLE);
}

// What Prometheus is told of a cycle: its outcome, what it did to jobs, the
// environment's gauges and the jobs per study and state.
TEST_F(CycleTest, ACycleIsCountedInTheMetrics) {
  AddJob("S-A", "job.0001", JOB_STATE_BACKLOG);
  AddJob("S-A", "job.0002", JOB_STATE_BACKLOG);
  auto& reg = metrics::Registry::Default();
  auto& cycles = reg.Counter("tracker_scheduler_cycles_total", "", {"environment", "outcome"});
  auto& actions = reg.Counter("tracker_scheduler_job_actions_total", "", {"environment", "action"});
  const double cycles_before = cycles.Value({"qa", "ok"});
  const double started_before = actions.Value({"qa", "started"});
  EnvironmentCycle c = Cycle();
  ASSERT_EQ(c.outcome(), CYCLE_OUTCOME_OK);
  EXPECT_EQ(cycles.Value({"qa", "ok"}), cycles_before + 1);
  EXPECT_EQ(actions.Value({"qa", "started"}), started_before + 2);
  EXPECT_EQ(reg.Gauge("tracker_scheduler_queued_jobs", "", {"environment"}).Value({"qa"}), 2);
  EXPECT_EQ(reg.Gauge("tracker_scheduler_max_parallel_runs", "", {"environment"}).Value({"qa"}), 3);
  EXPECT_EQ(reg.Gauge("tracker_scheduler_environment_stopped", "", {"environment"}).Value({"qa"}), 0);
  // The model's report counts backlog only: both started, none left.
  EXPECT_EQ(reg.Gauge("tracker_jobs", "", {"study", "state"}).Value({"S-A", "backlog"}), 0);
  EXPECT_GE(reg.Histogram("tracker_scheduler_cycle_duration_seconds", "", {"environment"})
                .Count({"qa"}),
            1u);
  // A dry run is not a cycle.
  Cycle(/*dry_run=*/true);
  EXPECT_EQ(cycles.Value({"qa", "ok"}), cycles_before + 1);
}

TEST_F(CycleTest, StartsInPriorityOrderUpToMaxParallelWithIntentFirst) {
  AddJob("S-A", "job.0001", JOB_STATE_QUEUED, {Marker(-60, "wes-x")});
  AddJob("S-A", "job.0002", JOB_STATE_BACKLOG);
  AddJob("S-B", "job.0001", JOB_STATE_BACKLOG);
  AddJob("S-B", "job.0002", JOB_STATE_BACKLOG);
  AddJob("S-C", "job.0001", JOB_STATE_BACKLOG);
  SchedulerOptions options;
  options.studies = {"S-B", "S-C", "S-A"};
  options.exclude = {"S-C"};
  Make(options);
  EnvironmentCycle c = Cycle();
  // 3 slots, 1 taken: two starts, both from S-B (first in priority).
  ASSERT_EQ(wes_.started.size(), 2u);
  EXPECT_THAT((std::vector<std::string>{wes_.started[0].params_json(), wes_.started[1].params_json()}),
              UnorderedElementsAre(ParamsOf("S-B", "job.0001"), ParamsOf("S-B", "job.0002")));
  EXPECT_EQ(wes_.started[0].workflow_version(), "0.4.0");
  EXPECT_EQ(c.queued(), 3);
  // The intent was committed before the POSTs, then replaced by the run.
  ASSERT_EQ(repo_.messages.size(), 2u);
  EXPECT_EQ(repo_.messages[0], "[scheduler] update job status: 2 starting on qa");
  EXPECT_EQ(repo_.messages[1], "[scheduler] update job status: 2 started");
  for (const char* job : {"job.0001", "job.0002"}) {
    const ModelJob& j = Get("S-B", job);
    EXPECT_EQ(j.state, JOB_STATE_QUEUED);
    ASSERT_EQ(j.markers.size(), 1u);
    EXPECT_EQ(ParseRunMarker(j.markers[0]).environment(), "qa");
    EXPECT_TRUE(absl::StartsWith(RunOf(j.markers[0]), "wes-")) << j.markers[0];
  }
  // Full now: the next cycle starts nothing.
  wes_.started.clear();
  Cycle();
  EXPECT_TRUE(wes_.started.empty());
}

TEST_F(CycleTest, AJobWithAnEarlierRunOnThisEnvironmentIsResumed) {
  AddJob("S-A", "job.0001", JOB_STATE_BACKLOG, {Marker(-7200, "wes-old")});
  wes_.AddRun("wes-old", RUN_STATE_EXECUTOR_ERROR, "S-A", {AnalysisOf("S-A", "job.0001")});
  Cycle();
  ASSERT_EQ(wes_.started.size(), 1u);
  EXPECT_EQ(wes_.started[0].resume().session_id(), WesModel::SessionOf("wes-old"));
  EXPECT_EQ(wes_.started[0].resume().work_dir(), "/nfs/launch/wes-old/work");
  EXPECT_EQ(wes_.started[0].resume().launch_dir(), "/nfs/launch/wes-old");
  // The new marker is the current one.
  const ModelJob& j = Get("S-A", "job.0001");
  ASSERT_EQ(j.markers.size(), 2u);
  EXPECT_EQ(RunOf(j.markers[1]), "wes-1");
}

TEST_F(CycleTest, AnAmbiguousStartStaysPendingAnUnsentOneGoesBack) {
  AddJob("S-A", "job.0001", JOB_STATE_BACKLOG);
  AddJob("S-A", "job.0002", JOB_STATE_BACKLOG);
  wes_.start_results = {grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "reset after sending"),
                    grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused")};
  SchedulerOptions options;
  options.start_concurrency = 1;  // the scripted answers go in order
  Make(options);
  EnvironmentCycle c = Cycle();
  const ModelJob& a = Get("S-A", "job.0001");
  EXPECT_EQ(a.state, JOB_STATE_QUEUED);
  ASSERT_EQ(a.markers.size(), 1u);
  EXPECT_EQ(RunOf(a.markers[0]), tracking::PendingRunId(1)) << a.markers[0];
  const ModelJob& b = Get("S-A", "job.0002");
  EXPECT_EQ(b.state, JOB_STATE_BACKLOG);
  EXPECT_TRUE(b.markers.empty());
  EXPECT_EQ(c.queued(), 1);
}

TEST_F(CycleTest, APendingStartIsFoundByItsParamsOrStartedAgainNeverTwice) {
  AddJob("S-A", "job.0001", JOB_STATE_QUEUED, {Marker(-1800, tracking::PendingRunId(1))});
  AddJob("S-A", "job.0002", JOB_STATE_QUEUED,
         {Marker(-7200, "wes-attempt-2"), Marker(-1800, tracking::PendingRunId(3))});
  // job.0001's POST went through before the crash (twice, even).
  wes_.AddRun("wes-dup", RUN_STATE_RUNNING, "S-A", {AnalysisOf("S-A", "job.0001")});
  wes_.AddRun("wes-found", RUN_STATE_RUNNING, "S-A", {AnalysisOf("S-A", "job.0001")});
  // An earlier attempt's run of job.0002 (in its markers) does not count.
  wes_.AddRun("wes-attempt-2", RUN_STATE_EXECUTOR_ERROR, "S-A", {AnalysisOf("S-A", "job.0002")});
  EXPECT_CALL(wes_.stub, CancelRun(_, _, _)).WillOnce(Invoke([](auto*, const CancelRunRequest& req, auto*) {
    EXPECT_EQ(req.run_id(), "wes-dup");
    return grpc::Status::OK;
  }));
  Cycle();
  const ModelJob& a = Get("S-A", "job.0001");
  ASSERT_EQ(a.markers.size(), 1u);
  EXPECT_EQ(RunOf(a.markers[0]), "wes-found");
  // job.0002 was not started: POSTed again, as attempt 3.
  ASSERT_EQ(wes_.started.size(), 1u);
  EXPECT_EQ(wes_.started[0].params_json(), ParamsOf("S-A", "job.0002"));
  const ModelJob& b = Get("S-A", "job.0002");
  ASSERT_EQ(b.markers.size(), 2u);
  EXPECT_EQ(RunOf(b.markers[1]), "wes-1");
}

TEST_F(CycleTest, APendingStartWaitsForTheConfiguredGrace) {
  config_.reconcile_grace_minutes = 60;
  AddJob("S-A", "job.0001", JOB_STATE_QUEUED, {Marker(-1800, tracking::PendingRunId(1))});
  EnvironmentCycle c = Cycle();
  EXPECT_TRUE(wes_.started.empty());
  ASSERT_EQ(c.actions_size(), 1);
  EXPECT_EQ(c.actions(0).action(), CYCLE_ACTION_AMBIGUOUS);
  EXPECT_EQ(RunOf(Get("S-A", "job.0001").markers[0]), tracking::PendingRunId(1));
  EXPECT_EQ(c.queued(), 1);
  clock_.Advance(absl::Minutes(31));
  Cycle();
  EXPECT_EQ(wes_.started.size(), 1u);
}

TEST_F(CycleTest, PauseStopsStartsButNotPolling) {
  AddJob("S-A", "job.0001", JOB_STATE_QUEUED, {Marker(-60, "wes-c")});
  AddJob("S-A", "job.0002", JOB_STATE_BACKLOG);
  wes_.run_states = {{"wes-c", RUN_STATE_COMPLETE}};
  repo_.flags.emplace("qa", FLAG_KIND_PAUSE);
  EnvironmentCycle c = Cycle();
  EXPECT_EQ(c.outcome(), CYCLE_OUTCOME_PAUSED);
  EXPECT_EQ(Get("S-A", "job.0001").state, JOB_STATE_COMPLETED);
  EXPECT_TRUE(wes_.started.empty());
  auto status = scheduler_->Status();
  EXPECT_TRUE(status.environments(0).paused());
}

TEST_F(CycleTest, ABacklogJobWhoseLatestRunWasElsewhereIsLeftForThatEnvironment) {
  AddJob("S-A", "job.0001", JOB_STATE_BACKLOG,
         {Marker(-9000, "wes-here"), MarkerName(absl::ToUnixSeconds(clock_.Now()) - 7200, "prod", "wes-there")});
  AddJob("S-A", "job.0002", JOB_STATE_BACKLOG, {Marker(-7200, "wes-old")});
  AddJob("S-A", "job.0003", JOB_STATE_BACKLOG, {Marker(-7200, "wes-old3")});
  repo_.flags.emplace("qa", FLAG_KIND_PAUSE);
  Cycle();
  // Paused, qa holds its own two jobs; nobody else may start them.
  EXPECT_TRUE(wes_.started.empty());
  EXPECT_EQ(scheduler_->Status().environments(0).backlog_waiting(), 2);
  repo_.flags.clear();
  Cycle();
  ASSERT_EQ(wes_.started.size(), 2u);
  for (const auto& run : wes_.started) EXPECT_NE(run.params_json(), ParamsOf("S-A", "job.0001"));
  EXPECT_EQ(Get("S-A", "job.0001").state, JOB_STATE_BACKLOG);
  EXPECT_EQ(scheduler_->Status().environments(0).backlog_waiting(), 0);
}

TEST_F(CycleTest, PacedStartsPauseBetweenTwoStartsOnTheClock) {
  config_.compute_environments["qa"].start_interval_seconds = 5;
  for (const char* job : {"job.0001", "job.0002", "job.0003", "job.0004"}) {
    AddJob("S-A", job, JOB_STATE_BACKLOG);
  }
  const absl::Time before = clock_.Now();
  EnvironmentCycle c = Cycle();
  ASSERT_EQ(wes_.started.size(), 3u);  // max_parallel_runs
  EXPECT_EQ(c.started(), 3);
  EXPECT_EQ(c.queued(), 3);
  EXPECT_EQ(c.actions_size(), 3);
  // A pause after each start but the last.
  EXPECT_EQ(clock_.Now() - before, absl::Seconds(10));
  // One start at a time: an intent and a record per job.
  EXPECT_EQ(std::count(repo_.messages.begin(), repo_.messages.end(),
                       "[scheduler] update job status: 1 started"),
            3);
}

TEST_F(CycleTest, WithoutAStartIntervalNothingSleeps) {
  for (const char* job : {"job.0001", "job.0002"}) AddJob("S-A", job, JOB_STATE_BACKLOG);
  Cycle();
  EXPECT_EQ(wes_.started.size(), 2u);
  EXPECT_TRUE(clock_.sleeps().empty());
}

TEST_F(CycleTest, AfterAShutdownPacedStartsWaitForTheNextCycle) {
  config_.compute_environments["qa"].start_interval_seconds = 5;
  for (const char* job : {"job.0001", "job.0002", "job.0003"}) AddJob("S-A", job, JOB_STATE_BACKLOG);
  Make().Stop();
  EnvironmentCycle c = Cycle();
  // The start under way finishes; the pause and the starts after it do not.
  EXPECT_EQ(wes_.started.size(), 1u);
  EXPECT_TRUE(clock_.sleeps().empty());
  EXPECT_THAT(c.message(), ::testing::HasSubstr("shutting down"));
  EXPECT_EQ(Get("S-A", "job.0003").state, JOB_STATE_BACKLOG);
}

TEST_F(CycleTest, AnEnvironmentWithTheTwoWindowRuleOffIsNotStoppedByIt) {
  config_.compute_environments["qa"].two_window_rule = false;
  AddJob("S-A", "job.0001", JOB_STATE_FAILED, {Marker(-600, "wes-f1")});
  AddJob("S-A", "job.0002", JOB_STATE_FAILED, {Marker(-300, "wes-f2")});
  AddJob("S-A", "job.0004", JOB_STATE_BACKLOG);
  EXPECT_CALL(repo_.stub, SetFlag(_, _, _)).Times(0);
  EnvironmentCycle c = Cycle();
  EXPECT_EQ(c.outcome(), CYCLE_OUTCOME_OK);
  EXPECT_EQ(wes_.started.size(), 1u);
}

TEST_F(CycleTest, TheCircuitBreakerTripsOnceWhenEveryRecentStartFailed) {
  AddJob("S-A", "job.0001", JOB_STATE_FAILED, {Marker(-600, "wes-f1")});
  AddJob("S-A", "job.0002", JOB_STATE_FAILED, {Marker(-300, "wes-f2")});
  AddJob("S-A", "job.0003", JOB_STATE_COMPLETED, {Marker(-7200, "wes-old")});  // out of the windows
  AddJob("S-A", "job.0004", JOB_STATE_BACKLOG);
  EXPECT_CALL(repo_.stub, SetFlag(_, _, _)).Times(1);
  EnvironmentCycle c = Cycle();
  EXPECT_EQ(c.outcome(), CYCLE_OUTCOME_STOPPED);
  EXPECT_TRUE(wes_.started.empty());
  EXPECT_EQ(tracking::ParseExcessiveFailureContent(repo_.flag_content).size(), 2u) << repo_.flag_content;
  EXPECT_TRUE(absl::StrContains(repo_.flag_content, "wes-f1") && absl::StrContains(repo_.flag_content, "wes-f2"));
  Cycle();  // the flag is there now: stopped, no second alert
  int critical = 0;
  for (const auto& t : notifier_.texts()) critical += absl::StartsWith(t, ":fire:\n");
  EXPECT_EQ(critical, 1);
  // A new excessive-failure flag is pushed at once.
  EXPECT_TRUE(scheduler_->Status().environments(0).stopped());
}

TEST_F(CycleTest, ANewExcessiveFailureFlagIsPushedAtOnce) {
  AddJob("S-A", "job.0001", JOB_STATE_FAILED, {Marker(-600, "wes-f1")});
  repo_.ahead = 1;
  repo_.last_push = absl::ToUnixSeconds(clock_.Now()) - 3600;  // 1 h ago; interval 12 h
  EXPECT_CALL(repo_.stub, Push(_, _, _)).Times(1);
  Make();
  auto r = scheduler_->RunCycle("qa", false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->environments(0).outcome(), CYCLE_OUTCOME_STOPPED);
  EXPECT_TRUE(r->pushed());
  // Pushed once: the next cycle waits for the interval again.
  ASSERT_TRUE(scheduler_->RunCycle("qa", false).ok());
}

TEST_F(CycleTest, AClearedFlagDoesNotStopTheEnvironmentAgainForTheSameFailures) {
  AddJob("S-A", "job.0001", JOB_STATE_FAILED, {Marker(-600, "wes-f1")});
  AddJob("S-A", "job.0002", JOB_STATE_FAILED, {Marker(-300, "wes-f2")});
  AddJob("S-A", "job.0004", JOB_STATE_BACKLOG);
  EXPECT_CALL(repo_.stub, SetFlag(_, _, _)).Times(1);
  EXPECT_EQ(Cycle().outcome(), CYCLE_OUTCOME_STOPPED);
  repo_.flags.clear();  // an admin cleared it on main; the scheduler merged main
  EnvironmentCycle c = Cycle();
  EXPECT_EQ(c.outcome(), CYCLE_OUTCOME_OK) << c.message();
  EXPECT_EQ(wes_.started.size(), 1u);
}

TEST_F(CycleTest, AfterARestartTheFlagNamesTheFailuresAlreadyAnswered) {
  AddJob("S-A", "job.0001", JOB_STATE_FAILED, {Marker(-600, "wes-f1")});
  AddJob("S-A", "job.0002", JOB_STATE_FAILED, {Marker(-300, "wes-f2")});
  AddJob("S-A", "job.0004", JOB_STATE_BACKLOG);
  repo_.flags.emplace("qa", FLAG_KIND_EXCESSIVE_FAILURE);
  repo_.flag_content =
      tracking::FormatExcessiveFailureContent({Marker(-600, "wes-f1"), Marker(-300, "wes-f2")});
  EXPECT_CALL(repo_.stub, SetFlag(_, _, _)).Times(0);
  EXPECT_EQ(Cycle().outcome(), CYCLE_OUTCOME_STOPPED);  // a fresh scheduler sees the flag
  repo_.flags.clear();
  EXPECT_EQ(Cycle().outcome(), CYCLE_OUTCOME_OK);
  EXPECT_EQ(wes_.started.size(), 1u);
}

TEST_F(CycleTest, OneSuccessAmongRecentStartsHoldsTheBreaker) {
  AddJob("S-A", "job.0001", JOB_STATE_FAILED, {Marker(-600, "wes-f1")});
  AddJob("S-A", "job.0002", JOB_STATE_COMPLETED, {Marker(-300, "wes-ok")});
  AddJob("S-A", "job.0003", JOB_STATE_BACKLOG);
  EXPECT_CALL(repo_.stub, SetFlag(_, _, _)).Times(0);
  EXPECT_EQ(Cycle().outcome(), CYCLE_OUTCOME_OK);
  EXPECT_EQ(wes_.started.size(), 1u);
}

TEST_F(CycleTest, FailuresSinceTheLastPushReachingTheThresholdStop) {
  config_.compute_environments["qa"].excessive_failure_threshold = 2;
  AddJob("S-A", "job.0001", JOB_STATE_FAILED, {Marker(-600, "wes-f1")});
  AddJob("S-A", "job.0002", JOB_STATE_FAILED, {Marker(-500, "wes-f2")});
  AddJob("S-A", "job.0003", JOB_STATE_QUEUED, {Marker(-400, "wes-run")});
  AddJob("S-A", "job.0004", JOB_STATE_BACKLOG);
  repo_.failed_since_push = {tracking::JobKeyText(Get("S-A", "job.0001").key),
                            tracking::JobKeyText(Get("S-A", "job.0002").key)};
  EXPECT_CALL(repo_.stub, SetFlag(_, _, _)).Times(1);
  EXPECT_EQ(Cycle().outcome(), CYCLE_OUTCOME_STOPPED);
  EXPECT_TRUE(wes_.started.empty());
}

TEST_F(CycleTest, DryRunWritesAndStartsNothing) {
  AddJob("S-A", "job.0001", JOB_STATE_QUEUED, {Marker(-60, "wes-c")});
  AddJob("S-A", "job.0002", JOB_STATE_BACKLOG);
  wes_.run_states = {{"wes-c", RUN_STATE_COMPLETE}};
  EXPECT_CALL(repo_.stub, TransitionJobs(_, _, _)).Times(0);
  EXPECT_CALL(repo_.stub, Merge(_, _, _)).Times(0);
  EXPECT_CALL(repo_.stub, Push(_, _, _)).Times(0);
  EXPECT_CALL(repo_.stub, SetFlag(_, _, _)).Times(0);
  EXPECT_CALL(wes_.stub, StartRun(_, _, _)).Times(0);
  EnvironmentCycle c = Cycle(/*dry_run=*/true);
  ASSERT_EQ(c.actions_size(), 2);
  EXPECT_EQ(c.actions(0).action(), CYCLE_ACTION_COMPLETED);
  EXPECT_EQ(c.actions(1).action(), CYCLE_ACTION_STARTED);
  EXPECT_TRUE(absl::StartsWith(c.actions(1).detail(), "dry run"));
}

TEST_F(CycleTest, ADryRunOverEveryEnvironmentPlansEachBacklogJobOnce) {
  ComputeEnvironment prod = config_.compute_environments["qa"];
  prod.name = "prod";
  config_.compute_environments["prod"] = prod;
  for (const char* job : {"job.0001", "job.0002", "job.0003"}) AddJob("S-A", job, JOB_STATE_BACKLOG);
  EXPECT_CALL(wes_.stub, StartRun(_, _, _)).Times(0);
  Make();
  auto r = scheduler_->RunCycle("", /*dry_run=*/true);
  ASSERT_TRUE(r.ok()) << r.status();
  std::set<std::string> planned;
  int started = 0;
  for (const auto& env : r->environments()) {
    started += env.started();
    for (const auto& a : env.actions()) {
      EXPECT_TRUE(planned.insert(a.key().job_id()).second) << a.key().job_id() << " planned twice";
    }
  }
  EXPECT_EQ(planned.size(), 3u);
  EXPECT_EQ(started, 3);
  EXPECT_EQ(repo_.InState(JOB_STATE_BACKLOG), 3);
}

TEST_F(CycleTest, PushesOnlyWhenDue) {
  repo_.ahead = 2;
  repo_.last_push = absl::ToUnixSeconds(clock_.Now()) - 3600;  // 1 h ago; interval 12 h
  EXPECT_CALL(repo_.stub, Push(_, _, _)).Times(0);
  Make();
  ASSERT_TRUE(scheduler_->RunCycle("qa", false).ok());
  ::testing::Mock::VerifyAndClearExpectations(&repo_.stub);
  clock_.Advance(absl::Hours(12));
  EXPECT_CALL(repo_.stub, Push(_, _, _)).Times(1);
  auto r = scheduler_->RunCycle("qa", false);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->pushed());
}

TEST_F(CycleTest, APushOfTheSchedulerBranchPostsWhatMoved) {
  AddJob("S-A", "job.0001", JOB_STATE_FAILED, {Marker(-7200, "wes-f1")});
  repo_.failed_since_push = {tracking::JobKeyText(Get("S-A", "job.0001").key)};
  repo_.ahead = 1;
  Make();
  ASSERT_TRUE(scheduler_->RunCycle("qa", false).ok());
  EXPECT_EQ(notifier_.Count(":information_source:\n```\nS-A queued->failed 1\n"), 1);
  // What the remote had, up to what was pushed.
  ASSERT_FALSE(repo_.transitions_asked.empty());
  EXPECT_EQ(repo_.transitions_asked.back().from_commit(), "r0");
}

TEST_F(CycleTest, UnknownEnvironmentIsNotFound) {
  Make();
  auto r = scheduler_->RunCycle("nope", false);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "qa"));
}

TEST_F(CycleTest, StatusShowsEachEnvironmentsLastCycle) {
  Make();
  GetStatusResponse before = scheduler_->Status();
  ASSERT_EQ(before.environments_size(), 1);
  EXPECT_EQ(before.environments(0).last_outcome(), CYCLE_OUTCOME_UNSPECIFIED);
  EXPECT_EQ(before.environments(0).last_cycle_epoch(), 0);
  EXPECT_EQ(before.environments(0).max_parallel_runs(), 3);
  AddJob("S-A", "job.0001", JOB_STATE_BACKLOG);
  Cycle();
  GetStatusResponse after = scheduler_->Status();
  EXPECT_EQ(after.environments(0).last_outcome(), CYCLE_OUTCOME_OK);
  EXPECT_EQ(after.environments(0).last_cycle_epoch(), absl::ToUnixSeconds(clock_.Now()));
  EXPECT_EQ(after.environments(0).queued(), 1);
  EXPECT_EQ(after.environments(0).next_cycle_epoch(),
            absl::ToUnixSeconds(clock_.Now() + absl::Minutes(30)));
}

TEST_F(CycleTest, ADryRunLeavesTheStatusAlone) {
  AddJob("S-A", "job.0001", JOB_STATE_BACKLOG);
  Cycle(/*dry_run=*/true);
  EXPECT_EQ(scheduler_->Status().environments(0).last_outcome(), CYCLE_OUTCOME_UNSPECIFIED);
}

TEST_F(CycleTest, MaxParallelRunsChangesFromTheNextCycleAndStatusShowsIt) {
  for (const char* job : {"job.0001", "job.0002", "job.0003"}) AddJob("S-A", job, JOB_STATE_BACKLOG);
  Make();
  auto set = scheduler_->SetMaxParallelRuns("qa", 1);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->previous(), 3);
  EXPECT_TRUE(absl::StrContains(set->note(), "runs already started go on"));
  EXPECT_EQ(scheduler_->Status().environments(0).max_parallel_runs(), 1);
  EXPECT_EQ(Cycle().queued(), 1);
  EXPECT_EQ(wes_.started.size(), 1u);
  EXPECT_EQ(scheduler_->SetMaxParallelRuns("nope", 1).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(scheduler_->SetMaxParallelRuns("qa", -1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Status() and SetMaxParallelRuns() come from RPC threads while the timer
// runs cycles: they share max_parallel_runs and the per-environment status.
TEST_F(CycleTest, StatusAndMaxParallelRunsFromOtherThreadsDuringCycles) {
  for (const char* job : {"job.0001", "job.0002", "job.0003"}) AddJob("S-A", job, JOB_STATE_BACKLOG);
  Make();
  std::thread cycles([&] {
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(scheduler_->RunCycle("qa", false).ok());
  });
  std::thread admin([&] {
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(scheduler_->SetMaxParallelRuns("qa", i % 4).ok());
  });
  for (int i = 0; i < 200; ++i) {
    const int max = scheduler_->Status().environments(0).max_parallel_runs();
    EXPECT_GE(max, 0);
    EXPECT_LE(max, 3);
  }
  cycles.join();
  admin.join();
  EXPECT_EQ(scheduler_->Status().environments(0).max_parallel_runs(), 3);  // 199 % 4
}

}  // namespace
}  // namespace tracker::scheduler
