// StartProtocol: the intent is written before the POST, the run's marker
// replaces it after; what each POST outcome does to the job; a pending
// start is found by its job's params, waits, or is POSTed again, never
// twice; what is resumed and what starts afresh, and why.

#include "services/scheduler/start_protocol.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "services/scheduler/cycle_records.h"
#include "services/scheduler/recording_notifier.h"
#include "services/scheduler/repo_model.h"
#include "services/scheduler/wes_model.h"
#include "testing/fake_clock.h"
#include "tracking/proto.h"
#include "tracking/run_marker.h"

namespace tracker::scheduler {
namespace {

using ::testing::_;
using ::testing::DoDefault;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Invoke;
using ::testing::IsEmpty;
using ::testing::Return;
using namespace tracker::v1;  // NOLINT: generated message names

class StartProtocolTest : public ::testing::Test {
 protected:
  int64_t Epoch(absl::Duration from_now) { return absl::ToUnixSeconds(clock_.Now() + from_now); }
  std::string Marker(absl::Duration from_now, const std::string& run_id,
                     const std::string& env = "qa") {
    return MarkerName(Epoch(from_now), env, run_id);
  }
  // The job as repo-service lists it.
  JobSummary Summary(const std::string& job) {
    const ModelJob& j = repo_model_.Get("S-A", job);
    JobSummary s;
    *s.mutable_key() = j.key;
    s.set_state(j.state);
    s.set_run_count(static_cast<int>(j.markers.size()));
    if (!j.markers.empty()) *s.mutable_current_run() = ParseRunMarker(j.markers.back());
    return s;
  }
  // Each job its own analysis, as in a real repository.
  static std::string AnalysisOf(const std::string& job) { return "an-" + job; }
  static std::string ParamsOf(const std::string& job) {
    return R"({"study_id":"S-A","analysis_id":[")" + AnalysisOf(job) +
           R"("],"upload_song_url":"http://song"})";
  }
  JobSummary Backlog(const std::string& job, std::vector<std::string> markers = {}) {
    repo_model_.AddJob("S-A", job, JOB_STATE_BACKLOG, std::move(markers)).params =
        ParamsOf(job);
    return Summary(job);
  }
  // Queued with the pending marker of `attempt` written `age` ago: a start
  // interrupted; `earlier`: the markers of earlier attempts.
  JobSummary Pending(const std::string& job, int attempt, absl::Duration age = absl::Minutes(30),
                     std::vector<std::string> earlier = {}) {
    earlier.push_back(Marker(-age, tracking::PendingRunId(attempt)));
    repo_model_.AddJob("S-A", job, JOB_STATE_QUEUED, std::move(earlier)).params = ParamsOf(job);
    return Summary(job);
  }
  // A run of `job` on the service.
  void RunOfJob(const std::string& run_id, RunState state, const std::string& job) {
    wes_.AddRun(run_id, state, "S-A", {AnalysisOf(job)});
  }
  std::string Key(const std::string& job) {
    return tracking::JobKeyText(repo_model_.Get("S-A", job).key);
  }
  const ModelJob& Get(const std::string& job) { return repo_model_.Get("S-A", job); }
  static std::string RunOf(const std::string& marker) { return ParseRunMarker(marker).run_id(); }
  static std::vector<CycleAction> Actions(const EnvironmentCycle& out) {
    std::vector<CycleAction> actions;
    for (const auto& a : out.actions()) actions.push_back(a.action());
    return actions;
  }

  testing::FakeClock clock_;
  RecordingNotifier notifier_;
  Alerter alerts_{&notifier_, &clock_};
  RepoModel repo_model_;
  WesModel wes_;
  RepoClient repo_{&repo_model_.stub, OneAttempt(), &clock_};
  RpcCaller upstream_{OneAttempt(), &clock_};
  // One at a time: scripted answers go to the jobs in order.
  StartProtocol starts_{&repo_,
                        &wes_.stub,
                        &upstream_,
                        &alerts_,
                        &clock_,
                        {"https://github.com/icgc-argo/song-score-transfer", "0.4.0", true},
                        1,
                        /*reconcile_grace=*/absl::Minutes(10)};
};

