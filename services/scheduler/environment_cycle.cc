// One environment's cycle, SPEC.md section 3 steps 1-7, composed of the
// parts: flags, the queued runs (RunChecker), pending starts (the start
// protocol's Reconcile), one commit of what moved, the circuit breaker,
// then new starts up to max_parallel_runs, paced when the environment says
// so.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/scheduler/cycle_records.h"
#include "services/scheduler/scheduler.h"
#include "tracking/flags.h"
#include "tracking/layout.h"
#include "tracking/runtime_settings.h"

namespace tracker::scheduler {

using namespace tracker::v1;  // NOLINT: generated message names

void Scheduler::RunEnvironment(const std::string& env, bool dry_run,
                               std::set<std::string>* claimed, EnvironmentCycle* out) {
  out->set_outcome(CYCLE_OUTCOME_OK);
  if (!dry_run) ++env_cycles_[env];
  const ComputeEnvironment& config = config_.compute_environments.at(env);
  const EffectiveSettings settings = settings_.For(env);
  if (!settings.enabled) {
    // As when the original's config had the environment commented out:
    // nothing is read, started or moved on it.
    out->set_outcome(CYCLE_OUTCOME_PAUSED);
    out->set_message(absl::StrCat("disabled: ", tracking::kSettingsPath,
                                  " has enabled: false for it (jobctl set ", env, " enabled true)"));
    return;
  }
  auto flags = repo_.ListFlags();
  if (!flags.ok()) {
    out->set_outcome(CYCLE_OUTCOME_ERROR);
    out->set_message(absl::StrCat("cannot read the repository: ", flags.status().message()));
    return;
  }
  bool paused = false;
  std::string stop_reason;
  for (const auto& f : flags->flags()) {
    if (f.environment() != env) continue;
    if (f.kind() == FLAG_KIND_PAUSE) paused = true;
    if (f.kind() == FLAG_KIND_EXCESSIVE_FAILURE) {
      stop_reason = absl::StrCat(f.path(), " is present (clear it on main to resume)");
      breaker_.Acknowledge(env, f.content());
    }
  }

  JobQuery query;
  query.states = {JOB_STATE_QUEUED};
  query.environment = env;
  auto queued = repo_.ListJobs(query);
  if (!queued.ok()) {
    out->set_outcome(CYCLE_OUTCOME_ERROR);
    out->set_message(absl::StrCat("cannot list queued jobs: ", queued.status().message()));
    return;
  }
  std::vector<JobSummary> running, pending;
  for (const auto& j : *queued) (IsPending(j.current_run()) ? pending : running).push_back(j);

  RunChecker::Result checked = checker_.Check(env, running, out);
  const bool wes_down = checked.wes_down;
  std::vector<Transition> moves = std::move(checked.moves);
  std::vector<JobSummary> restart;
  if (!wes_down) {
    StartProtocol::Reconciled reconciled = starts_.Reconcile(env, pending, dry_run, out);
    for (auto& t : reconciled.records) moves.push_back(std::move(t));
    restart = std::move(reconciled.restart);
  }
  int leaving = 0;
  for (const auto& m : moves) leaving += m.to_state() != JOB_STATE_QUEUED;
  if (!moves.empty() && !dry_run) {
    const int recorded = static_cast<int>(moves.size()) - leaving;
    std::string message = absl::StrCat(tracking::kJobStatusCommitSubject, ": ", out->completed(),
                                       " completed, ", out->failed(), " failed");
    if (recorded > 0) absl::StrAppend(&message, ", ", recorded, " runs recorded");
    absl::Status committed = repo_.TransitionJobs(std::move(moves), message);
    if (!committed.ok()) {
      out->set_outcome(CYCLE_OUTCOME_ERROR);
      out->set_message(absl::StrCat("job status not written: ", committed.message()));
      return;
    }
  }
  int active = static_cast<int>(queued->size()) - leaving;

  if (stop_reason.empty() && !wes_down) {
    StopRules rules;
    rules.two_windows = config.two_window_rule;
    rules.excessive_failure_threshold =
        config.excessive_failure_rule ? settings.excessive_failure_threshold : 0;
    if (std::optional<CircuitBreaker::Trip> trip = breaker_.Check(env, rules)) {
      stop_reason = trip->reason;
      if (!dry_run && breaker_.Stop(env, *trip)) push_now_ = true;
    }
  }
  if (!dry_run) {
    absl::MutexLock lock(&status_mu_);
    EnvState& st = env_state_[env];
    st.paused = paused;
    st.stopped = !stop_reason.empty();
    st.stopped_reason = stop_reason;
  }
  if (stop_reason.empty()) breaker_.Resolve(env);

  if (wes_down) {
    out->set_queued(active);
    return;
  }
  if (paused || !stop_reason.empty()) {
    if (!dry_run) active -= starts_.RollBack(env, restart, out);
    out->set_outcome(paused ? CYCLE_OUTCOME_PAUSED : CYCLE_OUTCOME_STOPPED);
    out->set_message(paused ? absl::StrCat(tracking::FlagPath(tracking::FlagKind::kPause, env),
                                           " is present")
                            : stop_reason);
    out->set_queued(active);
    return;
  }
  BacklogPicker::Picked picked = backlog_.Pick(env, MaxParallelRuns(env) - active, claimed);
  if (!picked.note.empty()) out->set_message(picked.note);
  if (config.start_interval_seconds > 0 && !dry_run) {
    active = StartPaced(env, picked.jobs, restart, active, out);
  } else {
    active += starts_.Start(env, picked.jobs, restart, dry_run, out);
  }
  out->set_queued(active);
}

int Scheduler::StartPaced(const std::string& env, const std::vector<JobSummary>& fresh,
                          const std::vector<JobSummary>& restart, int active,
                          EnvironmentCycle* out) {
  const absl::Duration pause =
      absl::Seconds(config_.compute_environments.at(env).start_interval_seconds);
  const int64_t this_cycle = env_cycles_[env];
  const size_t total = restart.size() + fresh.size();
  for (size_t i = 0; i < total; ++i) {
    const bool is_restart = i < restart.size();
    // Restarts are already queued and counted in `active`; a fresh job
    // must still fit under a max_parallel_runs lowered during a pause.
    if (!is_restart && active >= MaxParallelRuns(env)) break;
    EnvironmentCycle one;
    const std::vector<JobSummary> none;
    const std::vector<JobSummary> job{is_restart ? restart[i] : fresh[i - restart.size()]};
    active += starts_.Start(env, is_restart ? none : job, is_restart ? job : none, false, &one);
    const int started_before = out->started();
    out->MergeFrom(one);  // the actions; `started` is added below
    out->set_started(started_before + one.started());
    // The original paused only after a start that went through.
    if (one.started() == 0 || i + 1 == total) continue;
    // The pause holds no lock: status, reports and max_parallel_runs changes
    // go on meanwhile, and so may another cycle.
    cycle_mu_.Unlock();
    const bool go_on = pacer_.Pause(pause);
    cycle_mu_.Lock();
    if (!go_on) {
      out->set_message("shutting down: the remaining starts wait for the next cycle");
      break;
    }
    if (env_cycles_[env] != this_cycle) {
      // It read the repository afresh and started what there was room for.
      out->set_message("another cycle of this environment ran during the pause and took over");
      break;
    }
  }
  return active;
}

}  // namespace tracker::scheduler
