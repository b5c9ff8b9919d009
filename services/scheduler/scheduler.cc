// The scheduler's frame: a cycle over the environments, branch sync, push,
// status and report. One environment's steps are in environment_cycle.cc.

#include "services/scheduler/scheduler.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "proto/tracker/v1/scheduler_names.h"
#include "services/scheduler/cycle_metrics.h"
#include "tracking/layout.h"
#include "tracking/runtime_settings.h"

namespace tracker::scheduler {

using namespace tracker::v1;  // NOLINT: generated message names

Scheduler::Scheduler(TrackerConfig config, SchedulerOptions options,
                     RepoService::StubInterface* repo, WesPoller::StubInterface* wes,
                     AzureVerifier::StubInterface* verifier, Notifier* notifier, Clock* clock)
    : config_(std::move(config)),
      clock_(clock),
      wes_(wes),
      alerts_(notifier, clock),
      upstream_(options.upstream, clock),
      repo_(repo, options.rpc, clock),
      verifier_(&repo_, verifier, &upstream_, options.verify_concurrency),
      settings_(&config_, &repo_, &alerts_),
      lost_(&alerts_, clock, absl::Seconds(config_.reconcile_grace_minutes * 60),
            absl::Seconds(config_.lost_run_after_minutes * 60)),
      failed_(&repo_, &verifier_, &alerts_, config_.verify_failed_jobs_per_cycle),
      checker_(wes, &upstream_, &verifier_, &alerts_, clock,
               absl::Minutes(config_.unverified_alert_after_minutes), &lost_),
      breaker_(&repo_, &alerts_, clock, interval()),
      backlog_(&repo_, StudyOrder{std::move(options.studies), std::move(options.only_studies),
                                  std::move(options.exclude)}),
      starts_(&repo_, wes, &upstream_, &alerts_, clock, config_.workflow,
              options.start_concurrency, absl::Seconds(config_.reconcile_grace_minutes * 60)),
      reporter_(&repo_, notifier, clock),
      announcer_(&repo_, notifier),
      pacer_(clock) {
  absl::MutexLock lock(&status_mu_);
  for (const auto& [name, env] : config_.compute_environments) {
    env_state_[name].max_parallel_runs = env.max_parallel_runs;
  }
}

absl::Duration Scheduler::interval() const {
  return absl::Seconds(config_.scheduling_interval_minutes * 60);
}

void Scheduler::Stop() { pacer_.Stop(); }

std::string Scheduler::SyncBranches() {
  absl::Status s = repo_.Fetch();
  if (!s.ok()) {
    alerts_.Alert(AlertLevel::kWarning, "fetch",
                  absl::StrCat("cannot fetch the tracking repository: ", s.message()));
  } else {
    alerts_.Resolve("fetch");
    // Admins may push to the remote's main directly.
    s = repo_.Merge(tracking::kMainBranch, tracking::kRemoteMainRef);
    if (!s.ok()) {
      alerts_.Alert(AlertLevel::kWarning, "merge_origin_main",
                    absl::StrCat("cannot bring the remote's main into main: ", s.message()));
    }
  }
  s = repo_.Merge(tracking::kSchedulerBranch, tracking::kMainBranch);
  if (s.ok()) {
    alerts_.Resolve("merge_main");
    return "";
  }
  std::string note = absl::StrCat("main was not merged into scheduler: ", s.message(),
                                   "; the cycle goes on on the current scheduler branch");
  alerts_.Alert(AlertLevel::kWarning, "merge_main", note);
  return note;
}

absl::StatusOr<RunCycleResponse> Scheduler::RunCycle(const std::string& environment,
                                                     bool dry_run) {
  std::vector<std::string> envs;
  if (environment.empty()) {
    for (const auto& [name, env] : config_.compute_environments) envs.push_back(name);
  } else if (config_.compute_environments.count(environment) == 0) {
    std::vector<std::string> known;
    for (const auto& [name, env] : config_.compute_environments) known.push_back(name);
    return absl::NotFoundError(absl::StrCat("unknown compute environment \"",
                                            environment.substr(0, 64), "\"; configured: ",
                                            absl::StrJoin(known, ", ")));
  } else {
    envs.push_back(environment);
  }
  absl::MutexLock lock(&cycle_mu_);
  RunCycleResponse out;
  out.set_dry_run(dry_run);
  std::set<std::string> claimed;
  if (!dry_run) out.set_merge_note(SyncBranches());
  out.set_settings_note(ApplySettings());
  for (const std::string& env : envs) {
    auto* cycle = out.add_environments();
    cycle->set_environment(env);
    const absl::Time cycle_start = clock_->Now();
    RunEnvironment(env, dry_run, dry_run ? &claimed : nullptr, cycle);
    const absl::Duration cycle_took = clock_->Now() - cycle_start;
    LogInfo("cycle")
        .Kv("env", env)
        .Kv("dry_run", dry_run ? "true" : "false")
        .Kv("outcome", CycleOutcomeName(cycle->outcome()))
        .Kv("completed", cycle->completed())
        .Kv("failed", cycle->failed())
        .Kv("started", cycle->started())
        .Kv("queued", cycle->queued())
        .Kv("message", cycle->message());
    if (!dry_run) {
      // Backlog jobs only this environment starts (BacklogPicker), after
      // its starts: a paused or stopped environment holds them.
      JobQuery query;
      query.states = {JOB_STATE_BACKLOG};
      query.environment = env;
      auto waiting = repo_.ListJobs(query);
      absl::MutexLock status(&status_mu_);
      EnvState& st = env_state_[env];
      if (waiting.ok()) st.backlog_waiting = static_cast<int>(waiting->size());
      st.last_cycle = clock_->Now();
      st.last_outcome = cycle->outcome();
      st.last_message = cycle->message();
      st.queued = cycle->queued();
      RecordCycle(*cycle, cycle_took, st.last_cycle);
      RecordEnvironment(env, {st.queued, st.max_parallel_runs, st.backlog_waiting, st.paused,
                              st.stopped});
    }
  }
  CheckFailedJobs(dry_run, &out);
  if (!dry_run) {
    absl::Status pushed = PushIfDue(&out);
    if (!pushed.ok()) {
      alerts_.Alert(AlertLevel::kWarning, "push",
                    absl::StrCat("cannot push the tracking repository: ", pushed.message()));
    } else {
      alerts_.Resolve("push");
    }
  }
  auto flags = repo_.ListFlags();  // for the tip
  if (flags.ok()) out.set_commit(flags->commit());
  if (!dry_run) {
    auto report = repo_.Report();
    if (report.ok()) RecordJobCounts(*report);
  }
  return out;
}

absl::Status Scheduler::PushIfDue(RunCycleResponse* out) {
  auto sync = repo_.SyncStatus();
  if (!sync.ok()) return sync.status();
  const int64_t now = absl::ToUnixSeconds(clock_->Now());
  const int64_t every = static_cast<int64_t>(config_.tracking_repo_push_interval_hours * 3600);
  bool pushed_any = false;
  for (const auto& branch : sync->branches()) {
    if (branch.ahead() == 0) continue;
    const bool due = push_now_ || now - branch.last_push_epoch() >= every;
    if (!due) continue;
    auto pushed = repo_.Push(branch.name());
    if (!pushed.ok()) return pushed.status();
    pushed_any = true;
    // The operators' summary of what moved, as the original posted it.
    if (branch.name() == tracking::kSchedulerBranch && !branch.remote_tip().empty()) {
      announcer_.Announce(branch.remote_tip(), *pushed);
    }
    LogInfo("pushed").Kv("branch", branch.name()).Kv("commit", *pushed);
  }
  if (pushed_any) push_now_ = false;
  out->set_pushed(pushed_any);
  return absl::OkStatus();
}

int Scheduler::MaxParallelRuns(const std::string& env) {
  absl::MutexLock lock(&status_mu_);
  return env_state_.at(env).max_parallel_runs;
}

absl::StatusOr<SetMaxParallelRunsResponse> Scheduler::SetMaxParallelRuns(
    const std::string& environment, int max_parallel_runs, const std::string& admin) {
  if (max_parallel_runs < 0 || max_parallel_runs > 10000) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_parallel_runs must be between 0 and 10000, got ", max_parallel_runs));
  }
  SetSchedulerSettingRequest req;
  req.set_environment(environment);
  req.set_key(tracking::kMaxParallelRunsKey);
  req.set_value(absl::StrCat(max_parallel_runs));
  req.set_admin(admin);
  int previous = 0;
  {
    absl::MutexLock status(&status_mu_);
    auto it = env_state_.find(environment);
    if (it != env_state_.end()) previous = it->second.max_parallel_runs;
  }
  auto set = SetRuntimeSetting(req);
  if (!set.ok()) return set.status();
  SetMaxParallelRunsResponse out;
  out.set_previous(previous);
  out.set_max_parallel_runs(max_parallel_runs);
  out.set_note(set->note());
  if (max_parallel_runs < previous) {
    // Running jobs are not cancelled: the environment drains to the new value.
    out.set_note(out.note() + "; runs already started go on, no new ones until below the new value");
  }
  return out;
}