TEST_F(StartProtocolTest, TheIntentIsWrittenBeforeThePostAndTheRunReplacesIt) {
  std::vector<JobSummary> fresh = {Backlog("job.0001"), Backlog("job.0002")};
  std::vector<std::string> seen_at_post;
  const std::vector<std::string> keys = {Key("job.0001"), Key("job.0002")};
  wes_.on_start = [&](const StartRunRequest& req) {
    absl::MutexLock lock(&repo_model_.mu);
    // POSTed one at a time, in order.
    const ModelJob& j = repo_model_.jobs[keys[seen_at_post.size()]];
    EXPECT_EQ(j.state, JOB_STATE_QUEUED);
    EXPECT_EQ(req.params_json(), j.params);
    seen_at_post.push_back(j.markers.empty() ? "" : RunOf(j.markers.back()));
  };
  EnvironmentCycle out;
  EXPECT_EQ(starts_.Start("qa", fresh, {}, /*dry_run=*/false, &out), 2);
  EXPECT_THAT(seen_at_post, ElementsAre(tracking::PendingRunId(1), tracking::PendingRunId(1)));
  EXPECT_THAT(repo_model_.messages, ElementsAre("[scheduler] update job status: 2 starting on qa",
                                                "[scheduler] update job status: 2 started"));
  for (const char* job : {"job.0001", "job.0002"}) {
    ASSERT_EQ(Get(job).markers.size(), 1u) << job;
    const RunMarker m = ParseRunMarker(Get(job).markers[0]);
    EXPECT_EQ(m.environment(), "qa");
    EXPECT_EQ(m.epoch_seconds(), Epoch(absl::ZeroDuration()));
  }
  EXPECT_EQ(RunOf(Get("job.0001").markers[0]), "wes-1");
  EXPECT_EQ(RunOf(Get("job.0002").markers[0]), "wes-2");
  ASSERT_EQ(wes_.started.size(), 2u);
  const StartRunRequest& req = wes_.started[0];
  EXPECT_EQ(req.environment(), "qa");
  EXPECT_EQ(req.workflow_url(), "https://github.com/icgc-argo/song-score-transfer");
  EXPECT_EQ(req.workflow_version(), "0.4.0");
  EXPECT_EQ(req.params_json(), Get("job.0001").params);
  EXPECT_TRUE(req.offline());  // the config's workflow.offline
  EXPECT_FALSE(req.has_resume());
  EXPECT_THAT(Actions(out), ElementsAre(CYCLE_ACTION_STARTED, CYCLE_ACTION_STARTED));
  EXPECT_EQ(out.actions(0).run_id(), "wes-1");
  EXPECT_EQ(out.started(), 2);
}

TEST_F(StartProtocolTest, AnEarlierRunOnThisEnvironmentIsResumedFromTheLatestOne) {
  std::vector<JobSummary> fresh = {Backlog(
      "job.0001", {Marker(-absl::Hours(3), "wes-older"), Marker(-absl::Hours(2), "wes-old"),
                   Marker(-absl::Hours(1), "wes-elsewhere", "prod")})};
  RunOfJob("wes-older", RUN_STATE_EXECUTOR_ERROR, "job.0001");
  RunOfJob("wes-old", RUN_STATE_EXECUTOR_ERROR, "job.0001");
  EnvironmentCycle out;
  EXPECT_EQ(starts_.Start("qa", fresh, {}, false, &out), 1);
  ASSERT_EQ(wes_.started.size(), 1u);
  // The failed run's session and directories, as the original.
  EXPECT_EQ(wes_.started[0].resume().session_id(), WesModel::SessionOf("wes-old"));
  EXPECT_EQ(wes_.started[0].resume().work_dir(), "/nfs/launch/wes-old/work");
  EXPECT_EQ(wes_.started[0].resume().launch_dir(), "/nfs/launch/wes-old");
  EXPECT_THAT(Actions(out), ElementsAre(CYCLE_ACTION_RESUMED));
  EXPECT_EQ(out.actions(0).detail(), "");
  EXPECT_EQ(notifier_.texts().size(), 0u);
  ASSERT_EQ(Get("job.0001").markers.size(), 4u);
  EXPECT_EQ(RunOf(Get("job.0001").markers.back()), "wes-1");
}

TEST_F(StartProtocolTest, ANewMarkerIsNewerThanEveryEarlierOneEvenInTheSameSecond) {
  std::vector<JobSummary> fresh = {Backlog("job.0001", {Marker(absl::Seconds(5), "wes-ahead")})};
  EnvironmentCycle out;
  starts_.Start("qa", fresh, {}, false, &out);
  ASSERT_EQ(Get("job.0001").markers.size(), 2u);
  EXPECT_EQ(ParseRunMarker(Get("job.0001").markers[1]).epoch_seconds(), Epoch(absl::Seconds(6)));
}

