// The scheduler's frame: a cycle over the environments, branch sync, push,
// status and report. The per-environment steps are in environment_cycle.cc.

#include "services/scheduler/scheduler.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "common/status.h"
#include "tracking/layout.h"

namespace tracker::scheduler {

using namespace tracker::v1;  // NOLINT: generated message names

Scheduler::Scheduler(TrackerConfig config, SchedulerOptions options,
                     RepoService::StubInterface* repo, WesPoller::StubInterface* wes,
                     AzureVerifier::StubInterface* verifier, Notifier* notifier, Clock* clock)
    : config_(std::move(config)),
      options_(std::move(options)),
      repo_(repo),
      wes_(wes),
      verifier_(verifier),
      notifier_(notifier),
      alerts_(notifier, clock),
      clock_(clock) {
  for (const auto& [name, env] : config_.compute_environments) env_state_[name];
}

absl::Duration Scheduler::interval() const {
  return absl::Seconds(config_.scheduling_interval_minutes * 60);
}

std::string Scheduler::SyncBranches() {
  FetchResponse fetched;
  absl::Status s = CallRpc(
      [&](grpc::ClientContext* c) { return repo_->Fetch(c, FetchRequest(), &fetched); },
      options_.rpc, true);
  if (!s.ok()) {
    alerts_.Alert(AlertLevel::kWarning, "fetch", absl::StrCat("cannot fetch the tracking repository: ", s.message()));
  } else {
    alerts_.Resolve("fetch");
    // Admins may push to the remote's main directly.
    MergeRequest req;
    req.mutable_options()->set_branch(tracker::tracking::kMainBranch);
    req.set_source(tracker::tracking::kRemoteMainRef);
    MergeResponse merged;
    s = CallRpc([&](grpc::ClientContext* c) { return repo_->Merge(c, req, &merged); },
                options_.rpc, false);
    if (!s.ok()) {
      alerts_.Alert(AlertLevel::kWarning, "merge_origin_main",
                    absl::StrCat("cannot bring the remote's main into main: ", s.message()));
    }
  }
  MergeRequest req;
  req.mutable_options()->set_branch(tracker::tracking::kSchedulerBranch);
  req.set_source(tracker::tracking::kMainBranch);
  MergeResponse merged;
  s = CallRpc([&](grpc::ClientContext* c) { return repo_->Merge(c, req, &merged); },
              options_.rpc, false);
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
  std::lock_guard<std::mutex> lock(cycle_mu_);
  RunCycleResponse out;
  out.set_dry_run(dry_run);
  dry_run_claimed_.clear();
  if (!dry_run) out.set_merge_note(SyncBranches());
  for (const std::string& env : envs) {
    auto* cycle = out.add_environments();
    cycle->set_environment(env);
    RunEnvironment(env, dry_run, cycle);
    LogInfo("cycle")
        .Kv("env", env)
        .Kv("dry_run", dry_run ? "true" : "false")
        .Kv("outcome", cycle->outcome())
        .Kv("completed", cycle->completed())
        .Kv("failed", cycle->failed())
        .Kv("started", cycle->started())
        .Kv("queued", cycle->queued())
        .Kv("message", cycle->message());
    if (!dry_run) {
      std::lock_guard<std::mutex> status(status_mu_);
      EnvState& st = env_state_[env];
      st.last_cycle = clock_->Now();
      st.last_outcome = cycle->outcome();
      st.last_message = cycle->message();
      st.queued = cycle->queued();
    }
  }
  if (!dry_run) {
    absl::Status pushed = PushIfDue(push_now_, &out);
    if (!pushed.ok()) {
      alerts_.Alert(AlertLevel::kWarning, "push",
                    absl::StrCat("cannot push the tracking repository: ", pushed.message()));
    } else {
      alerts_.Resolve("push");
    }
  }
  ListFlagsResponse flags;  // for the tip
  if (CallRpc([&](grpc::ClientContext* c) { return repo_->ListFlags(c, ListFlagsRequest(), &flags); },
              options_.rpc, true).ok()) {
    out.set_commit(flags.commit());
  }
  return out;
}

absl::Status Scheduler::PushIfDue(bool force, RunCycleResponse* out) {
  GetSyncStatusResponse sync;
  TRACKER_RETURN_IF_ERROR(CallRpc(
      [&](grpc::ClientContext* c) { return repo_->GetSyncStatus(c, GetSyncStatusRequest(), &sync); },
      options_.rpc, true));
  const int64_t now = absl::ToUnixSeconds(clock_->Now());
  const int64_t every = static_cast<int64_t>(config_.tracking_repo_push_interval_hours * 3600);
  bool pushed_any = false;
  for (const auto& branch : sync.branches()) {
    if (branch.ahead() == 0) continue;
    bool due = force || now - branch.last_push_epoch() >= every;
    if (!due) continue;
    PushRequest req;
    req.set_branch(branch.name());
    PushResponse pushed;
    TRACKER_RETURN_IF_ERROR(CallRpc(
        [&](grpc::ClientContext* c) { return repo_->Push(c, req, &pushed); }, options_.rpc, false));
    pushed_any = true;
    LogInfo("pushed").Kv("branch", branch.name()).Kv("commit", pushed.commit());
  }
  if (pushed_any) push_now_ = false;
  out->set_pushed(pushed_any);
  return absl::OkStatus();
}

absl::StatusOr<SetMaxParallelRunsResponse> Scheduler::SetMaxParallelRuns(
    const std::string& environment, int max_parallel_runs) {
  if (max_parallel_runs < 0 || max_parallel_runs > 10000) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_parallel_runs must be between 0 and 10000, got ", max_parallel_runs));
  }
  std::lock_guard<std::mutex> lock(cycle_mu_);  // never in the middle of a cycle
  auto it = config_.compute_environments.find(environment);
  if (it == config_.compute_environments.end()) {
    return absl::NotFoundError(absl::StrCat("unknown compute environment \"", environment.substr(0, 64), "\""));
  }
  SetMaxParallelRunsResponse out;
  out.set_previous(it->second.max_parallel_runs);
  it->second.max_parallel_runs = max_parallel_runs;
  out.set_max_parallel_runs(max_parallel_runs);
  out.set_note(absl::StrCat("in effect from the next cycle; set compute_environments.", environment,
                            ".max_parallel_runs in the config too, or a restart brings back ",
                            out.previous()));
  LogInfo("max_parallel_runs_set").Kv("env", environment).Kv("from", out.previous()).Kv("to", max_parallel_runs);
  if (max_parallel_runs < out.previous()) {
    // Running jobs are not cancelled: the environment drains to the new value.
    out.set_note(out.note() + "; runs already started go on, no new ones until below the new value");
  }
  return out;
}

