// The scheduler's part in the admins' fixes of the real history: runtime
// settings read each cycle and set on request, failed jobs whose analyses
// are PUBLISHED, and queued jobs whose runs are lost.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "common/status.h"
#include "proto/tracker/v1/run_states.h"
#include "services/scheduler/cycle_metrics.h"
#include "services/scheduler/cycle_records.h"
#include "services/scheduler/scheduler.h"
#include "tracking/layout.h"
#include "tracking/proto.h"
#include "tracking/runtime_settings.h"

namespace tracker::scheduler {

using namespace tracker::v1;  // NOLINT: generated message names

std::string Scheduler::ApplySettings() {
  std::string note = settings_.Refresh();
  absl::MutexLock lock(&status_mu_);
  for (const auto& [name, env] : config_.compute_environments) {
    const EffectiveSettings s = settings_.For(name);
    EnvState& st = env_state_[name];
    st.max_parallel_runs = s.max_parallel_runs;
    st.disabled = !s.enabled;
    st.settings = s.from_file;
    starts_.SetWorkflowVersion(name, s.workflow_version);
  }
  return note;
}

void Scheduler::CheckFailedJobs(bool dry_run, RunCycleResponse* out) {
  FailedVerifier::Result checked = failed_.Run(dry_run);
  for (const auto& a : checked.checked) *out->add_failed_checked() = a;
  if (!checked.error.empty()) {
    alerts_.Alert(AlertLevel::kWarning, "failed_check", checked.error);
  } else {
    alerts_.Resolve("failed_check");
  }
  if (!dry_run) {
    RecordFailedChecks(checked.completed, checked.not_published, checked.unverifiable);
  }
}

absl::StatusOr<SetSchedulerSettingResponse> Scheduler::SetRuntimeSetting(
    const SetSchedulerSettingRequest& req) {
  if (config_.compute_environments.count(req.environment()) == 0) {
    std::vector<std::string> known;
    for (const auto& [name, env] : config_.compute_environments) known.push_back(name);
    return absl::NotFoundError(absl::StrCat("unknown compute environment \"",
                                            req.environment().substr(0, 64), "\"; configured: ",
                                            absl::StrJoin(known, ", ")));
  }
  absl::MutexLock cycle(&cycle_mu_);  // never in the middle of a cycle
  auto set = repo_.SetRuntimeSetting(req.environment(), req.key(), req.value(), req.dry_run(),
                                     req.admin());
  if (!set.ok()) return set.status();
  SetSchedulerSettingResponse out;
  *out.mutable_result() = *set;
  if (req.dry_run()) {
    out.set_note("dry run: nothing written");
    return out;
  }
  if (req.key() == tracking::kMaxParallelRunsKey) {
    // At once: a paced start in flight checks it before each start.
    absl::MutexLock status(&status_mu_);
    env_state_[req.environment()].max_parallel_runs = std::stoi(set->value());
  }
  out.set_note(absl::StrCat(set->changed() ? "written to " : "already so in ",
                            tracking::kSettingsPath,
                            " on main; every cycle from the next one on reads it, also after a "
                            "restart"));
  LogInfo("runtime_setting")
      .Kv("env", req.environment())
      .Kv("key", req.key())
      .Kv("from", set->previous())
      .Kv("to", set->value())
      .Kv("admin", req.admin());
  return out;
}

VerifyJobsResponse Scheduler::VerifyJobs(const VerifyJobsRequest& req) {
  std::vector<JobKey> keys(req.jobs().begin(), req.jobs().end());
  const auto verdicts = verifier_.Verify(keys);
  VerifyJobsResponse out;
  for (size_t i = 0; i < keys.size(); ++i) {
    JobVerification* v = out.add_jobs();
    *v->mutable_key() = keys[i];
    if (!verdicts[i].ok()) {
      v->set_summary(std::string(verdicts[i].status().message()));
      v->set_error_code(static_cast<int>(verdicts[i].status().code()));
      continue;
    }
    v->set_verified(verdicts[i]->verified());
    v->set_summary(verdicts[i]->summary());
  }
  return out;
}

absl::StatusOr<ReleaseLostRunsResponse> Scheduler::ReleaseLostRuns(
    const ReleaseLostRunsRequest& req) {
  if (req.jobs().empty()) return absl::InvalidArgumentError("no job to release");
  absl::MutexLock cycle(&cycle_mu_);  // the cycle's view of queued/ is settled
  std::vector<LostRun> lost;
  std::map<std::string, std::vector<size_t>> by_env;  // environment -> indexes in `lost`
  for (const JobKey& key : req.jobs()) {
    std::optional<LostRun> found = lost_.Find(key);
    if (!found) {
      return absl::FailedPreconditionError(absl::StrCat(
          tracking::JobKeyText(key),
          " is not recorded as lost (jobctl status lists the lost runs; a run is recorded by "
          "the cycle that finds it lost): nothing moved"));
    }
    by_env[found->environment()].push_back(lost.size());
    lost.push_back(*found);
  }
  // Once more, now: a run that answers again may be live.
  for (const auto& [env, indexes] : by_env) {
    GetRunStatesRequest q;
    q.set_environment(env);
    for (size_t i : indexes) q.add_run_ids(lost[i].run_id());
    GetRunStatesResponse states;
    absl::Status s = upstream_.Call("WesPoller.GetRunStates", Idempotency::kIdempotent,
                                    [&](grpc::ClientContext* c) {
                                      return wes_->GetRunStates(c, q, &states);
                                    });
    if (!s.ok() || states.runs_size() != static_cast<int>(indexes.size())) {
      return absl::UnavailableError(absl::StrCat(
          "cannot read the runs on ", env, " again (", s.message(), "): nothing moved"));
    }
    for (size_t k = 0; k < indexes.size(); ++k) {
      const RunStatus& st = states.runs(static_cast<int>(k));
      const LostRun& l = lost[indexes[k]];
      if (!LostRuns::StillLost(st)) {
        lost_.Forget(l.key());
        return absl::FailedPreconditionError(absl::StrCat(
            tracking::JobKeyText(l.key()), ": run ", l.run_id(), " answers ",
            RunStateName(st.state()), " now, so it may be live: nothing moved"));
      }
    }
  }
  ReleaseLostRunsResponse out;
  for (const auto& l : lost) *out.add_released() = l;
  if (req.dry_run()) return out;
  std::vector<Transition> moves;
  std::vector<std::string> lines;
  for (const auto& l : lost) {
    // From queued/ with this run current: a job that moved meanwhile is
    // refused by repo-service, and nothing moves.
    moves.push_back(Move(l.key(), JOB_STATE_QUEUED, JOB_STATE_FAILED));
    lines.push_back(absl::StrCat(tracking::JobKeyText(l.key()), " (run ", l.run_id(), " on ",
                                 l.environment(), ": ", l.reason(), ")"));
  }
  const std::string message =
      absl::StrCat(tracking::kJobStatusCommitSubject, ": ", lost.size(), " lost run",
                   lost.size() == 1 ? "" : "s", " released to failed/",
                   req.admin().empty() ? "" : " by " + req.admin().substr(0, 64), "\n\n",
                   absl::StrJoin(lines, "\n"), "\n");
  TRACKER_RETURN_IF_ERROR(repo_.TransitionJobs(std::move(moves), message));
  for (const auto& l : lost) {
    lost_.Forget(l.key());
    LogInfo("lost_run_released").Kv("job", tracking::JobKeyText(l.key())).Kv("run", l.run_id());
  }
  RecordLostReleased(static_cast<int>(lost.size()));
  auto flags = repo_.ListFlags();  // for the tip
  if (flags.ok()) out.set_commit(flags->commit());
  return out;
}

}  // namespace tracker::scheduler