TEST_F(StartProtocolTest, ARunTheServiceNoLongerKnowsIsStartedAfreshSayingWhy) {
  // wes-old is on no service (the model answers NOT_FOUND, as ARGO's 404).
  std::vector<JobSummary> fresh = {Backlog("job.0001", {Marker(-absl::Hours(2), "wes-old")})};
  EnvironmentCycle out;
  starts_.Start("qa", fresh, {}, false, &out);
  ASSERT_EQ(wes_.started.size(), 1u);
  EXPECT_FALSE(wes_.started[0].has_resume());  // new directories: wes-poller's own
  ASSERT_THAT(Actions(out), ElementsAre(CYCLE_ACTION_STARTED));
  EXPECT_THAT(out.actions(0).detail(),
              HasSubstr("run wes-old cannot be resumed: qa no longer knows it (no run wes-old); "
                        "started afresh in new directories"));
  EXPECT_EQ(notifier_.Count(Key("job.0001") + ": run wes-old cannot be resumed"), 1);
}

TEST_F(StartProtocolTest, ASessionThatIsNotAUuidOrNoneIsStartedAfresh) {
  std::vector<JobSummary> fresh = {Backlog("job.0001", {Marker(-absl::Hours(2), "wes-old")}),
                                   Backlog("job.0002", {Marker(-absl::Hours(2), "wes-none")})};
  RunOfJob("wes-old", RUN_STATE_EXECUTOR_ERROR, "job.0001");
  RunOfJob("wes-none", RUN_STATE_EXECUTOR_ERROR, "job.0002");
  {
    absl::MutexLock lock(&wes_.mu);
    wes_.runs[0].resume.set_session_id("wes-old-session");
    wes_.runs[1].resume.clear_session_id();
  }
  EnvironmentCycle out;
  EXPECT_EQ(starts_.Start("qa", fresh, {}, false, &out), 2);
  ASSERT_EQ(wes_.started.size(), 2u);
  EXPECT_FALSE(wes_.started[0].has_resume());
  EXPECT_FALSE(wes_.started[1].has_resume());
  EXPECT_THAT(Actions(out), ElementsAre(CYCLE_ACTION_STARTED, CYCLE_ACTION_STARTED));
  EXPECT_THAT(out.actions(0).detail(),
              HasSubstr("run wes-old cannot be resumed: its session is not a Nextflow session UUID"));
  EXPECT_THAT(out.actions(1).detail(),
              HasSubstr("run wes-none cannot be resumed: it has no Nextflow session"));
  EXPECT_EQ(notifier_.Count("started afresh in new directories"), 2);
}

TEST_F(StartProtocolTest, ARunThatCannotBeReadNowIsNotStartedThisCycle) {
  std::vector<JobSummary> fresh = {Backlog("job.0001", {Marker(-absl::Hours(2), "wes-old")})};
  RunOfJob("wes-old", RUN_STATE_EXECUTOR_ERROR, "job.0001");
  EXPECT_CALL(wes_.stub, GetResumeInfo(_, _, _))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "graphql down")));
  EnvironmentCycle out;
  EXPECT_EQ(starts_.Start("qa", fresh, {}, false, &out), 0);
  // A fresh start would throw its work away: it waits in backlog.
  EXPECT_THAT(wes_.started, IsEmpty());
  EXPECT_EQ(Get("job.0001").state, JOB_STATE_BACKLOG);
  ASSERT_EQ(Get("job.0001").markers.size(), 1u);
  EXPECT_EQ(RunOf(Get("job.0001").markers[0]), "wes-old");
  ASSERT_THAT(Actions(out), ElementsAre(CYCLE_ACTION_ROLLED_BACK));
  EXPECT_THAT(out.actions(0).detail(),
              HasSubstr("cannot read run wes-old to resume it (graphql down)"));
}

