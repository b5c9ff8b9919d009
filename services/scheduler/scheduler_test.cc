// Every branch of the cycle against gMock stubs of the three services. The
// repository stub is backed by a small in-memory model (jobs, markers,
// flags) that applies TransitionJobs the way repo-service does, so the
// tests read like the cycle's story: what was there, what got written,
// what got started.

#include "services/scheduler/scheduler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "proto/tracker/v1/repo_mock.grpc.pb.h"
#include "proto/tracker/v1/verifier_mock.grpc.pb.h"
#include "proto/tracker/v1/wes_mock.grpc.pb.h"
#include "testing/fake_http_client.h"
#include "tracking/flags.h"
#include "tracking/proto.h"
#include "tracking/run_marker.h"

namespace tracker::scheduler {
namespace {

using ::testing::_;
using ::testing::Invoke;
using ::testing::NiceMock;
using namespace tracker::v1;  // NOLINT: generated message names

struct ModelJob {
  JobKey key;
  JobState state = JOB_STATE_BACKLOG;
  std::vector<std::string> markers;  // file names, oldest first
  std::string params = R"({"study_id":"S","analysis_id":["a1"],"upload_song_url":"http://song"})";
};

RunMarker ParseMarker(const std::string& file) {
  std::optional<tracking::Marker> parsed = tracking::ParseMarker(file);
  EXPECT_TRUE(parsed.has_value()) << file;
  RunMarker m;
  m.set_file_name(file);
  if (!parsed) return m;
  m.set_epoch_seconds(parsed->epoch_seconds);
  m.set_environment(parsed->environment);
  m.set_run_id(parsed->run_id);
  return m;
}

// A marker's file name, as repo-service writes it.
std::string MarkerName(int64_t epoch, const std::string& env, const std::string& run) {
  absl::StatusOr<std::string> name = tracking::FormatMarker({epoch, env, run, ""});
  EXPECT_TRUE(name.ok()) << name.status();
  return name.value_or("");
}

using tracking::JobKeyText;

class CycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.scheduling_interval_minutes = 30;
    config_.tracking_repo_push_interval_hours = 12;
    config_.workflow = {"https://github.com/icgc-argo/song-score-transfer", "0.4.0"};
    ComputeEnvironment qa;
    qa.name = "qa";
    qa.wes_url = "http://wes";
    qa.max_parallel_runs = 3;
    config_.compute_environments["qa"] = qa;
    Wire();
  }

  void AddJob(const std::string& study, const std::string& job, JobState state,
              std::vector<std::string> markers = {}) {
    ModelJob j;
    j.key.set_study_id(study);
    j.key.set_batch_id("2021-07-01");
    j.key.set_job_id(job);
    j.state = state;
    j.markers = std::move(markers);
    jobs_[JobKeyText(j.key)] = j;
  }
  std::string Marker(int64_t epoch_offset, const std::string& run) {
    return MarkerName(absl::ToUnixSeconds(clock_.Now()) + epoch_offset, "qa", run);
  }
  ModelJob& Get(const std::string& study, const std::string& job) {
    return jobs_[absl::StrCat(study, "/2021-07-01/", job)];
  }

