// Commands that act on the running system: cycle, set-parallel, cancel, sync.

#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "clients/jobctl/commands.h"
#include "proto/tracker/v1/scheduler_names.h"
#include "tracking/proto.h"
#include "tracking/run_marker.h"
#include "tracking/layout.h"

namespace jobctl {

using namespace tracker::v1;  // NOLINT: generated message names

int CmdCycle(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  RunCycleRequest req;
  if (!args.positional().empty()) req.set_environment(args.positional()[0]);
  req.set_dry_run(args.Has("dry-run"));
  ui.Progress(absl::StrCat(req.dry_run() ? "planning" : "running", " a cycle on ",
                           req.environment().empty() ? "every environment" : req.environment(), "..."));
  RunCycleResponse out;
  absl::Status st = s.Call([&](grpc::ClientContext* c) { return s.scheduler->RunCycle(c, req, &out); });
  if (!st.ok()) return ServerError(name, st);
  if (args.Has("json")) {
    ui.Json(out);
    return kOk;
  }
  if (!out.merge_note().empty()) std::cout << ui.Color("note: " + out.merge_note(), "33") << "\n";
  for (const auto& e : out.environments()) {
    std::cout << ui.Color(e.environment(), "1") << ": " << ui.StateColor(tracker::v1::CycleOutcomeName(e.outcome()));
    if (!e.message().empty()) std::cout << " (" << e.message() << ")";
    std::cout << "; " << e.completed() << " completed, " << e.failed() << " failed, " << e.started()
              << (out.dry_run() ? " would start" : " started") << ", " << e.queued() << " queued\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& a : e.actions()) {
      rows.push_back({"  " + tracker::tracking::JobKeyText(a.key()), ui.StateColor(tracker::v1::CycleActionName(a.action())), a.run_id().empty() ? "-" : a.run_id(),
                      a.detail()});
    }
    if (!rows.empty()) ui.Table({"  JOB", "ACTION", "RUN", "DETAIL"}, rows);
  }
  PrintCycleChecks(ui, out);
  if (out.dry_run()) {
    std::cout << "dry run: nothing was written and nothing started\n";
  } else {
    std::cout << "scheduler at " << out.commit().substr(0, 12) << (out.pushed() ? ", pushed" : "") << "\n";
  }
  return kOk;
}

int CmdSetParallel(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  int64_t n;
  if (!ParseInt(args.positional()[1], 0, 10000, &n)) {
    return UsageError(name, absl::StrCat("N must be a whole number from 0 to 10000, not \"",
                                         args.positional()[1], "\""));
  }
  SetMaxParallelRunsRequest req;
  req.set_environment(args.positional()[0]);
  req.set_max_parallel_runs(static_cast<int>(n));
  SetMaxParallelRunsResponse out;
  absl::Status st = s.Call([&](grpc::ClientContext* c) { return s.scheduler->SetMaxParallelRuns(c, req, &out); });
  if (!st.ok()) return ServerError(name, st);
  PushMain(s, name);  // the setting is written on main
  if (args.Has("json")) {
    ui.Json(out);
  } else {
    std::cout << req.environment() << ": max_parallel_runs " << out.previous() << " -> "
              << out.max_parallel_runs() << "\n"
              << out.note() << "\n";
  }
  return kOk;
}

int CmdCancel(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  GetJobRequest get;
  get.set_branch(tracker::tracking::kSchedulerBranch);  // where queued jobs and their runs are
  if (!ParseJobKey(args.positional()[0], get.mutable_key())) {
    return NotAJobKey(name, args.positional()[0]);
  }
  Job job;
  absl::Status st = s.Call([&](grpc::ClientContext* c) { return s.repo->GetJob(c, get, &job); });
  if (!st.ok()) return ServerError(name, st);
  if (job.state() != JOB_STATE_QUEUED || job.runs_size() == 0) {
    return ServerError(name, absl::FailedPreconditionError(absl::StrCat(
                                 tracker::tracking::JobKeyText(job.key()), " is in ", tracker::tracking::JobStateName(job.state()),
                                 "/; only a queued job has a live run to cancel")));
  }
  const RunMarker& run = job.runs(job.runs_size() - 1);
  if (tracker::tracking::IsPendingRunId(run.run_id())) {
    return ServerError(name, absl::UnavailableError(absl::StrCat(
                                 tracker::tracking::JobKeyText(job.key()), " is being started right now (", run.file_name(),
                                 "); its run id is known after the next cycle: try again then")));
  }
  CancelRunRequest req;
  req.set_environment(run.environment());
  req.set_run_id(run.run_id());
  CancelRunResponse out;
  st = s.Call([&](grpc::ClientContext* c) { return s.wes->CancelRun(c, req, &out); });
  if (!st.ok()) return ServerError(name, st);
  if (args.Has("json")) {
    ui.Json(out);
  } else {
    std::cout << "asked " << run.environment() << " to cancel " << run.run_id() << " of " << tracker::tracking::JobKeyText(job.key())
              << "; the scheduler moves the job to failed/ once the run reports CANCELED\n";
  }
  return kOk;
}

int CmdSync(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  ui.Progress("fetching the remote...");
  FetchResponse fetched;
  absl::Status st = s.Call([&](grpc::ClientContext* c) { return s.repo->Fetch(c, FetchRequest(), &fetched); });
  if (!st.ok()) return ServerError(name, st);
  // Admins may have pushed to the remote's main; then the scheduler's work.
  for (const char* source : {tracker::tracking::kRemoteMainRef, tracker::tracking::kSchedulerBranch}) {
    MergeRequest req;
    req.mutable_options()->set_branch(tracker::tracking::kMainBranch);
    req.set_source(source);
    MergeResponse merged;
    st = s.Call([&](grpc::ClientContext* c) { return s.repo->Merge(c, req, &merged); });
    if (!st.ok()) {
      return ServerError(name, absl::Status(st.code(), absl::StrCat("merging ", source, " into main: ",
                                                                    st.message())));
    }
    if (!args.Has("json")) {
      std::cout << "merged " << source << " into main: "
                << (merged.up_to_date() ? "already up to date"
                    : merged.fast_forward() ? "fast-forward"
                                            : "merge commit " + merged.result().commit().substr(0, 12))
                << "\n";
    }
  }
  ui.Progress("pushing main...");
  PushRequest push;
  push.set_branch(tracker::tracking::kMainBranch);
  PushResponse pushed;
  st = s.Call([&](grpc::ClientContext* c) { return s.repo->Push(c, push, &pushed); });
  if (!st.ok()) return ServerError(name, st);
  GetSyncStatusResponse sync;
  st = s.Call([&](grpc::ClientContext* c) { return s.repo->GetSyncStatus(c, GetSyncStatusRequest(), &sync); });
  if (!st.ok()) return ServerError(name, st);
  if (args.Has("json")) {
    ui.Json(sync);
    return kOk;
  }
  ui.Branches(sync);
  return kOk;
}

}  // namespace jobctl