TEST_F(StartProtocolTest, EachPostOutcomeDecidesWhereTheJobIs) {
  std::vector<JobSummary> fresh = {Backlog("job.0001"), Backlog("job.0002"), Backlog("job.0003"),
                                   Backlog("job.0004")};
  wes_.start_results = {grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "reset after sending"),
                        grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused"),
                        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad params")};
  EnvironmentCycle out;
  // The ambiguous start and the started one stay queued.
  EXPECT_EQ(starts_.Start("qa", fresh, {}, false, &out), 2);
  EXPECT_THAT(Actions(out), ElementsAre(CYCLE_ACTION_AMBIGUOUS, CYCLE_ACTION_ROLLED_BACK,
                                        CYCLE_ACTION_ROLLED_BACK, CYCLE_ACTION_STARTED));
  // Outcome unknown: the pending marker stays for the next cycle to look the run up.
  EXPECT_EQ(Get("job.0001").state, JOB_STATE_QUEUED);
  ASSERT_EQ(Get("job.0001").markers.size(), 1u);
  EXPECT_EQ(RunOf(Get("job.0001").markers[0]), tracking::PendingRunId(1));
  // Surely not started: back to the backlog, no marker left.
  for (const char* job : {"job.0002", "job.0003"}) {
    EXPECT_EQ(Get(job).state, JOB_STATE_BACKLOG) << job;
    EXPECT_THAT(Get(job).markers, IsEmpty()) << job;
  }
  EXPECT_EQ(Get("job.0004").state, JOB_STATE_QUEUED);
  EXPECT_EQ(out.started(), 1);
  EXPECT_EQ(repo_model_.messages.back(), "[scheduler] update job status: 1 started, 2 not started");
  // A refusal is worth a person's look; an unreachable service is not.
  EXPECT_EQ(notifier_.Count("refused to start"), 1);
  EXPECT_EQ(notifier_.Count(Key("job.0003")), 1);
  EXPECT_EQ(notifier_.Count(Key("job.0002")), 0);
}

TEST_F(StartProtocolTest, AJobThatCannotBeReadIsNotPostedAndGoesBack) {
  std::vector<JobSummary> fresh = {Backlog("job.0001")};
  EXPECT_CALL(repo_model_.stub, GetJob(_, _, _))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::INTERNAL, "broken params.json")));
  EnvironmentCycle out;
  EXPECT_EQ(starts_.Start("qa", fresh, {}, false, &out), 0);
  EXPECT_THAT(wes_.started, IsEmpty());
  EXPECT_EQ(Get("job.0001").state, JOB_STATE_BACKLOG);
  EXPECT_THAT(Actions(out), ElementsAre(CYCLE_ACTION_ROLLED_BACK));
}

TEST_F(StartProtocolTest, AnIntentNotWrittenStartsNothing) {
  std::vector<JobSummary> fresh = {Backlog("job.0001")};
  EXPECT_CALL(repo_model_.stub, TransitionJobs(_, _, _))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::ABORTED, "stale tip")));
  EXPECT_CALL(wes_.stub, StartRun(_, _, _)).Times(0);
  EnvironmentCycle out;
  EXPECT_EQ(starts_.Start("qa", fresh, {}, false, &out), 0);
  EXPECT_THAT(out.message(), HasSubstr("start intents not recorded: stale tip"));
  EXPECT_EQ(Get("job.0001").state, JOB_STATE_BACKLOG);
}

TEST_F(StartProtocolTest, RunsNotRecordedKeepTheirPendingMarkersForTheTags) {
  std::vector<JobSummary> fresh = {Backlog("job.0001")};
  EXPECT_CALL(repo_model_.stub, TransitionJobs(_, _, _))
      .WillOnce(DoDefault())
      .WillOnce(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "repo down")));
  EnvironmentCycle out;
  EXPECT_EQ(starts_.Start("qa", fresh, {}, false, &out), 1);
  EXPECT_EQ(wes_.started.size(), 1u);
  ASSERT_EQ(Get("job.0001").markers.size(), 1u);
  EXPECT_EQ(RunOf(Get("job.0001").markers[0]), tracking::PendingRunId(1));
  EXPECT_THAT(out.message(), HasSubstr("the next cycle finds them by their jobs' params"));
}