  void Wire() {
    ON_CALL(repo_, ListFlags(_, _, _)).WillByDefault(Invoke([this](auto*, auto&, ListFlagsResponse* out) {
      for (const auto& [env, kind] : flags_) {
        auto* f = out->add_flags();
        f->set_environment(env);
        f->set_kind(kind);
        f->set_path(tracking::FlagPath(kind == FLAG_KIND_PAUSE ? tracking::FlagKind::kPause
                                                               : tracking::FlagKind::kExcessiveFailure,
                                       env));
        if (kind == FLAG_KIND_EXCESSIVE_FAILURE) f->set_content(flag_content_);
      }
      out->set_commit("c0");
      return grpc::Status::OK;
    }));
    ON_CALL(repo_, ListJobs(_, _, _)).WillByDefault(Invoke([this](auto*, const ListJobsRequest& req, ListJobsResponse* out) {
      for (const auto& [name, j] : jobs_) {
        bool state_ok = req.states().empty();
        for (int s : req.states()) state_ok |= s == j.state;
        if (!state_ok) continue;
        if (!req.study_ids().empty() && req.study_ids(0) != j.key.study_id()) continue;
        RunMarker current;
        if (!j.markers.empty()) current = ParseMarker(j.markers.back());
        if (!req.environment().empty() && current.environment() != req.environment()) continue;
        if (req.min_run_epoch() > 0 && (j.markers.empty() || current.epoch_seconds() < req.min_run_epoch())) continue;
        if (req.page_size() > 0 && out->jobs_size() >= req.page_size()) continue;
        auto* js = out->add_jobs();
        *js->mutable_key() = j.key;
        js->set_state(j.state);
        js->set_run_count(static_cast<int>(j.markers.size()));
        if (!j.markers.empty()) *js->mutable_current_run() = current;
      }
      return grpc::Status::OK;
    }));
    ON_CALL(repo_, GetJob(_, _, _)).WillByDefault(Invoke([this](auto*, const GetJobRequest& req, Job* out) {
      auto it = jobs_.find(JobKeyText(req.key()));
      if (it == jobs_.end()) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no job");
      *out->mutable_key() = it->second.key;
      out->set_state(it->second.state);
      out->set_params_json(it->second.params);
      for (const auto& m : it->second.markers) *out->add_runs() = ParseMarker(m);
      return grpc::Status::OK;
    }));
    ON_CALL(repo_, TransitionJobs(_, _, _)).WillByDefault(Invoke([this](auto*, const TransitionJobsRequest& req, WriteResult*) {
      std::map<std::string, ModelJob> next = jobs_;
      for (const auto& t : req.transitions()) {
        ModelJob& j = next[JobKeyText(t.key())];
        if (j.state != t.from_state()) {
          return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "not in from_state");
        }
        j.state = t.to_state();
        if (!t.remove_run_file().empty()) {
          auto it = std::find(j.markers.begin(), j.markers.end(), t.remove_run_file());
          if (it == j.markers.end()) return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "no marker");
          j.markers.erase(it);
        }
        if (t.has_add_run()) {
          j.markers.push_back(MarkerName(t.add_run().epoch_seconds(), t.add_run().environment(),
                                         t.add_run().run_id()));
        }
      }
      jobs_ = next;
      messages_.push_back(req.options().message());
      return grpc::Status::OK;
    }));
    ON_CALL(repo_, SetFlag(_, _, _)).WillByDefault(Invoke([this](auto*, const SetFlagRequest& req, WriteResult*) {
      flags_.emplace(req.flag().environment(), req.flag().kind());
      flag_content_ = req.flag().content();
      return grpc::Status::OK;
    }));
    ON_CALL(repo_, Report(_, _, _)).WillByDefault(Invoke([this](auto*, auto&, ReportResponse* out) {
      std::map<std::string, int> backlog;
      for (const auto& [n, j] : jobs_) backlog[j.key.study_id()] += j.state == JOB_STATE_BACKLOG;
      for (const auto& [s, n] : backlog) {
        auto* sc = out->add_studies();
        sc->set_study_id(s);
        sc->set_backlog(n);
      }
      out->set_commit("c1");
      return grpc::Status::OK;
    }));
    ON_CALL(repo_, GetSyncStatus(_, _, _)).WillByDefault(Invoke([this](auto*, auto&, GetSyncStatusResponse* out) {
      auto* b = out->add_branches();
      b->set_name("scheduler");
      b->set_ahead(ahead_);
      b->set_last_push_epoch(last_push_);
      b->set_remote_tip(remote_tip_);
      return grpc::Status::OK;
    }));
    ON_CALL(repo_, ListTransitions(_, _, _)).WillByDefault(Invoke([this](auto*, auto&, ListTransitionsResponse* out) {
      for (const auto& k : failed_since_push_) {
        auto* c = out->add_changes();
        *c->mutable_key() = jobs_[k].key;
        c->set_from_folder("queued");
        c->set_to_folder("failed");
      }
      return grpc::Status::OK;
    }));

    ON_CALL(wes_, GetRunStates(_, _, _)).WillByDefault(Invoke([this](auto*, const GetRunStatesRequest& req, GetRunStatesResponse* out) {
      if (wes_down_) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "wes down");
      for (const auto& id : req.run_ids()) {
        auto* r = out->add_runs();
        r->set_run_id(id);
        auto it = run_states_.find(id);
        r->set_state(it == run_states_.end() ? RUN_STATE_RUNNING : it->second);
      }
      return grpc::Status::OK;
    }));
    ON_CALL(wes_, StartRun(_, _, _)).WillByDefault(Invoke([this](auto*, const StartRunRequest& req, StartRunResponse* out) {
      started_.push_back(req);
      if (!start_results_.empty()) {
        grpc::Status s = start_results_.front();
        start_results_.erase(start_results_.begin());
        if (!s.ok()) return s;
      }
      out->set_run_id(absl::StrCat("wes-", started_.size()));
      return grpc::Status::OK;
    }));
    ON_CALL(wes_, FindRunsByTag(_, _, _)).WillByDefault(Invoke([this](auto*, const FindRunsByTagRequest& req, FindRunsByTagResponse* out) {
      for (const auto& r : tagged_) {
        if (r.tags().at("tracker_job") == req.tag_value()) *out->add_runs() = r;
      }
      return grpc::Status::OK;
    }));
    ON_CALL(wes_, GetResumeInfo(_, _, _)).WillByDefault(Invoke([](auto*, const GetResumeInfoRequest& req, GetResumeInfoResponse* out) {
      out->mutable_resume()->set_session_id("session-of-" + req.run_id());
      out->mutable_resume()->set_work_dir("/work/" + req.run_id());
      return grpc::Status::OK;
    }));
    ON_CALL(verifier_, VerifyAnalyses(_, _, _)).WillByDefault(Invoke([this](auto*, auto&, VerifyAnalysesResponse* out) {
      if (song_down_) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "song down");
      out->set_verified(published_);
      out->set_summary(published_ ? "1 of 1 analyses PUBLISHED" : "0 of 1 analyses PUBLISHED; not yet: a1 (UNPUBLISHED)");
      return grpc::Status::OK;
    }));
  }

  Scheduler& Make(SchedulerOptions options = {}) {
    options.rpc.attempts = 1;
    scheduler_ = std::make_unique<Scheduler>(config_, options, &repo_, &wes_, &verifier_,
                                             &notifier_, &clock_);
    return *scheduler_;
  }

  EnvironmentCycle Cycle(bool dry_run = false) {
    if (!scheduler_) Make();
    auto r = scheduler_->RunCycle("qa", dry_run);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->environments(0) : EnvironmentCycle();
  }

  int InState(JobState s) {
    int n = 0;
    for (const auto& [k, j] : jobs_) n += j.state == s;
    return n;
  }

  struct RecordingNotifier : Notifier {
    absl::Status Post(const std::string& text) override {
      texts.push_back(text);
      return absl::OkStatus();
    }
    std::vector<std::string> texts;
  };

  TrackerConfig config_;
  NiceMock<MockRepoServiceStub> repo_;
  NiceMock<MockWesPollerStub> wes_;
  NiceMock<MockAzureVerifierStub> verifier_;
  RecordingNotifier notifier_;
  testing::FakeClock clock_;
  std::unique_ptr<Scheduler> scheduler_;

  std::map<std::string, ModelJob> jobs_;
  std::set<std::pair<std::string, FlagKind>> flags_;
  std::string flag_content_;
  std::vector<std::string> messages_;
  std::map<std::string, RunState> run_states_;
  std::vector<StartRunRequest> started_;
  std::vector<grpc::Status> start_results_;
  std::vector<RunStatus> tagged_;
  std::vector<std::string> failed_since_push_;
  bool wes_down_ = false, song_down_ = false, published_ = true;
  int ahead_ = 0;
  int64_t last_push_ = 0;
  std::string remote_tip_ = "r0";
};

