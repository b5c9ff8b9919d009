// One environment's cycle, SPEC.md section 3 steps 1-7. Every write is a
// TransitionJobs that names the state each job must be in, so a decision
// made on a stale read is refused, never applied.
//
// Starting a job is three steps, so that a crash at any point neither loses
// the job nor starts it twice:
//   1. commit the intent: backlog -> queued with run.<t>.<env>.pending-<n>;
//   2. POST the run, tagged tracker_job=<study/batch/job>, tracker_attempt=<n>;
//   3. commit the run's marker in place of the pending one.
// A pending marker found at the start of a cycle (a crash between 1 and 3,
// or an ambiguous POST) is resolved by looking the run up by its tags: found,
// it is recorded; not found, the POST is made again for the same attempt.

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/json.h"
#include "common/log.h"
#include "common/parallel.h"
#include "common/status.h"
#include "services/scheduler/scheduler.h"
#include "tracking/flags.h"
#include "tracking/layout.h"
#include "tracking/proto.h"
#include "tracking/run_marker.h"

namespace tracker::scheduler {

using namespace tracker::v1;  // NOLINT: generated message names

namespace {

using tracking::JobKeyText;

bool IsPending(const RunMarker& m) { return tracking::IsPendingRunId(m.run_id()); }

int AttemptOf(const RunMarker& m) { return tracking::PendingAttempt(m.run_id()); }

bool IsFailure(RunState s) {
  return s == RUN_STATE_EXECUTOR_ERROR || s == RUN_STATE_SYSTEM_ERROR || s == RUN_STATE_CANCELED ||
         s == RUN_STATE_PREEMPTED;
}

bool IsTerminal(RunState s) { return s == RUN_STATE_COMPLETE || IsFailure(s); }

std::string StateName(RunState s) { return RunState_Name(s).substr(10); }

Transition Move(const JobKey& key, JobState from, JobState to) {
  Transition t;
  *t.mutable_key() = key;
  t.set_from_state(from);
  t.set_to_state(to);
  return t;
}

JobAction* Act(EnvironmentCycle* out, const JobKey& key, const std::string& action,
               const std::string& run_id = "", const std::string& detail = "") {
  auto* a = out->add_actions();
  *a->mutable_key() = key;
  a->set_action(action);
  a->set_run_id(run_id);
  a->set_detail(detail);
  return a;
}

// What to ask the destination SONG, from the job's params.json.
struct VerifyTarget {
  std::string song_url, score_url, study;
  std::vector<std::string> analyses;
};

absl::StatusOr<VerifyTarget> TargetOf(const std::string& params_json) {
  auto params = ParseJsonObject(params_json, "params.json");
  if (!params.ok()) return params.status();
  VerifyTarget t;
  t.song_url = StringField(*params, "upload_song_url");
  t.score_url = StringField(*params, "upload_score_url");
  t.study = StringField(*params, "study_id");
  auto it = params->fields().find("analysis_id");
  if (it != params->fields().end()) {
    if (it->second.has_list_value()) {
      for (const auto& v : it->second.list_value().values()) t.analyses.push_back(v.string_value());
    } else if (!it->second.string_value().empty()) {
      t.analyses.push_back(it->second.string_value());
    }
  }
  if (t.song_url.empty() || t.study.empty() || t.analyses.empty()) {
    return absl::FailedPreconditionError(
        "params.json lacks upload_song_url, study_id or analysis_id: cannot verify");
  }
  return t;
}

}  // namespace

absl::StatusOr<std::vector<JobSummary>> Scheduler::ListJobs(std::vector<JobState> states,
                                                            const std::string& environment,
                                                            int64_t min_run_epoch,
                                                            const std::string& study, int limit) {
  std::vector<JobSummary> out;
  std::string token;
  do {
    ListJobsRequest req;
    req.set_branch(tracker::tracking::kSchedulerBranch);
    for (JobState s : states) req.add_states(s);
    req.set_environment(environment);
    req.set_min_run_epoch(min_run_epoch);
    if (!study.empty()) req.add_study_ids(study);
    int want = limit > 0 ? limit - static_cast<int>(out.size()) : 10000;
    req.set_page_size(std::min(want, 10000));
    req.set_page_token(token);
    ListJobsResponse resp;
    TRACKER_RETURN_IF_ERROR(CallRpc(
        [&](grpc::ClientContext* c) { return repo_->ListJobs(c, req, &resp); }, options_.rpc, true));
    for (auto& j : *resp.mutable_jobs()) out.push_back(std::move(j));
    token = resp.next_page_token();
  } while (!token.empty() && (limit == 0 || static_cast<int>(out.size()) < limit));
  return out;
}

absl::StatusOr<Job> Scheduler::GetJob(const JobKey& key) {
  GetJobRequest req;
  req.set_branch(tracker::tracking::kSchedulerBranch);
  *req.mutable_key() = key;
  Job job;
  TRACKER_RETURN_IF_ERROR(CallRpc(
      [&](grpc::ClientContext* c) { return repo_->GetJob(c, req, &job); }, options_.rpc, true));
  return job;
}

absl::StatusOr<std::vector<std::string>> Scheduler::StudiesInOrder() {
  if (!options_.studies.empty()) return options_.studies;
  ReportResponse report;
  TRACKER_RETURN_IF_ERROR(CallRpc(
      [&](grpc::ClientContext* c) { return repo_->Report(c, ReportRequest(), &report); },
      options_.rpc, true));
  std::vector<std::string> out;
  for (const auto& s : report.studies()) {
    if (s.backlog() > 0) out.push_back(s.study_id());
  }
  std::sort(out.begin(), out.end());
  return out;
}

absl::Status Scheduler::Commit(std::vector<Transition> moves, const std::string& message) {
  TransitionJobsRequest req;
  req.mutable_options()->set_branch(tracker::tracking::kSchedulerBranch);
  req.mutable_options()->set_message(message);
  for (auto& m : moves) *req.add_transitions() = std::move(m);
  WriteResult result;
  return CallRpc([&](grpc::ClientContext* c) { return repo_->TransitionJobs(c, req, &result); },
                 options_.rpc, false);
}

void Scheduler::CheckQueued(const std::string& env, const std::vector<JobSummary>& running,
                            std::vector<Transition>* moves, EnvironmentCycle* out,
                            bool* wes_down) {
  if (running.empty()) return;
  GetRunStatesRequest req;
  req.set_environment(env);
  for (const auto& j : running) req.add_run_ids(j.current_run().run_id());
  GetRunStatesResponse states;
  absl::Status s = CallRpc(
      [&](grpc::ClientContext* c) { return wes_->GetRunStates(c, req, &states); }, options_.upstream,
      true);
  if (!s.ok() || states.runs_size() != static_cast<int>(running.size())) {
    // Infrastructure trouble never fails a job: nothing moves this cycle.
    *wes_down = true;
    out->set_outcome("unavailable");
    out->set_message(absl::StrCat("workflow service of ", env, " unavailable: ", s.message()));
    alerts_.Alert(AlertLevel::kWarning, "wes_down:" + env, out->message());
    return;
  }
  alerts_.Resolve("wes_down:" + env);

  // Verification of COMPLETE runs, concurrently.
  std::vector<size_t> complete;
  for (size_t i = 0; i < running.size(); ++i) {
    if (states.runs(i).error_code() == 0 && states.runs(i).state() == RUN_STATE_COMPLETE) {
      complete.push_back(i);
    }
  }
  std::vector<absl::StatusOr<VerifyAnalysesResponse>> verdicts(complete.size());
  ParallelFor(complete.size(), 8, [&](size_t k) {
    auto job = GetJob(running[complete[k]].key());
    if (!job.ok()) {
      verdicts[k] = job.status();
      return;
    }
    auto target = TargetOf(job->params_json());
    if (!target.ok()) {
      verdicts[k] = target.status();
      return;
    }
    VerifyAnalysesRequest vreq;
    vreq.set_song_url(target->song_url);
    vreq.set_score_url(target->score_url);
    vreq.set_study_id(target->study);
    for (const auto& a : target->analyses) vreq.add_analysis_ids(a);
    VerifyAnalysesResponse vresp;
    absl::Status vs = CallRpc(
        [&](grpc::ClientContext* c) { return verifier_->VerifyAnalyses(c, vreq, &vresp); },
        options_.upstream, true);
    verdicts[k] = vs.ok() ? absl::StatusOr<VerifyAnalysesResponse>(vresp)
                          : absl::StatusOr<VerifyAnalysesResponse>(vs);
  });

  const absl::Time now = clock_->Now();
  size_t k = 0;
  for (size_t i = 0; i < running.size(); ++i) {
    const JobSummary& job = running[i];
    const RunStatus& st = states.runs(i);
    const std::string key = JobKeyText(job.key());
    if (st.error_code() != 0) {
      Act(out, job.key(), "waiting", st.run_id(), st.error_message());
      alerts_.Alert(AlertLevel::kWarning, "run_unreadable:" + key,
                    absl::StrCat(env, ": run ", st.run_id(), " of ", key,
                                 " cannot be read: ", st.error_message()));
      continue;
    }
    if (st.state() == RUN_STATE_COMPLETE) {
      const auto& verdict = verdicts[k++];
      if (!verdict.ok()) {
        Act(out, job.key(), "waiting", st.run_id(),
            absl::StrCat("COMPLETE, not verified: ", verdict.status().message()));
        bool song = verdict.status().code() == absl::StatusCode::kUnavailable;
        alerts_.Alert(AlertLevel::kWarning, song ? "song_down" : "unverifiable:" + key,
                      absl::StrCat(song ? "destination SONG unavailable: " : key + ": ",
                                   verdict.status().message()));
        continue;
      }
      if (verdict->verified()) {
        moves->push_back(Move(job.key(), JOB_STATE_QUEUED, JOB_STATE_COMPLETED));
        Act(out, job.key(), "completed", st.run_id(), verdict->summary());
        out->set_completed(out->completed() + 1);
        unverified_since_.erase(key);
        alerts_.Resolve("song_down");
        continue;
      }
      auto [it, first] = unverified_since_.emplace(key, now);
      Act(out, job.key(), "waiting", st.run_id(), absl::StrCat("COMPLETE; ", verdict->summary()));
      if (now - it->second >= absl::Minutes(config_.unverified_alert_after_minutes)) {
        alerts_.Alert(AlertLevel::kWarning, "unverified:" + key,
                      absl::StrCat(key, ": run ", st.run_id(), " is COMPLETE but ",
                                   verdict->summary()));
      }
      continue;
    }
    if (IsFailure(st.state())) {
      moves->push_back(Move(job.key(), JOB_STATE_QUEUED, JOB_STATE_FAILED));
      Act(out, job.key(), "failed", st.run_id(),
          absl::StrCat(StateName(st.state()),
                       st.error_summary().empty() ? "" : ": " + st.error_summary().substr(0, 300)));
      out->set_failed(out->failed() + 1);
    }
  }
}

void Scheduler::Reconcile(const std::string& env, const std::vector<JobSummary>& pending,
                          bool dry_run, std::vector<Transition>* moves,
                          std::vector<JobSummary>* restart, EnvironmentCycle* out) {
  const int64_t now = absl::ToUnixSeconds(clock_->Now());
  for (const JobSummary& job : pending) {
    const std::string key = JobKeyText(job.key());
    const std::string attempt = absl::StrCat(AttemptOf(job.current_run()));
    FindRunsByTagRequest req;
    req.set_environment(env);
    req.set_tag_key(kJobTag);
    req.set_tag_value(key);
    FindRunsByTagResponse found;
    absl::Status s = CallRpc(
        [&](grpc::ClientContext* c) { return wes_->FindRunsByTag(c, req, &found); }, options_.upstream,
        true);
    if (!s.ok()) {
      // Unknown whether it started: it waits, it is not started again.
      Act(out, job.key(), "ambiguous", "", absl::StrCat("cannot look the run up: ", s.message()));
      continue;
    }
    std::vector<const RunStatus*> mine;
    for (const auto& r : found.runs()) {
      auto it = r.tags().find(kAttemptTag);
      if (it != r.tags().end() && it->second == attempt) mine.push_back(&r);
    }
    if (mine.empty()) {
      restart->push_back(job);
      continue;
    }
    const RunStatus* keep = mine[0];
    for (const RunStatus* r : mine) {
      if (!IsTerminal(r->state())) {
        keep = r;
        break;
      }
    }
    // Never two live runs for one job: cancel any other.
    for (const RunStatus* r : mine) {
      if (r == keep || IsTerminal(r->state())) continue;
      if (!dry_run) {
        CancelRunRequest creq;
        creq.set_environment(env);
        creq.set_run_id(r->run_id());
        CancelRunResponse cresp;
        (void)CallRpc([&](grpc::ClientContext* c) { return wes_->CancelRun(c, creq, &cresp); },
                      options_.upstream, true);
      }
      alerts_.Alert(AlertLevel::kWarning, "duplicate:" + r->run_id(),
                    absl::StrCat(key, " had a second run ", r->run_id(), " on ", env,
                                 "; it was cancelled, ", keep->run_id(), " is kept"));
    }
    Transition t = Move(job.key(), JOB_STATE_QUEUED, JOB_STATE_QUEUED);
    t.mutable_add_run()->set_epoch_seconds(std::max<int64_t>(now, job.current_run().epoch_seconds()));
    t.mutable_add_run()->set_environment(env);
    t.mutable_add_run()->set_run_id(keep->run_id());
    t.set_remove_run_file(job.current_run().file_name());
    moves->push_back(std::move(t));
    Act(out, job.key(), "recorded", keep->run_id(), "found by its tags after an interrupted start");
  }
}

std::string Scheduler::CheckFailures(const std::string& env,
                                     std::vector<std::string>* failed_runs) {
  const absl::Time now = clock_->Now();
  const int64_t window_start = absl::ToUnixSeconds(now - 2 * interval());
  auto recent = ListJobs({JOB_STATE_QUEUED, JOB_STATE_FAILED, JOB_STATE_COMPLETED}, env,
                         window_start);
  if (recent.ok()) {
    int started = 0, failed = 0;
    std::vector<std::string> runs;
    const std::set<std::string>& seen = acknowledged_failures_[env];
    for (const auto& j : *recent) {
      if (IsPending(j.current_run())) continue;
      // Failures an admin has already answered by clearing the flag do
      // not stop the environment a second time.
      if (seen.count(j.current_run().file_name())) continue;
      ++started;
      if (j.state() == JOB_STATE_FAILED) {
        ++failed;
        runs.push_back(j.current_run().file_name());
      }
    }
    if (started > 0 && failed == started) {
      *failed_runs = runs;
      return absl::StrCat("all ", started, " jobs started on ", env,
                          " in the last two scheduling windows failed");
    }
  }
  const int threshold = config_.compute_environments.at(env).excessive_failure_threshold;
  if (threshold <= 0) return "";
  GetSyncStatusResponse sync;
  if (!CallRpc([&](grpc::ClientContext* c) {
         return repo_->GetSyncStatus(c, GetSyncStatusRequest(), &sync);
       }, options_.rpc, true).ok()) {
    return "";
  }
  std::string pushed;
  for (const auto& b : sync.branches()) {
    if (b.name() == tracker::tracking::kSchedulerBranch) pushed = b.remote_tip();
  }
  if (pushed.empty()) return "";
  ListTransitionsRequest req;
  req.set_from_commit(pushed);
  req.set_branch(tracker::tracking::kSchedulerBranch);
  ListTransitionsResponse changes;
  if (!CallRpc([&](grpc::ClientContext* c) { return repo_->ListTransitions(c, req, &changes); },
               options_.rpc, true).ok()) {
    return "";
  }
  std::set<std::string> to_failed;
  for (const auto& ch : changes.changes()) {
    if (ch.to_folder() == "failed") to_failed.insert(JobKeyText(ch.key()));
  }
  if (static_cast<int>(to_failed.size()) < threshold) return "";
  auto failed = ListJobs({JOB_STATE_FAILED}, env, 0);
  if (!failed.ok()) return "";
  std::vector<std::string> runs;
  for (const auto& j : *failed) {
    if (to_failed.count(JobKeyText(j.key()))) runs.push_back(j.current_run().file_name());
  }
  if (static_cast<int>(runs.size()) < threshold) return "";
  *failed_runs = runs;
  return absl::StrCat(runs.size(), " jobs failed on ", env,
                      " since the last push (excessive_failure_threshold ", threshold, ")");
}

int Scheduler::StartJobs(const std::string& env, int capacity, bool dry_run,
                         const std::vector<JobSummary>& restart, EnvironmentCycle* out) {
  struct Start {
    JobKey key;
    int attempt = 0;
    int64_t epoch = 0;  // of the pending marker; the run's marker is never older
    std::string pending_file;
    Job detail;
    bool detail_ok = false;
    ResumeInfo resume;
    std::string note;
    absl::Status result;
    std::string run_id;
  };
  std::vector<Start> starts;
  for (const auto& j : restart) {
    Start s;
    s.key = j.key();
    s.attempt = AttemptOf(j.current_run());
    s.epoch = j.current_run().epoch_seconds();
    s.pending_file = j.current_run().file_name();
    starts.push_back(std::move(s));
  }
  const int64_t now = absl::ToUnixSeconds(clock_->Now());
  std::vector<Transition> intents;
  if (capacity > 0) {
    auto studies = StudiesInOrder();
    if (!studies.ok()) {
      out->set_message(absl::StrCat("cannot list studies: ", studies.status().message()));
    } else {
      for (const std::string& study : *studies) {
        if (static_cast<int>(intents.size()) >= capacity) break;
        if (options_.exclude.count(study)) continue;
        // A dry run writes nothing, so jobs an earlier environment of the
        // same dry run would start are still in backlog: skip them.
        const int claimed = dry_run ? static_cast<int>(dry_run_claimed_.size()) : 0;
        auto backlog = ListJobs({JOB_STATE_BACKLOG}, "", 0, study,
                                capacity - static_cast<int>(intents.size()) + claimed);
        if (!backlog.ok()) {
          if (backlog.status().code() != absl::StatusCode::kNotFound) {
            out->set_message(absl::StrCat("cannot list backlog of ", study, ": ",
                                          backlog.status().message()));
          }
          continue;
        }
        for (const auto& j : *backlog) {
          if (static_cast<int>(intents.size()) >= capacity) break;
          if (dry_run && !dry_run_claimed_.insert(JobKeyText(j.key())).second) continue;
          Start s;
          s.key = j.key();
          s.attempt = j.run_count() + 1;
          // The current marker is the newest by epoch: a new one must be
          // later than any earlier run's, even within the same second.
          s.epoch = std::max(now, j.current_run().epoch_seconds() + 1);
          auto pending_file = tracking::FormatPendingMarker(s.epoch, env, s.attempt);
          if (!pending_file.ok()) {
            out->set_message(std::string(pending_file.status().message()));
            break;
          }
          s.pending_file = *std::move(pending_file);
          Transition t = Move(j.key(), JOB_STATE_BACKLOG, JOB_STATE_QUEUED);
          t.mutable_add_run()->set_epoch_seconds(s.epoch);
          t.mutable_add_run()->set_environment(env);
          t.mutable_add_run()->set_run_id(tracking::PendingRunId(s.attempt));
          intents.push_back(std::move(t));
          starts.push_back(std::move(s));
        }
      }
    }
  }
  if (starts.empty()) return 0;
  const size_t restarts = restart.size();

  // Resume data: the latest earlier run of this job on this environment.
  ParallelFor(starts.size(), options_.start_concurrency, [&](size_t i) {
    Start& s = starts[i];
    auto job = GetJob(s.key);
    if (!job.ok()) {
      s.result = job.status();
      return;
    }
    s.detail = *std::move(job);
    s.detail_ok = true;
    for (int r = s.detail.runs_size() - 1; r >= 0; --r) {
      const RunMarker& m = s.detail.runs(r);
      if (m.environment() != env || IsPending(m)) continue;
      GetResumeInfoRequest req;
      req.set_environment(env);
      req.set_run_id(m.run_id());
      GetResumeInfoResponse info;
      absl::Status st = CallRpc(
          [&](grpc::ClientContext* c) { return wes_->GetResumeInfo(c, req, &info); }, options_.upstream,
          true);
      if (st.ok()) {
        s.resume = info.resume();
      } else {
        s.note = absl::StrCat("run ", m.run_id(), " cannot be resumed (", st.message(),
                              "); started afresh");
      }
      break;
    }
  });

  if (dry_run) {
    out->set_started(static_cast<int>(starts.size()));
    for (const Start& s : starts) {
      Act(out, s.key, s.resume.session_id().empty() ? "started" : "resumed", "",
          absl::StrCat("dry run: would start attempt ", s.attempt,
                       s.resume.session_id().empty() ? "" : " resuming session " + s.resume.session_id()));
    }
    return static_cast<int>(starts.size() - restarts);
  }
  if (!intents.empty()) {
    absl::Status committed = Commit(
        intents, absl::StrCat("[scheduler] update job status: ", intents.size(), " starting on ", env));
    if (!committed.ok()) {
      // Nothing recorded, nothing started; only the earlier intents go on.
      out->set_message(absl::StrCat("start intents not recorded: ", committed.message()));
      starts.resize(restarts);
      if (starts.empty()) return 0;
    }
  }

  ParallelFor(starts.size(), options_.start_concurrency, [&](size_t i) {
    Start& s = starts[i];
    if (!s.detail_ok) return;
    StartRunRequest req;
    req.set_environment(env);
    req.set_workflow_url(config_.workflow.url);
    req.set_workflow_version(config_.workflow.version);
    req.set_params_json(s.detail.params_json());
    (*req.mutable_tags())[kJobTag] = JobKeyText(s.key);
    (*req.mutable_tags())[kAttemptTag] = absl::StrCat(s.attempt);
    if (!s.resume.session_id().empty()) *req.mutable_resume() = s.resume;
    StartRunResponse resp;
    s.result = CallRpc([&](grpc::ClientContext* c) { return wes_->StartRun(c, req, &resp); },
                       options_.upstream, false);
    s.run_id = resp.run_id();
  });

  std::vector<Transition> records;
  int started = 0, rolled_back = 0, delta = 0;
  for (size_t i = 0; i < starts.size(); ++i) {
    Start& s = starts[i];
    const bool is_restart = i < restarts;
    const std::string key = JobKeyText(s.key);
    if (s.result.ok() && s.detail_ok) {
      Transition t = Move(s.key, JOB_STATE_QUEUED, JOB_STATE_QUEUED);
      t.mutable_add_run()->set_epoch_seconds(std::max(now, s.epoch));
      t.mutable_add_run()->set_environment(env);
      t.mutable_add_run()->set_run_id(s.run_id);
      t.set_remove_run_file(s.pending_file);
      records.push_back(std::move(t));
      Act(out, s.key, s.resume.session_id().empty() ? "started" : "resumed", s.run_id, s.note);
      ++started;
      delta += is_restart ? 0 : 1;
    } else if (s.result.code() == absl::StatusCode::kDeadlineExceeded) {
      Act(out, s.key, "ambiguous", "", std::string(s.result.message()));
      delta += is_restart ? 0 : 1;
    } else {
      // Surely not started: back to the backlog, the record removed.
      Transition t = Move(s.key, JOB_STATE_QUEUED, JOB_STATE_BACKLOG);
      t.set_remove_run_file(s.pending_file);
      records.push_back(std::move(t));
      Act(out, s.key, "rolled_back", "", std::string(s.result.message()));
      ++rolled_back;
      delta += is_restart ? -1 : 0;
      if (s.result.code() != absl::StatusCode::kUnavailable) {
        alerts_.Alert(AlertLevel::kWarning, "start_refused:" + key,
                      absl::StrCat(env, " refused to start ", key, ": ", s.result.message()));
      }
    }
  }
  out->set_started(started);
  if (records.empty()) return delta;
  std::string message = absl::StrCat("[scheduler] update job status: ", started, " started");
  if (rolled_back > 0) absl::StrAppend(&message, ", ", rolled_back, " not started");
  absl::Status committed = Commit(records, message);
  if (!committed.ok()) {
    // The runs exist but are not recorded: the pending markers stay, and
    // the next cycle finds the runs by their tags.
    out->set_message(absl::StrCat("started runs not recorded yet (", committed.message(),
                                  "); the next cycle finds them by tag"));
  }
  return delta;
}

void Scheduler::RunEnvironment(const std::string& env, bool dry_run, EnvironmentCycle* out) {
  const ComputeEnvironment& ec = config_.compute_environments.at(env);
  out->set_outcome("ok");
  ListFlagsRequest freq;
  freq.set_branch(tracker::tracking::kSchedulerBranch);
  ListFlagsResponse flags;
  absl::Status s = CallRpc(
      [&](grpc::ClientContext* c) { return repo_->ListFlags(c, freq, &flags); }, options_.rpc, true);
  if (!s.ok()) {
    out->set_outcome("error");
    out->set_message(absl::StrCat("cannot read the repository: ", s.message()));
    return;
  }
  bool paused = false;
  std::string stop_reason;
  for (const auto& f : flags.flags()) {
    if (f.environment() != env) continue;
    if (f.kind() == FLAG_KIND_PAUSE) paused = true;
    if (f.kind() == FLAG_KIND_EXCESSIVE_FAILURE) {
      stop_reason = absl::StrCat(f.path(), " is present (clear it on main to resume)");
      for (std::string& run : tracking::ParseExcessiveFailureContent(f.content())) {
        acknowledged_failures_[env].insert(std::move(run));
      }
    }
  }

  auto queued = ListJobs({JOB_STATE_QUEUED}, env, 0);
  if (!queued.ok()) {
    out->set_outcome("error");
    out->set_message(absl::StrCat("cannot list queued jobs: ", queued.status().message()));
    return;
  }
  std::vector<JobSummary> running, pending;
  for (const auto& j : *queued) (IsPending(j.current_run()) ? pending : running).push_back(j);

  std::vector<Transition> moves;
  bool wes_down = false;
  CheckQueued(env, running, &moves, out, &wes_down);
  std::vector<JobSummary> restart;
  if (!wes_down) Reconcile(env, pending, dry_run, &moves, &restart, out);
  int leaving = 0;
  for (const auto& m : moves) leaving += m.to_state() != JOB_STATE_QUEUED;
  if (!moves.empty() && !dry_run) {
    int recorded = static_cast<int>(moves.size()) - leaving;
    std::string message = absl::StrCat("[scheduler] update job status: ", out->completed(),
                                       " completed, ", out->failed(), " failed");
    if (recorded > 0) absl::StrAppend(&message, ", ", recorded, " runs recorded");
    absl::Status committed = Commit(moves, message);
    if (!committed.ok()) {
      out->set_outcome("error");
      out->set_message(absl::StrCat("job status not written: ", committed.message()));
      return;
    }
  }
  int active = static_cast<int>(queued->size()) - leaving;

  if (stop_reason.empty() && !wes_down) {
    std::vector<std::string> failed_runs;
    std::string reason = CheckFailures(env, &failed_runs);
    if (!reason.empty()) {
      stop_reason = reason;
      if (!dry_run) {
        SetFlagRequest req;
        req.mutable_options()->set_branch(tracker::tracking::kSchedulerBranch);
        req.mutable_options()->set_message(
            absl::StrCat("[scheduler] stop ", env, ": excessive failures"));
        req.mutable_flag()->set_kind(FLAG_KIND_EXCESSIVE_FAILURE);
        req.mutable_flag()->set_environment(env);
        req.mutable_flag()->set_content(tracking::FormatExcessiveFailureContent(failed_runs));
        WriteResult written;
        absl::Status set = CallRpc(
            [&](grpc::ClientContext* c) { return repo_->SetFlag(c, req, &written); }, options_.rpc,
            false);
        if (set.ok()) {
          push_now_ = true;
          acknowledged_failures_[env].insert(failed_runs.begin(), failed_runs.end());
        }
        alerts_.Alert(AlertLevel::kCritical, "excessive:" + env,
                      absl::StrCat(env, " stopped: ", reason,
                                   ". No new jobs start there until ",
                                   tracking::FlagPath(tracking::FlagKind::kExcessiveFailure, env),
                                   " is removed on main (jobctl clear-failure-flag ", env, ")."));
      }
    }
  }
  if (!dry_run) {
    std::lock_guard<std::mutex> lock(status_mu_);
    EnvState& st = env_state_[env];
    st.paused = paused;
    st.stopped = !stop_reason.empty();
    st.stopped_reason = stop_reason;
  }
  if (stop_reason.empty()) alerts_.Resolve("excessive:" + env);

  if (wes_down) {
    out->set_queued(active);
    return;
  }
  if (paused || !stop_reason.empty()) {
    // Starts interrupted earlier are not made now: back to the backlog.
    if (!restart.empty() && !dry_run) {
      std::vector<Transition> back;
      for (const auto& j : restart) {
        Transition t = Move(j.key(), JOB_STATE_QUEUED, JOB_STATE_BACKLOG);
        t.set_remove_run_file(j.current_run().file_name());
        back.push_back(std::move(t));
        Act(out, j.key(), "rolled_back", "", "environment paused or stopped");
      }
      if (Commit(back, absl::StrCat("[scheduler] update job status: ", back.size(),
                                    " not started (", env, " paused or stopped)")).ok()) {
        active -= static_cast<int>(restart.size());
      }
    }
    out->set_outcome(paused ? "paused" : "stopped");
    out->set_message(paused ? absl::StrCat(tracking::FlagPath(tracking::FlagKind::kPause, env),
                                         " is present")
                          : stop_reason);
    out->set_queued(active);
    return;
  }
  int capacity = ec.max_parallel_runs - active;
  active += StartJobs(env, capacity, dry_run, restart, out);
  out->set_queued(active);
}

}  // namespace tracker::scheduler
