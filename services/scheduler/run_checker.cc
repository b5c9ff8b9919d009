#include "services/scheduler/run_checker.h"

#include "absl/strings/str_cat.h"
#include "proto/tracker/v1/run_states.h"
#include "services/scheduler/cycle_metrics.h"
#include "services/scheduler/cycle_records.h"
#include "tracking/proto.h"

namespace tracker::scheduler {

using namespace tracker::v1;  // NOLINT: generated message names

RunChecker::RunChecker(WesPoller::StubInterface* wes, RpcCaller* upstream, JobVerifier* verifier,
                       Alerter* alerts, Clock* clock, absl::Duration unverified_alert_after,
                       LostRuns* lost)
    : wes_(wes),
      upstream_(upstream),
      verifier_(verifier),
      alerts_(alerts),
      clock_(clock),
      unverified_alert_after_(unverified_alert_after),
      lost_(lost) {}

RunChecker::Result RunChecker::Check(const std::string& env, const std::vector<JobSummary>& running,
                                     EnvironmentCycle* out) {
  Result result;
  if (lost_ != nullptr) lost_->Keep(env, running);
  if (running.empty()) return result;
  GetRunStatesRequest req;
  req.set_environment(env);
  for (const auto& j : running) req.add_run_ids(j.current_run().run_id());
  GetRunStatesResponse states;
  absl::Status s = upstream_->Call("WesPoller.GetRunStates", Idempotency::kIdempotent,
                                   [&](grpc::ClientContext* c) {
                                     return wes_->GetRunStates(c, req, &states);
                                   });
  if (!s.ok() || states.runs_size() != static_cast<int>(running.size())) {
    result.wes_down = true;
    out->set_outcome(CYCLE_OUTCOME_UNAVAILABLE);
    out->set_message(absl::StrCat("workflow service of ", env, " unavailable: ", s.message()));
    alerts_->Alert(AlertLevel::kWarning, "wes_down:" + env, out->message());
    return result;
  }
  alerts_->Resolve("wes_down:" + env);

  std::vector<JobKey> complete;
  for (size_t i = 0; i < running.size(); ++i) {
    if (states.runs(i).error_code() == 0 && states.runs(i).state() == RUN_STATE_COMPLETE) {
      complete.push_back(running[i].key());
    }
  }
  const auto verdicts = verifier_->Verify(complete);

  size_t k = 0;
  for (size_t i = 0; i < running.size(); ++i) {
    const JobSummary& job = running[i];
    const RunStatus& st = states.runs(i);
    if (lost_ != nullptr) {
      if (std::optional<LostRun> lost = lost_->Observe(env, job, st)) {
        AddAction(out, job.key(), CYCLE_ACTION_LOST, st.run_id(), lost->reason());
        continue;
      }
    }
    if (st.error_code() != 0) {
      const std::string key = tracking::JobKeyText(job.key());
      AddAction(out, job.key(), CYCLE_ACTION_WAITING, st.run_id(), st.error_message());
      alerts_->Alert(AlertLevel::kWarning, "run_unreadable:" + key,
                     absl::StrCat(env, ": run ", st.run_id(), " of ", key,
                                  " cannot be read: ", st.error_message()));
    } else if (st.state() == RUN_STATE_COMPLETE) {
      Complete(job, st, verdicts[k++], &result, out);
    } else if (IsFailure(st.state())) {
      result.moves.push_back(Move(job.key(), JOB_STATE_QUEUED, JOB_STATE_FAILED));
      AddAction(out, job.key(), CYCLE_ACTION_FAILED, st.run_id(),
                absl::StrCat(RunStateName(st.state()), st.error_summary().empty()
                                                        ? ""
                                                        : ": " + st.error_summary().substr(0, 300)));
      out->set_failed(out->failed() + 1);
      RecordRunFailure(env, st.state());
    }
  }
  return result;
}

void RunChecker::Complete(const JobSummary& job, const RunStatus& run,
                          const absl::StatusOr<VerifyAnalysesResponse>& verdict, Result* result,
                          EnvironmentCycle* out) {
  const std::string key = tracking::JobKeyText(job.key());
  if (!verdict.ok()) {
    RecordVerification(out->environment(), VerificationResult::kError);
    AddAction(out, job.key(), CYCLE_ACTION_WAITING, run.run_id(),
              absl::StrCat("COMPLETE, not verified: ", verdict.status().message()));
    const bool song = verdict.status().code() == absl::StatusCode::kUnavailable;
    alerts_->Alert(AlertLevel::kWarning, song ? "song_down" : "unverifiable:" + key,
                   absl::StrCat(song ? "destination SONG unavailable: " : key + ": ",
                                verdict.status().message()));
    return;
  }
  RecordVerification(out->environment(), verdict->verified() ? VerificationResult::kVerified
                                                            : VerificationResult::kNotPublished);
  if (verdict->verified()) {
    result->moves.push_back(Move(job.key(), JOB_STATE_QUEUED, JOB_STATE_COMPLETED));
    AddAction(out, job.key(), CYCLE_ACTION_COMPLETED, run.run_id(), verdict->summary());
    out->set_completed(out->completed() + 1);
    {
      absl::MutexLock lock(&mu_);
      unverified_since_.erase(key);
    }
    alerts_->Resolve("song_down");
    return;
  }
  const absl::Time now = clock_->Now();
  absl::Time since;
  {
    absl::MutexLock lock(&mu_);
    since = unverified_since_.emplace(key, now).first->second;
  }
  AddAction(out, job.key(), CYCLE_ACTION_WAITING, run.run_id(),
            absl::StrCat("COMPLETE; ", verdict->summary()));
  if (now - since >= unverified_alert_after_) {
    alerts_->Alert(AlertLevel::kWarning, "unverified:" + key,
                   absl::StrCat(key, ": run ", run.run_id(), " is COMPLETE but ",
                                verdict->summary()));
  }
}

}  // namespace tracker::scheduler