TEST_F(CycleTest, CompleteAndPublishedGoesToCompletedErrorsToFailedOthersStay) {
  AddJob("S-A", "job.0001", JOB_STATE_QUEUED, {Marker(-60, "wes-c")});
  AddJob("S-A", "job.0002", JOB_STATE_QUEUED, {Marker(-60, "wes-e")});
  AddJob("S-A", "job.0003", JOB_STATE_QUEUED, {Marker(-60, "wes-r")});
  AddJob("S-A", "job.0004", JOB_STATE_QUEUED, {Marker(-60, "wes-u")});
  AddJob("S-A", "job.0005", JOB_STATE_QUEUED, {Marker(-60, "wes-p")});
  run_states_ = {{"wes-c", RUN_STATE_COMPLETE}, {"wes-e", RUN_STATE_SYSTEM_ERROR},
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
  ASSERT_FALSE(messages_.empty());
  EXPECT_EQ(messages_[0], "[scheduler] update job status: 1 completed, 2 failed");
}

TEST_F(CycleTest, CompleteButNotPublishedWaitsAndSongOutageNeverFails) {
  AddJob("S-A", "job.0001", JOB_STATE_QUEUED, {Marker(-60, "wes-c")});
  run_states_ = {{"wes-c", RUN_STATE_COMPLETE}};
  published_ = false;
  EnvironmentCycle c = Cycle();
  EXPECT_EQ(Get("S-A", "job.0001").state, JOB_STATE_QUEUED);
  EXPECT_EQ(c.actions(0).action(), "waiting");
  song_down_ = true;
  Cycle();
  Cycle();
  EXPECT_EQ(Get("S-A", "job.0001").state, JOB_STATE_QUEUED);
  int song_alerts = 0;
  for (const auto& t : notifier_.texts) song_alerts += absl::StrContains(t, "SONG unavailable");
  EXPECT_EQ(song_alerts, 1);  // deduplicated
  song_down_ = false;
  published_ = true;
  Cycle();
  EXPECT_EQ(Get("S-A", "job.0001").state, JOB_STATE_COMPLETED);
}

TEST_F(CycleTest, AWesOutageWritesNothingAndStartsNothing) {
  AddJob("S-A", "job.0001", JOB_STATE_QUEUED, {Marker(-60, "wes-c")});
  AddJob("S-A", "job.0002", JOB_STATE_BACKLOG);
  wes_down_ = true;
  EXPECT_CALL(repo_, TransitionJobs(_, _, _)).Times(0);
  EXPECT_CALL(wes_, StartRun(_, _, _)).Times(0);
  EnvironmentCycle c = Cycle();
  EXPECT_EQ(c.outcome(), "unavailable");
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
  ASSERT_EQ(started_.size(), 2u);
  EXPECT_EQ(started_[0].tags().at("tracker_job").substr(0, 3), "S-B");
  EXPECT_EQ(started_[1].tags().at("tracker_job").substr(0, 3), "S-B");
  EXPECT_EQ(started_[0].tags().at("tracker_attempt"), "1");
  EXPECT_EQ(started_[0].workflow_version(), "0.4.0");
  EXPECT_EQ(c.queued(), 3);
  // The intent was committed before the POSTs, then replaced by the run.
  ASSERT_EQ(messages_.size(), 2u);
  EXPECT_EQ(messages_[0], "[scheduler] update job status: 2 starting on qa");
  EXPECT_EQ(messages_[1], "[scheduler] update job status: 2 started");
  for (const char* job : {"job.0001", "job.0002"}) {
    const ModelJob& j = Get("S-B", job);
    EXPECT_EQ(j.state, JOB_STATE_QUEUED);
    ASSERT_EQ(j.markers.size(), 1u);
    EXPECT_TRUE(absl::StrContains(j.markers[0], ".qa.wes-")) << j.markers[0];
  }
  // Full now: the next cycle starts nothing.
  started_.clear();
  Cycle();
  EXPECT_TRUE(started_.empty());
}

TEST_F(CycleTest, AJobWithAnEarlierRunOnThisEnvironmentIsResumed) {
  AddJob("S-A", "job.0001", JOB_STATE_BACKLOG, {Marker(-7200, "wes-old")});
  Cycle();
  ASSERT_EQ(started_.size(), 1u);
  EXPECT_EQ(started_[0].resume().session_id(), "session-of-wes-old");
  EXPECT_EQ(started_[0].resume().work_dir(), "/work/wes-old");
  EXPECT_EQ(started_[0].tags().at("tracker_attempt"), "2");
  // The new marker is the current one.
  const ModelJob& j = Get("S-A", "job.0001");
  ASSERT_EQ(j.markers.size(), 2u);
  EXPECT_TRUE(absl::EndsWith(j.markers[1], ".qa.wes-1"));
}

TEST_F(CycleTest, AnAmbiguousStartStaysPendingAnUnsentOneGoesBack) {
  AddJob("S-A", "job.0001", JOB_STATE_BACKLOG);
  AddJob("S-A", "job.0002", JOB_STATE_BACKLOG);
  start_results_ = {grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "reset after sending"),
                    grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused")};
  SchedulerOptions options;
  options.start_concurrency = 1;  // the scripted answers go in order
  Make(options);
  EnvironmentCycle c = Cycle();
  const ModelJob& a = Get("S-A", "job.0001");
  EXPECT_EQ(a.state, JOB_STATE_QUEUED);
  ASSERT_EQ(a.markers.size(), 1u);
  EXPECT_TRUE(absl::StrContains(a.markers[0], ".qa.pending-1")) << a.markers[0];
  const ModelJob& b = Get("S-A", "job.0002");
  EXPECT_EQ(b.state, JOB_STATE_BACKLOG);
  EXPECT_TRUE(b.markers.empty());
  EXPECT_EQ(c.queued(), 1);
}

TEST_F(CycleTest, APendingStartIsFoundByTagOrStartedAgainNeverTwice) {
  AddJob("S-A", "job.0001", JOB_STATE_QUEUED, {Marker(-30, "pending-1")});
  AddJob("S-A", "job.0002", JOB_STATE_QUEUED, {Marker(-30, "pending-3")});
  // job.0001's POST went through before the crash (twice, even).
  for (const char* id : {"wes-found", "wes-dup"}) {
    RunStatus r;
    r.set_run_id(id);
    r.set_state(RUN_STATE_RUNNING);
    (*r.mutable_tags())["tracker_job"] = "S-A/2021-07-01/job.0001";
    (*r.mutable_tags())["tracker_attempt"] = "1";
    tagged_.push_back(r);
  }
  // An older attempt's run of job.0002 does not count for attempt 3.
  RunStatus old;
  old.set_run_id("wes-attempt-2");
  old.set_state(RUN_STATE_EXECUTOR_ERROR);
  (*old.mutable_tags())["tracker_job"] = "S-A/2021-07-01/job.0002";
  (*old.mutable_tags())["tracker_attempt"] = "2";
  tagged_.push_back(old);
  EXPECT_CALL(wes_, CancelRun(_, _, _)).WillOnce(Invoke([](auto*, const CancelRunRequest& req, auto*) {
    EXPECT_EQ(req.run_id(), "wes-dup");
    return grpc::Status::OK;
  }));
  Cycle();
  const ModelJob& a = Get("S-A", "job.0001");
  ASSERT_EQ(a.markers.size(), 1u);
  EXPECT_TRUE(absl::EndsWith(a.markers[0], ".qa.wes-found")) << a.markers[0];
  // job.0002 was not started: POSTed again, as attempt 3.
  ASSERT_EQ(started_.size(), 1u);
  EXPECT_EQ(started_[0].tags().at("tracker_job"), "S-A/2021-07-01/job.0002");
  EXPECT_EQ(started_[0].tags().at("tracker_attempt"), "3");
  EXPECT_TRUE(absl::EndsWith(Get("S-A", "job.0002").markers[0], ".qa.wes-1"));
}

TEST_F(CycleTest, PauseStopsStartsButNotPolling) {
  AddJob("S-A", "job.0001", JOB_STATE_QUEUED, {Marker(-60, "wes-c")});
  AddJob("S-A", "job.0002", JOB_STATE_BACKLOG);
  run_states_ = {{"wes-c", RUN_STATE_COMPLETE}};
  flags_.emplace("qa", FLAG_KIND_PAUSE);
  EnvironmentCycle c = Cycle();
  EXPECT_EQ(c.outcome(), "paused");
  EXPECT_EQ(Get("S-A", "job.0001").state, JOB_STATE_COMPLETED);
  EXPECT_TRUE(started_.empty());
  auto status = scheduler_->Status();
  EXPECT_TRUE(status.environments(0).paused());
}

TEST_F(CycleTest, TheCircuitBreakerTripsOnceWhenEveryRecentStartFailed) {
  AddJob("S-A", "job.0001", JOB_STATE_FAILED, {Marker(-600, "wes-f1")});
  AddJob("S-A", "job.0002", JOB_STATE_FAILED, {Marker(-300, "wes-f2")});
  AddJob("S-A", "job.0003", JOB_STATE_COMPLETED, {Marker(-7200, "wes-old")});  // out of the windows
  AddJob("S-A", "job.0004", JOB_STATE_BACKLOG);
  EXPECT_CALL(repo_, SetFlag(_, _, _)).Times(1);
  EnvironmentCycle c = Cycle();
  EXPECT_EQ(c.outcome(), "stopped");
  EXPECT_TRUE(started_.empty());
  EXPECT_EQ(tracking::ParseExcessiveFailureContent(flag_content_).size(), 2u) << flag_content_;
  EXPECT_TRUE(absl::StrContains(flag_content_, "wes-f1") && absl::StrContains(flag_content_, "wes-f2"));
  Cycle();  // the flag is there now: stopped, no second alert
  int critical = 0;
  for (const auto& t : notifier_.texts) critical += absl::StartsWith(t, "[CRITICAL]");
  EXPECT_EQ(critical, 1);
  // A new excessive-failure flag is pushed at once.
  EXPECT_TRUE(scheduler_->Status().environments(0).stopped());
}

TEST_F(CycleTest, AClearedFlagDoesNotStopTheEnvironmentAgainForTheSameFailures) {
  AddJob("S-A", "job.0001", JOB_STATE_FAILED, {Marker(-600, "wes-f1")});
  AddJob("S-A", "job.0002", JOB_STATE_FAILED, {Marker(-300, "wes-f2")});
  AddJob("S-A", "job.0004", JOB_STATE_BACKLOG);
  EXPECT_CALL(repo_, SetFlag(_, _, _)).Times(1);
  EXPECT_EQ(Cycle().outcome(), "stopped");
  flags_.clear();  // an admin cleared it on main; the scheduler merged main
  EnvironmentCycle c = Cycle();
  EXPECT_EQ(c.outcome(), "ok") << c.message();
  EXPECT_EQ(started_.size(), 1u);
}

TEST_F(CycleTest, AfterARestartTheFlagNamesTheFailuresAlreadyAnswered) {
  AddJob("S-A", "job.0001", JOB_STATE_FAILED, {Marker(-600, "wes-f1")});
  AddJob("S-A", "job.0002", JOB_STATE_FAILED, {Marker(-300, "wes-f2")});
  AddJob("S-A", "job.0004", JOB_STATE_BACKLOG);
  flags_.emplace("qa", FLAG_KIND_EXCESSIVE_FAILURE);
  flag_content_ =
      tracking::FormatExcessiveFailureContent({Marker(-600, "wes-f1"), Marker(-300, "wes-f2")});
  EXPECT_CALL(repo_, SetFlag(_, _, _)).Times(0);
  EXPECT_EQ(Cycle().outcome(), "stopped");  // a fresh scheduler sees the flag
  flags_.clear();
  EXPECT_EQ(Cycle().outcome(), "ok");
  EXPECT_EQ(started_.size(), 1u);
}

TEST_F(CycleTest, OneSuccessAmongRecentStartsHoldsTheBreaker) {
  AddJob("S-A", "job.0001", JOB_STATE_FAILED, {Marker(-600, "wes-f1")});
  AddJob("S-A", "job.0002", JOB_STATE_COMPLETED, {Marker(-300, "wes-ok")});
  AddJob("S-A", "job.0003", JOB_STATE_BACKLOG);
  EXPECT_CALL(repo_, SetFlag(_, _, _)).Times(0);
  EXPECT_EQ(Cycle().outcome(), "ok");
  EXPECT_EQ(started_.size(), 1u);
}

TEST_F(CycleTest, FailuresSinceTheLastPushReachingTheThresholdStop) {
  config_.compute_environments["qa"].excessive_failure_threshold = 2;
  AddJob("S-A", "job.0001", JOB_STATE_FAILED, {Marker(-600, "wes-f1")});
  AddJob("S-A", "job.0002", JOB_STATE_FAILED, {Marker(-500, "wes-f2")});
  AddJob("S-A", "job.0003", JOB_STATE_QUEUED, {Marker(-400, "wes-run")});
  AddJob("S-A", "job.0004", JOB_STATE_BACKLOG);
  failed_since_push_ = {"S-A/2021-07-01/job.0001", "S-A/2021-07-01/job.0002"};
  EXPECT_CALL(repo_, SetFlag(_, _, _)).Times(1);
  EXPECT_EQ(Cycle().outcome(), "stopped");
  EXPECT_TRUE(started_.empty());
}

TEST_F(CycleTest, DryRunWritesAndStartsNothing) {
  AddJob("S-A", "job.0001", JOB_STATE_QUEUED, {Marker(-60, "wes-c")});
  AddJob("S-A", "job.0002", JOB_STATE_BACKLOG);
  run_states_ = {{"wes-c", RUN_STATE_COMPLETE}};
  EXPECT_CALL(repo_, TransitionJobs(_, _, _)).Times(0);
  EXPECT_CALL(repo_, Merge(_, _, _)).Times(0);
  EXPECT_CALL(repo_, Push(_, _, _)).Times(0);
  EXPECT_CALL(repo_, SetFlag(_, _, _)).Times(0);
  EXPECT_CALL(wes_, StartRun(_, _, _)).Times(0);
  EnvironmentCycle c = Cycle(/*dry_run=*/true);
  ASSERT_EQ(c.actions_size(), 2);
  EXPECT_EQ(c.actions(0).action(), "completed");
  EXPECT_EQ(c.actions(1).action(), "started");
  EXPECT_TRUE(absl::StartsWith(c.actions(1).detail(), "dry run"));
}

TEST_F(CycleTest, ADryRunOverEveryEnvironmentPlansEachBacklogJobOnce) {
  ComputeEnvironment prod = config_.compute_environments["qa"];
  prod.name = "prod";
  config_.compute_environments["prod"] = prod;
  for (const char* job : {"job.0001", "job.0002", "job.0003"}) AddJob("S-A", job, JOB_STATE_BACKLOG);
  EXPECT_CALL(wes_, StartRun(_, _, _)).Times(0);
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
  EXPECT_EQ(InState(JOB_STATE_BACKLOG), 3);
}

TEST_F(CycleTest, PushesOnlyWhenDue) {
  ahead_ = 2;
  last_push_ = absl::ToUnixSeconds(clock_.Now()) - 3600;  // 1 h ago; interval 12 h
  EXPECT_CALL(repo_, Push(_, _, _)).Times(0);
  Make();
  ASSERT_TRUE(scheduler_->RunCycle("qa", false).ok());
  ::testing::Mock::VerifyAndClearExpectations(&repo_);
  clock_.Advance(absl::Hours(12));
  EXPECT_CALL(repo_, Push(_, _, _)).Times(1);
  auto r = scheduler_->RunCycle("qa", false);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->pushed());
}

TEST_F(CycleTest, UnknownEnvironmentIsNotFound) {
  Make();
  auto r = scheduler_->RunCycle("nope", false);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "qa"));
}

}  // namespace
}  // namespace tracker::scheduler