TEST_F(StartProtocolTest, ADryRunReadsButWritesAndPostsNothing) {
  std::vector<JobSummary> fresh = {Backlog("job.0001"),
                                   Backlog("job.0002", {Marker(-absl::Hours(1), "wes-old")})};
  RunOfJob("wes-old", RUN_STATE_EXECUTOR_ERROR, "job.0002");
  std::vector<JobSummary> restart = {Pending("job.0003", 2)};
  EXPECT_CALL(repo_model_.stub, TransitionJobs(_, _, _)).Times(0);
  EXPECT_CALL(wes_.stub, StartRun(_, _, _)).Times(0);
  EnvironmentCycle out;
  EXPECT_EQ(starts_.Start("qa", fresh, restart, /*dry_run=*/true, &out), 2);
  EXPECT_EQ(out.started(), 3);
  // Restarts first, then the backlog.
  EXPECT_THAT(Actions(out),
              ElementsAre(CYCLE_ACTION_STARTED, CYCLE_ACTION_STARTED, CYCLE_ACTION_RESUMED));
  EXPECT_EQ(out.actions(0).detail(), "dry run: would start attempt 2");
  EXPECT_EQ(out.actions(2).detail(),
            "dry run: would start attempt 2 resuming session " + WesModel::SessionOf("wes-old"));
}

TEST_F(StartProtocolTest, APendingStartIsRecordedFromTheRunsOfItsJob) {
  // job.0002's attempt 3: its earlier attempts' runs are in its markers.
  std::vector<JobSummary> pending = {
      Pending("job.0001", 1),
      Pending("job.0002", 3, absl::Minutes(30),
              {Marker(-absl::Hours(3), "wes-attempt-1"), Marker(-absl::Hours(2), "wes-attempt-2")})};
  RunOfJob("wes-attempt-1", RUN_STATE_EXECUTOR_ERROR, "job.0002");
  RunOfJob("wes-attempt-2", RUN_STATE_EXECUTOR_ERROR, "job.0002");
  RunOfJob("wes-found", RUN_STATE_RUNNING, "job.0001");
  EnvironmentCycle out;
  StartProtocol::Reconciled r = starts_.Reconcile("qa", pending, false, &out);
  // Searched by each job's study and analyses.
  ASSERT_EQ(wes_.searches.size(), 2u);
  EXPECT_EQ(wes_.searches[0].environment(), "qa");
  EXPECT_EQ(wes_.searches[0].study_id(), "S-A");
  EXPECT_THAT(wes_.searches[0].analysis_ids(), ElementsAre(AnalysisOf("job.0001")));
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].key().job_id(), "job.0001");
  EXPECT_EQ(r.records[0].add_run().run_id(), "wes-found");
  EXPECT_EQ(r.records[0].remove_run_file(), pending[0].current_run().file_name());
  EXPECT_EQ(r.records[0].from_state(), JOB_STATE_QUEUED);
  EXPECT_EQ(r.records[0].to_state(), JOB_STATE_QUEUED);
  EXPECT_THAT(Actions(out), ElementsAre(CYCLE_ACTION_RECORDED));
  EXPECT_EQ(out.actions(0).detail(), "found by its params after an interrupted start");
  // An earlier attempt's run is not this attempt's.
  ASSERT_EQ(r.restart.size(), 1u);
  EXPECT_EQ(r.restart[0].key().job_id(), "job.0002");

  // Started again: the same attempt, its intent renewed before the POST,
  // then replaced by the run's marker.
  clock_.Advance(absl::Seconds(30));
  std::vector<std::string> seen_at_post;
  wes_.on_start = [&](const StartRunRequest&) {
    absl::MutexLock lock(&repo_model_.mu);
    seen_at_post.push_back(repo_model_.jobs[Key("job.0002")].markers.back());
  };
  EnvironmentCycle again;
  EXPECT_EQ(starts_.Start("qa", {}, r.restart, false, &again), 0);
  ASSERT_EQ(wes_.started.size(), 1u);
  EXPECT_THAT(seen_at_post, ElementsAre(Marker(absl::ZeroDuration(), tracking::PendingRunId(3))));
  EXPECT_THAT(repo_model_.messages, ElementsAre("[scheduler] update job status: 1 starting on qa",
                                                "[scheduler] update job status: 1 started"));
  ASSERT_EQ(Get("job.0002").markers.size(), 3u);
  EXPECT_EQ(RunOf(Get("job.0002").markers[2]), "wes-1");
}