GetStatusResponse Scheduler::Status() {
  GetStatusResponse out;
  std::lock_guard<std::mutex> lock(status_mu_);
  for (const auto& [name, st] : env_state_) {
    auto* e = out.add_environments();
    e->set_name(name);
    e->set_last_cycle_epoch(st.last_cycle == absl::Time() ? 0 : absl::ToUnixSeconds(st.last_cycle));
    e->set_last_outcome(st.last_outcome);
    e->set_last_message(st.last_message);
    e->set_queued(st.queued);
    e->set_max_parallel_runs(config_.compute_environments.at(name).max_parallel_runs);
    e->set_paused(st.paused);
    e->set_stopped(st.stopped);
    e->set_stopped_reason(st.stopped_reason);
    absl::Time next = st.last_cycle == absl::Time() ? clock_->Now() : st.last_cycle + interval();
    e->set_next_cycle_epoch(absl::ToUnixSeconds(next));
  }
  GetSyncStatusResponse sync;
  if (CallRpc([&](grpc::ClientContext* c) {
        return repo_->GetSyncStatus(c, GetSyncStatusRequest(), &sync);
      }, options_.rpc, true).ok()) {
    for (const auto& b : sync.branches()) {
      if (b.name() != tracker::tracking::kSchedulerBranch) continue;
      out.set_last_push_epoch(b.last_push_epoch());
      out.set_next_push_epoch(b.last_push_epoch() +
                              static_cast<int64_t>(config_.tracking_repo_push_interval_hours * 3600));
    }
  }
  return out;
}

absl::StatusOr<SendReportResponse> Scheduler::SendReport(bool dry_run) {
  std::lock_guard<std::mutex> lock(cycle_mu_);
  ReportResponse report;
  TRACKER_RETURN_IF_ERROR(CallRpc(
      [&](grpc::ClientContext* c) { return repo_->Report(c, ReportRequest(), &report); },
      options_.rpc, true));
  // What changed since the last report; after a restart, since the last push.
  std::string since = last_report_commit_;
  if (since.empty()) {
    GetSyncStatusResponse sync;
    if (CallRpc([&](grpc::ClientContext* c) {
          return repo_->GetSyncStatus(c, GetSyncStatusRequest(), &sync);
        }, options_.rpc, true).ok()) {
      for (const auto& b : sync.branches()) {
        if (b.name() == tracker::tracking::kSchedulerBranch) since = b.remote_tip();
      }
    }
  }
  std::string text = absl::StrCat("Transfer job status (", report.total_jobs(), " jobs, scheduler ",
                                  report.commit().substr(0, 8), ")\n", report.text());
  if (!since.empty() && since != report.commit()) {
    ListTransitionsRequest req;
    req.set_from_commit(since);
    req.set_to_commit(report.commit());
    ListTransitionsResponse changes;
    if (CallRpc([&](grpc::ClientContext* c) { return repo_->ListTransitions(c, req, &changes); },
                options_.rpc, true).ok()) {
      std::map<std::string, int> by_folder;
      for (const auto& ch : changes.changes()) {
        by_folder[ch.to_folder().empty() ? "removed" : ch.to_folder()]++;
      }
      std::vector<std::string> parts;
      for (const auto& [folder, n] : by_folder) parts.push_back(absl::StrCat(n, " to ", folder));
      absl::StrAppend(&text, "Since the last report (", since.substr(0, 8), "): ",
                      parts.empty() ? "no job moved" : absl::StrJoin(parts, ", "), "\n");
      int shown = 0;
      for (const auto& ch : changes.changes()) {
        if (++shown > 20) {
          absl::StrAppend(&text, "  ... and ", changes.changes_size() - 20, " more\n");
          break;
        }
        absl::StrAppend(&text, "  ", ch.key().study_id(), "/", ch.key().batch_id(), "/",
                        ch.key().job_id(), ": ", ch.from_folder().empty() ? "new" : ch.from_folder(),
                        " -> ", ch.to_folder().empty() ? "removed" : ch.to_folder(), "\n");
      }
    }
  }
  for (const auto& flag : report.flags()) {
    absl::StrAppend(&text, "Flag: ", flag.path(), "\n");
  }
  SendReportResponse out;
  out.set_text(text);
  if (!dry_run) {
    absl::Status posted = notifier_->Post(text);
    out.set_sent(posted.ok());
    if (posted.ok()) last_report_commit_ = report.commit();
  }
  return out;
}

}  // namespace tracker::scheduler
