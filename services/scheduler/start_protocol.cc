#include "services/scheduler/start_protocol.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/parallel.h"
#include "proto/tracker/v1/run_states.h"
#include "services/scheduler/cycle_records.h"
#include "tracking/ids.h"
#include "tracking/layout.h"
#include "tracking/proto.h"
#include "tracking/run_marker.h"

namespace tracker::scheduler {

using namespace tracker::v1;  // NOLINT: generated message names

// One start in flight. Each worker of a fan-out writes only its own.
struct StartProtocol::Attempt {
  JobKey key;
  int number = 0;
  int64_t epoch = 0;  // of the pending marker; the run's marker is never older
  std::string pending_file;
  Job detail;
  bool detail_ok = false;
  ResumeInfo resume;
  std::string note;
  absl::Status result;
  std::string run_id;
  ResumeInfo started_with;  // what wes-poller started the run with

  CycleAction action() const {
    return resume.session_id().empty() ? CYCLE_ACTION_STARTED : CYCLE_ACTION_RESUMED;
  }
};

StartProtocol::StartProtocol(RepoClient* repo, WesPoller::StubInterface* wes, RpcCaller* upstream,
                             Alerter* alerts, Clock* clock, WorkflowConfig workflow,
                             int concurrency, absl::Duration reconcile_grace)
    : repo_(repo),
      wes_(wes),
      upstream_(upstream),
      alerts_(alerts),
      clock_(clock),
      workflow_(std::move(workflow)),
      concurrency_(concurrency),
      reconcile_grace_(reconcile_grace) {}

void StartProtocol::Plan(const std::string& env, int64_t now, const std::vector<JobSummary>& fresh,
                         const std::vector<JobSummary>& restart, std::vector<Attempt>* attempts,
                         std::vector<Transition>* intents, EnvironmentCycle* out) {
  for (const auto& j : restart) {
    Attempt a;
    a.key = j.key();
    a.number = AttemptOf(j.current_run());
    a.epoch = j.current_run().epoch_seconds();
    a.pending_file = j.current_run().file_name();
    // The intent is renewed: if this POST's outcome is unknown too, the
    // next reconciliation's grace counts from now, not from the first try.
    const int64_t renewed = std::max(now, a.epoch);
    auto renewed_file = tracking::FormatPendingMarker(renewed, env, a.number);
    if (renewed_file.ok() && *renewed_file != a.pending_file) {
      intents->push_back(
          RecordRun(j.key(), renewed, env, tracking::PendingRunId(a.number), a.pending_file));
      a.epoch = renewed;
      a.pending_file = *std::move(renewed_file);
    }
    attempts->push_back(std::move(a));
  }
  for (const auto& j : fresh) {
    Attempt a;
    a.key = j.key();
    a.number = j.run_count() + 1;
    // The current marker is the newest by epoch: a new one must be later
    // than any earlier run's, even within the same second.
    a.epoch = std::max(now, j.current_run().epoch_seconds() + 1);
    auto pending_file = tracking::FormatPendingMarker(a.epoch, env, a.number);
    if (!pending_file.ok()) {
      out->set_message(std::string(pending_file.status().message()));
      return;
    }
    a.pending_file = *std::move(pending_file);
    Transition t = Move(j.key(), JOB_STATE_BACKLOG, JOB_STATE_QUEUED);
    t.mutable_add_run()->set_epoch_seconds(a.epoch);
    t.mutable_add_run()->set_environment(env);
    t.mutable_add_run()->set_run_id(tracking::PendingRunId(a.number));
    intents->push_back(std::move(t));
    attempts->push_back(std::move(a));
  }
}

void StartProtocol::ReadJobs(const std::string& env, std::vector<Attempt>* attempts) {
  ParallelFor(attempts->size(), concurrency_, [&](size_t i) {
    Attempt& a = (*attempts)[i];
    auto job = repo_->GetJob(a.key);
    if (!job.ok()) {
      a.result = job.status();
      return;
    }
    a.detail = *std::move(job);
    a.detail_ok = true;
    // The latest earlier run of this job on this environment.
    for (int r = a.detail.runs_size() - 1; r >= 0; --r) {
      const RunMarker& m = a.detail.runs(r);
      if (m.environment() != env || IsPending(m)) continue;
      GetResumeInfoRequest req;
      req.set_environment(env);
      req.set_run_id(m.run_id());
      GetResumeInfoResponse info;
      absl::Status st = upstream_->Call("WesPoller.GetResumeInfo", Idempotency::kIdempotent,
                                        [&](grpc::ClientContext* c) {
                                          return wes_->GetResumeInfo(c, req, &info);
                                        });
      std::string why;  // why it is started afresh
      if (st.ok()) {
        absl::Status uuid = tracking::ValidateSessionId(info.resume().session_id());
        if (uuid.ok()) {
          a.resume = info.resume();
        } else {
          // ARGO's WES reads `resume` as a UUID (WorkflowEngineParams):
          // anything else would be refused.
          why = absl::StrCat("its session is not a Nextflow session UUID (", uuid.message(), ")");
        }
      } else if (st.code() == absl::StatusCode::kNotFound) {
        why = absl::StrCat(env, " no longer knows it (", st.message(), ")");
      } else if (st.code() == absl::StatusCode::kFailedPrecondition) {
        why = absl::StrCat("it has no Nextflow session (", st.message(), ")");
      } else {
        // Not a fact about the run: starting afresh would throw its work
        // away. The job goes back and is tried next cycle.
        a.detail_ok = false;
        a.result = absl::UnavailableError(absl::StrCat(
            "cannot read run ", m.run_id(), " to resume it (", st.message(),
            "); tried again next cycle"));
      }
      if (!why.empty()) {
        a.note = absl::StrCat("run ", m.run_id(), " cannot be resumed: ", why,
                              "; started afresh in new directories");
        const std::string key = tracking::JobKeyText(a.key);
        LogWarning("resume_not_possible")
            .Kv("env", env)
            .Kv("job", key)
            .Kv("run", m.run_id())
            .Kv("why", why);
        alerts_->Alert(AlertLevel::kInfo, "fresh:" + key, absl::StrCat(key, ": ", a.note));
      }
      break;
    }
  });
}

void StartProtocol::SetWorkflowVersion(const std::string& env, const std::string& version) {
  absl::MutexLock lock(&versions_mu_);
  versions_[env] = version;
}

void StartProtocol::Post(const std::string& env, std::vector<Attempt>* attempts) {
  std::string version = workflow_.version;
  {
    absl::MutexLock lock(&versions_mu_);
    auto it = versions_.find(env);
    if (it != versions_.end() && !it->second.empty()) version = it->second;
  }
  ParallelFor(attempts->size(), concurrency_, [&](size_t i) {
    Attempt& a = (*attempts)[i];
    if (!a.detail_ok) return;
    StartRunRequest req;
    req.set_environment(env);
    req.set_workflow_url(workflow_.url);
    req.set_workflow_version(version);
    req.set_params_json(a.detail.params_json());
    req.set_offline(workflow_.offline);
    if (!a.resume.session_id().empty()) *req.mutable_resume() = a.resume;
    StartRunResponse resp;
    // Sent once: DEADLINE_EXCEEDED means the run may exist, and only a
    // search of the job's runs can tell.
    a.result = upstream_->Call("WesPoller.StartRun", Idempotency::kNonIdempotent,
                               [&](grpc::ClientContext* c) {
                                 return wes_->StartRun(c, req, &resp);
                               });
    a.run_id = resp.run_id();
    a.started_with = resp.started_with();
  });
}

int StartProtocol::Start(const std::string& env, const std::vector<JobSummary>& fresh,
                         const std::vector<JobSummary>& restart, bool dry_run,
                         EnvironmentCycle* out) {
  // One time for the whole start: a run's marker is never older than its
  // pending one.
  const int64_t now = absl::ToUnixSeconds(clock_->Now());
  std::vector<Attempt> attempts;
  std::vector<Transition> intents;
  Plan(env, now, fresh, restart, &attempts, &intents, out);
  if (attempts.empty()) return 0;
  const size_t restarts = restart.size();
  ReadJobs(env, &attempts);

  if (dry_run) {
    out->set_started(static_cast<int>(attempts.size()));
    for (const Attempt& a : attempts) {
      AddAction(out, a.key, a.action(), "",
                absl::StrCat("dry run: would start attempt ", a.number,
                             a.resume.session_id().empty()
                                 ? ""
                                 : " resuming session " + a.resume.session_id()));
    }
    return static_cast<int>(attempts.size() - restarts);
  }
  if (!intents.empty()) {
    const size_t n = intents.size();
    absl::Status committed = repo_->TransitionJobs(
        std::move(intents), absl::StrCat(tracking::kJobStatusCommitSubject, ": ", n, " starting on ", env));
    if (!committed.ok()) {
      // Nothing recorded, nothing started. The restarts wait too: their
      // intents were not renewed, the next cycle looks them up again.
      out->set_message(absl::StrCat("start intents not recorded: ", committed.message()));
      return 0;
    }
  }
  Post(env, &attempts);
  return Record(env, now, attempts, restarts, out);
}

int StartProtocol::Record(const std::string& env, int64_t now, const std::vector<Attempt>& attempts,
                          size_t restarts, EnvironmentCycle* out) {
  std::vector<Transition> records;
  int started = 0, rolled_back = 0, delta = 0;
  for (size_t i = 0; i < attempts.size(); ++i) {
    const Attempt& a = attempts[i];
    const bool is_restart = i < restarts;
    if (a.result.ok() && a.detail_ok) {
      records.push_back(RecordRun(a.key, std::max(now, a.epoch), env, a.run_id, a.pending_file));
      AddAction(out, a.key, a.action(), a.run_id, a.note);
      LogInfo("run_started")
          .Kv("env", env)
          .Kv("job", tracking::JobKeyText(a.key))
          .Kv("run", a.run_id)
          .Kv("attempt", a.number)
          .Kv("resumed_session", a.started_with.session_id())
          .Kv("project_dir", a.started_with.project_dir())
          .Kv("launch_dir", a.started_with.launch_dir())
          .Kv("work_dir", a.started_with.work_dir());
      ++started;
      delta += is_restart ? 0 : 1;
    } else if (a.detail_ok && a.result.code() == absl::StatusCode::kDeadlineExceeded) {
      // The POST's outcome is unknown: the pending marker stays, the next
      // cycle looks the job's runs up.
      AddAction(out, a.key, CYCLE_ACTION_AMBIGUOUS, "", std::string(a.result.message()));
      delta += is_restart ? 0 : 1;
    } else {
      // Surely not started: back to the backlog, the record removed.
      Transition t = Move(a.key, JOB_STATE_QUEUED, JOB_STATE_BACKLOG);
      t.set_remove_run_file(a.pending_file);
      records.push_back(std::move(t));
      AddAction(out, a.key, CYCLE_ACTION_ROLLED_BACK, "", std::string(a.result.message()));
      ++rolled_back;
      delta += is_restart ? -1 : 0;
      if (a.result.code() != absl::StatusCode::kUnavailable) {
        const std::string key = tracking::JobKeyText(a.key);
        alerts_->Alert(AlertLevel::kWarning, "start_refused:" + key,
                       absl::StrCat(env, " refused to start ", key, ": ", a.result.message()));
      }
    }
  }
  out->set_started(started);
  if (records.empty()) return delta;
  std::string message = absl::StrCat(tracking::kJobStatusCommitSubject, ": ", started, " started");
  if (rolled_back > 0) absl::StrAppend(&message, ", ", rolled_back, " not started");
  absl::Status committed = repo_->TransitionJobs(std::move(records), message);
  if (!committed.ok()) {
    // The runs exist but are not recorded: the pending markers stay, and
    // the next cycle finds them by the jobs' params.
    out->set_message(absl::StrCat("started runs not recorded yet (", committed.message(),
                                  "); the next cycle finds them by their jobs' params"));
  }
  return delta;
}

int StartProtocol::RollBack(const std::string& env, const std::vector<JobSummary>& restart,
                            EnvironmentCycle* out) {
  if (restart.empty()) return 0;
  std::vector<Transition> back;
  for (const auto& j : restart) {
    Transition t = Move(j.key(), JOB_STATE_QUEUED, JOB_STATE_BACKLOG);
    t.set_remove_run_file(j.current_run().file_name());
    back.push_back(std::move(t));
    AddAction(out, j.key(), CYCLE_ACTION_ROLLED_BACK, "", "environment paused or stopped");
  }
  const size_t n = back.size();
  absl::Status committed = repo_->TransitionJobs(
      std::move(back), absl::StrCat(tracking::kJobStatusCommitSubject, ": ", n, " not started (", env,
                                    " paused or stopped)"));
  return committed.ok() ? static_cast<int>(n) : 0;
}

}  // namespace tracker::scheduler