TEST_F(StartProtocolTest, AYoungIntentWithNoRunFoundWaitsForTheIndex) {
  // ARGO's search shows a run only once workflow-relay has indexed it.
  std::vector<JobSummary> pending = {Pending("job.0001", 1, absl::Minutes(3))};
  EnvironmentCycle out;
  StartProtocol::Reconciled r = starts_.Reconcile("qa", pending, false, &out);
  EXPECT_THAT(r.records, IsEmpty());
  EXPECT_THAT(r.restart, IsEmpty());
  ASSERT_THAT(Actions(out), ElementsAre(CYCLE_ACTION_AMBIGUOUS));
  EXPECT_THAT(out.actions(0).detail(), HasSubstr("no run found yet"));
  EXPECT_EQ(notifier_.texts().size(), 0u);

  // Past the grace and still none: started again.
  clock_.Advance(absl::Minutes(8));
  EnvironmentCycle later;
  r = starts_.Reconcile("qa", pending, false, &later);
  ASSERT_EQ(r.restart.size(), 1u);
  EXPECT_THAT(later.actions(), IsEmpty());
}

TEST_F(StartProtocolTest, ARunIndexedLateIsRecordedNotStartedTwice) {
  // The POST's answer was lost and the run is not indexed yet.
  wes_.index_new_runs = false;
  wes_.start_results = {grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "reset after sending")};
  EnvironmentCycle out;
  EXPECT_EQ(starts_.Start("qa", {Backlog("job.0001")}, {}, false, &out), 1);
  EXPECT_THAT(Actions(out), ElementsAre(CYCLE_ACTION_AMBIGUOUS));
  EnvironmentCycle next;
  StartProtocol::Reconciled r = starts_.Reconcile("qa", {Summary("job.0001")}, false, &next);
  EXPECT_THAT(r.restart, IsEmpty());
  EXPECT_THAT(Actions(next), ElementsAre(CYCLE_ACTION_AMBIGUOUS));
  // The relay indexes it: found and recorded.
  {
    absl::MutexLock lock(&wes_.mu);
    wes_.runs[0].indexed = true;
  }
  clock_.Advance(absl::Minutes(20));
  EnvironmentCycle found;
  r = starts_.Reconcile("qa", {Summary("job.0001")}, false, &found);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].add_run().run_id(), "wes-1");
  EXPECT_EQ(wes_.started.size(), 1u);
}

TEST_F(StartProtocolTest, ASearchThatCannotBeExhaustiveWaitsAndAlerts) {
  wes_.exhaustive = false;  // a WES-only environment: the newest runs scanned
  std::vector<JobSummary> pending = {Pending("job.0001", 1)};
  EnvironmentCycle out;
  StartProtocol::Reconciled r = starts_.Reconcile("qa", pending, false, &out);
  EXPECT_THAT(r.records, IsEmpty());
  EXPECT_THAT(r.restart, IsEmpty());
  ASSERT_THAT(Actions(out), ElementsAre(CYCLE_ACTION_AMBIGUOUS));
  EXPECT_THAT(out.actions(0).detail(), HasSubstr("could not be exhaustive"));
  EXPECT_EQ(notifier_.Count(Key("job.0001") + "'s start on qa was interrupted"), 1);

  // A run found by a search that is not exhaustive is still the job's.
  RunOfJob("wes-found", RUN_STATE_RUNNING, "job.0001");
  EnvironmentCycle found;
  r = starts_.Reconcile("qa", pending, false, &found);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].add_run().run_id(), "wes-found");
}

TEST_F(StartProtocolTest, AJobWithoutAnalysesCannotBeLookedUpAndWaits) {
  std::vector<JobSummary> pending = {Pending("job.0001", 1)};
  repo_model_.Get("S-A", "job.0001").params = R"({"study_id":"S-A"})";
  EXPECT_CALL(wes_.stub, FindRunsOfJob(_, _, _)).Times(0);
  EnvironmentCycle out;
  StartProtocol::Reconciled r = starts_.Reconcile("qa", pending, false, &out);
  EXPECT_THAT(r.restart, IsEmpty());
  ASSERT_THAT(Actions(out), ElementsAre(CYCLE_ACTION_AMBIGUOUS));
  EXPECT_THAT(out.actions(0).detail(), HasSubstr("no analysis_id"));
  EXPECT_EQ(notifier_.Count("decide"), 1);
}