GetStatusResponse Scheduler::Status() {
  GetStatusResponse out;
  {
    absl::MutexLock lock(&status_mu_);
    for (const auto& [name, st] : env_state_) {
      auto* e = out.add_environments();
      e->set_name(name);
      e->set_last_cycle_epoch(st.last_cycle == absl::Time() ? 0 : absl::ToUnixSeconds(st.last_cycle));
      e->set_last_outcome(st.last_outcome);
      e->set_last_message(st.last_message);
      e->set_queued(st.queued);
      e->set_max_parallel_runs(st.max_parallel_runs);
      e->set_paused(st.paused);
      e->set_stopped(st.stopped);
      e->set_stopped_reason(st.stopped_reason);
      e->set_backlog_waiting(st.backlog_waiting);
      e->set_disabled(st.disabled);
      for (const auto& kv : st.settings) e->add_settings(kv);
      absl::Time next = st.last_cycle == absl::Time() ? clock_->Now() : st.last_cycle + interval();
      e->set_next_cycle_epoch(absl::ToUnixSeconds(next));
    }
  }
  for (auto& lost : lost_.List()) *out.add_lost_runs() = std::move(lost);
  // Outside the lock: a slow repo-service must not hold up a cycle's
  // bookkeeping.
  auto sync = repo_.SyncStatus();
  if (sync.ok()) {
    for (const auto& b : sync->branches()) {
      if (b.name() != tracking::kSchedulerBranch) continue;
      out.set_last_push_epoch(b.last_push_epoch());
      out.set_next_push_epoch(b.last_push_epoch() +
                              static_cast<int64_t>(config_.tracking_repo_push_interval_hours * 3600));
    }
  }
  return out;
}

absl::StatusOr<SendReportResponse> Scheduler::SendReport(bool dry_run) {
  absl::MutexLock lock(&cycle_mu_);  // a report shows a whole cycle's work
  return reporter_.Send(dry_run);
}

}  // namespace tracker::scheduler
