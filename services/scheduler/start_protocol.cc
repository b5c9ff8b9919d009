#include "services/scheduler/start_protocol.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/parallel.h"
#include "proto/tracker/v1/run_states.h"
#include "services/scheduler/cycle_records.h"
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

  CycleAction action() const {
    return resume.session_id().empty() ? CYCLE_ACTION_STARTED : CYCLE_ACTION_RESUMED;
  }
};

StartProtocol::StartProtocol(RepoClient* repo, WesPoller::StubInterface* wes, RpcCaller* upstream,
                             Alerter* alerts, Clock* clock, WorkflowConfig workflow,
                             int concurrency)
    : repo_(repo),
      wes_(wes),
      upstream_(upstream),
      alerts_(alerts),
      clock_(clock),
      workflow_(std::move(workflow)),
      concurrency_(concurrency) {}

StartProtocol::Reconciled StartProtocol::Reconcile(const std::string& env,
                                                   const std::vector<JobSummary>& pending,
                                                   bool dry_run, EnvironmentCycle* out) {
  Reconciled result;
  const int64_t now = absl::ToUnixSeconds(clock_->Now());
  for (const JobSummary& job : pending) {
    const std::string key = tracking::JobKeyText(job.key());
    const std::string attempt = absl::StrCat(AttemptOf(job.current_run()));
    FindRunsByTagRequest req;
    req.set_environment(env);
    req.set_tag_key(kJobTag);
    req.set_tag_value(key);
    FindRunsByTagResponse found;
    absl::Status s = upstream_->Call("WesPoller.FindRunsByTag", Idempotency::kIdempotent,
                                     [&](grpc::ClientContext* c) {
                                       return wes_->FindRunsByTag(c, req, &found);
                                     });
    if (!s.ok()) {
      // Unknown whether it started: it waits, it is not started again.
      AddAction(out, job.key(), CYCLE_ACTION_AMBIGUOUS, "",
                absl::StrCat("cannot look the run up: ", s.message()));
      continue;
    }
    std::vector<const RunStatus*> mine;
    for (const auto& r : found.runs()) {
      auto it = r.tags().find(kAttemptTag);
      if (it != r.tags().end() && it->second == attempt) mine.push_back(&r);
    }
    if (mine.empty()) {
      result.restart.push_back(job);
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
        (void)upstream_->Call("WesPoller.CancelRun", Idempotency::kIdempotent,
                              [&](grpc::ClientContext* c) {
                                return wes_->CancelRun(c, creq, &cresp);
                              });
      }
      alerts_->Alert(AlertLevel::kWarning, "duplicate:" + r->run_id(),
                     absl::StrCat(key, " had a second run ", r->run_id(), " on ", env,
                                  "; it was cancelled, ", keep->run_id(), " is kept"));
    }
    result.records.push_back(RecordRun(job.key(),
                                       std::max<int64_t>(now, job.current_run().epoch_seconds()),
                                       env, keep->run_id(), job.current_run().file_name()));
    AddAction(out, job.key(), CYCLE_ACTION_RECORDED, keep->run_id(),
              "found by its tags after an interrupted start");
  }
  return result;
}

void StartProtocol::Plan(const std::string& env, int64_t now, const std::vector<JobSummary>& fresh,
                         const std::vector<JobSummary>& restart, std::vector<Attempt>* attempts,
                         std::vector<Transition>* intents, EnvironmentCycle* out) {
  for (const auto& j : restart) {
    Attempt a;
    a.key = j.key();
    a.number = AttemptOf(j.current_run());
    a.epoch = j.current_run().epoch_seconds();
    a.pending_file = j.current_run().file_name();
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
      if (st.ok()) {
        a.resume = info.resume();
      } else {
        a.note = absl::StrCat("run ", m.run_id(), " cannot be resumed (", st.message(),
                              "); started afresh");
      }
      break;
    }
  });
}

void StartProtocol::Post(const std::string& env, std::vector<Attempt>* attempts) {
  ParallelFor(attempts->size(), concurrency_, [&](size_t i) {
    Attempt& a = (*attempts)[i];
    if (!a.detail_ok) return;
    StartRunRequest req;
    req.set_environment(env);
    req.set_workflow_url(workflow_.url);
    req.set_workflow_version(workflow_.version);
    req.set_params_json(a.detail.params_json());
    (*req.mutable_tags())[kJobTag] = tracking::JobKeyText(a.key);
    (*req.mutable_tags())[kAttemptTag] = absl::StrCat(a.number);
    if (!a.resume.session_id().empty()) *req.mutable_resume() = a.resume;
    StartRunResponse resp;
    // Sent once: DEADLINE_EXCEEDED means the run may exist, and only its
    // tags can tell.
    a.result = upstream_->Call("WesPoller.StartRun", Idempotency::kNonIdempotent,
                               [&](grpc::ClientContext* c) {
                                 return wes_->StartRun(c, req, &resp);
                               });
    a.run_id = resp.run_id();
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
      // Nothing recorded, nothing started; only the earlier intents go on.
      out->set_message(absl::StrCat("start intents not recorded: ", committed.message()));
      attempts.resize(restarts);
      if (attempts.empty()) return 0;
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
      ++started;
      delta += is_restart ? 0 : 1;
    } else if (a.result.code() == absl::StatusCode::kDeadlineExceeded) {
      // The pending marker stays: the next cycle looks the run up by tag.
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
    // the next cycle finds them by their tags.
    out->set_message(absl::StrCat("started runs not recorded yet (", committed.message(),
                                  "); the next cycle finds them by tag"));
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