TEST_F(StartProtocolTest, OfTwoLiveRunsOfOneAttemptOneIsKeptTheOtherCancelled) {
  std::vector<JobSummary> pending = {Pending("job.0001", 1)};
  RunOfJob("wes-done", RUN_STATE_EXECUTOR_ERROR, "job.0001");
  RunOfJob("wes-dup", RUN_STATE_QUEUED, "job.0001");
  RunOfJob("wes-live", RUN_STATE_RUNNING, "job.0001");
  EXPECT_CALL(wes_.stub, CancelRun(_, _, _))
      .WillOnce(Invoke([](auto*, const CancelRunRequest& req, auto*) {
        EXPECT_EQ(req.environment(), "qa");
        EXPECT_EQ(req.run_id(), "wes-dup");
        return grpc::Status::OK;
      }));
  EnvironmentCycle out;
  StartProtocol::Reconciled r = starts_.Reconcile("qa", pending, false, &out);
  // The newest live run is kept.
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].add_run().run_id(), "wes-live");
  EXPECT_EQ(notifier_.Count("had a second run wes-dup"), 1);
}

TEST_F(StartProtocolTest, ADryRunCancelsNothing) {
  std::vector<JobSummary> pending = {Pending("job.0001", 1)};
  RunOfJob("wes-live", RUN_STATE_RUNNING, "job.0001");
  RunOfJob("wes-dup", RUN_STATE_RUNNING, "job.0001");
  EXPECT_CALL(wes_.stub, CancelRun(_, _, _)).Times(0);
  EnvironmentCycle out;
  EXPECT_EQ(starts_.Reconcile("qa", pending, /*dry_run=*/true, &out).records.size(), 1u);
}

TEST_F(StartProtocolTest, AStartThatCannotBeLookedUpWaitsAndIsNotStartedAgain) {
  std::vector<JobSummary> pending = {Pending("job.0001", 1), Pending("job.0002", 1)};
  EXPECT_CALL(wes_.stub, FindRunsOfJob(_, _, _))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "wes down")));
  EXPECT_CALL(repo_model_.stub, GetJob(_, _, _))
      .WillOnce(DoDefault())
      .WillOnce(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "repo down")));
  EnvironmentCycle out;
  StartProtocol::Reconciled r = starts_.Reconcile("qa", pending, false, &out);
  EXPECT_THAT(r.records, IsEmpty());
  EXPECT_THAT(r.restart, IsEmpty());
  EXPECT_THAT(Actions(out), ElementsAre(CYCLE_ACTION_AMBIGUOUS, CYCLE_ACTION_AMBIGUOUS));
  EXPECT_THAT(out.actions(0).detail(), HasSubstr("cannot look the run up: wes down"));
  EXPECT_THAT(out.actions(1).detail(), HasSubstr("repo down"));
}

TEST_F(StartProtocolTest, ARestartRefusedGoesBackToTheBacklog) {
  std::vector<JobSummary> restart = {Pending("job.0001", 2)};
  wes_.start_results = {grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused")};
  EnvironmentCycle out;
  EXPECT_EQ(starts_.Start("qa", {}, restart, false, &out), -1);
  EXPECT_EQ(Get("job.0001").state, JOB_STATE_BACKLOG);
  EXPECT_THAT(Get("job.0001").markers, IsEmpty());
}

TEST_F(StartProtocolTest, RollBackReturnsInterruptedStartsToTheBacklog) {
  std::vector<JobSummary> restart = {Pending("job.0001", 1), Pending("job.0002", 1)};
  EnvironmentCycle out;
  EXPECT_EQ(starts_.RollBack("qa", restart, &out), 2);
  for (const char* job : {"job.0001", "job.0002"}) {
    EXPECT_EQ(Get(job).state, JOB_STATE_BACKLOG);
    EXPECT_THAT(Get(job).markers, IsEmpty());
  }
  EXPECT_THAT(Actions(out), ElementsAre(CYCLE_ACTION_ROLLED_BACK, CYCLE_ACTION_ROLLED_BACK));
  EXPECT_THAT(repo_model_.messages,
              ElementsAre("[scheduler] update job status: 2 not started (qa paused or stopped)"));
  EXPECT_EQ(starts_.RollBack("qa", {}, &out), 0);
}

TEST_F(StartProtocolTest, ARollBackNotWrittenCountsNothing) {
  std::vector<JobSummary> restart = {Pending("job.0001", 1)};
  EXPECT_CALL(repo_model_.stub, TransitionJobs(_, _, _))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::ABORTED, "stale")));
  EnvironmentCycle out;
  EXPECT_EQ(starts_.RollBack("qa", restart, &out), 0);
  EXPECT_EQ(Get("job.0001").state, JOB_STATE_QUEUED);
}

}  // namespace
}  // namespace tracker::scheduler
