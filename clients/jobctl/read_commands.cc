// Commands that only read: report, jobs, show, status, audit.

#include <iostream>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "clients/jobctl/commands.h"
#include "proto/tracker/v1/run_states.h"
#include "proto/tracker/v1/scheduler_names.h"
#include "reporting/progress.h"
#include "tracking/ids.h"
#include "tracking/layout.h"
#include "tracking/proto.h"
#include "tracking/run_marker.h"
#include "common/json.h"

namespace jobctl {

using namespace tracker::v1;  // NOLINT: generated message names

namespace {

std::string BranchOf(const Args& args) {
  return args.Get("branch", tracker::tracking::kSchedulerBranch);
}

int CheckBranch(const std::string& name, const Args& args) {
  std::string b = BranchOf(args);
  if (!tracker::tracking::ValidateBranch(b).ok()) {
    return UsageError(name, absl::StrCat("--branch must be scheduler or main, not \"", b, "\""));
  }
  return kOk;
}

}  // namespace

int CmdReport(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  if (int rc = CheckBranch(name, args)) return rc;
  if (args.Has("changes") || args.Has("send")) {
    // The scheduler knows what it last reported; dry_run sends nothing.
    SendReportRequest req;
    req.set_dry_run(!args.Has("send"));
    SendReportResponse out;
    absl::Status st = s.Call([&](grpc::ClientContext* c) { return s.scheduler->SendReport(c, req, &out); });
    if (!st.ok()) return ServerError(name, st);
    if (args.Has("json")) {
      ui.Json(out);
    } else {
      std::cout << out.text();
    }
    if (args.Has("send") && !out.sent()) {
      return ServerError(name, absl::UnavailableError(
                                   "the report was not sent: the Slack webhook failed or is not "
                                   "configured (slack_notification.web_hook_url_env); see the scheduler's log"));
    }
    return kOk;
  }
  ReportRequest req;
  req.set_branch(BranchOf(args));
  ReportResponse out;
  absl::Status st = s.Call([&](grpc::ClientContext* c) { return s.repo->Report(c, req, &out); });
  if (!st.ok()) return ServerError(name, st);
  if (args.Has("progress")) {
    if (args.Has("json")) return UsageError(name, "--progress is for people; --json alone gives the numbers");
    // The same branch a day ago: what completed since, and at what pace.
    const absl::Time now = absl::Now();
    const absl::Time day_ago = now - absl::Hours(24);
    req.set_as_of_unix_seconds(absl::ToUnixSeconds(day_ago));
    ReportResponse earlier;
    st = s.Call([&](grpc::ClientContext* c) { return s.repo->Report(c, req, &earlier); });
    if (!st.ok()) return ServerError(name, st);
    std::cout << tracker::reporting::FormatProgress(out, &earlier, day_ago, now);
    return kOk;
  }
  if (args.Has("json")) {
    ui.Json(out);
    return kOk;
  }
  std::cout << out.text();  // exactly the seed loop's lines, for scripts that read them
  if (ui.tty()) {
    for (const auto& f : out.flags()) std::cout << ui.Color("flag: " + f.path(), "31") << "\n";
    std::cout << ui.Color(absl::StrCat(out.total_jobs(), " jobs on ", BranchOf(args), " at ",
                                       out.commit().substr(0, 12)),
                          "2")
              << "\n";
  }
  return kOk;
}

int CmdJobs(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  if (int rc = CheckBranch(name, args)) return rc;
  ListJobsRequest req;
  req.set_branch(BranchOf(args));
  for (const std::string& study : args.GetAll("study")) req.add_study_ids(study);
  req.set_batch_id(args.Get("batch"));
  for (const std::string& st : args.GetAll("state")) {
    JobState state;
    if (!ParseState(st, &state)) {
      return UsageError(name, absl::StrCat("--state must be backlog, queued, failed or completed, not \"",
                                           st, "\""));
    }
    req.add_states(state);
  }
  req.set_environment(args.Get("env"));
  int64_t limit = 0;
  if (args.Has("limit") && !ParseInt(args.Get("limit"), 1, 1000000, &limit)) {
    return UsageError(name, "--limit must be a whole number from 1 to 1000000");
  }
  req.set_page_size(1000);
  ListJobsResponse all;
  while (true) {
    ListJobsResponse page;
    absl::Status st = s.Call([&](grpc::ClientContext* c) { return s.repo->ListJobs(c, req, &page); });
    if (!st.ok()) return ServerError(name, st);
    for (auto& j : *page.mutable_jobs()) {
      if (limit > 0 && all.jobs_size() >= limit) break;
      *all.add_jobs() = std::move(j);
    }
    all.set_commit(page.commit());
    all.set_total_size(page.total_size());
    if (page.next_page_token().empty() || (limit > 0 && all.jobs_size() >= limit)) break;
    ui.Progress(absl::StrCat("read ", all.jobs_size(), " of ", page.total_size(), " jobs..."));
    req.set_page_token(page.next_page_token());
  }
  if (args.Has("json")) {
    ui.Json(all);
    return kOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& j : all.jobs()) {
    const RunMarker& r = j.current_run();
    rows.push_back({tracker::tracking::JobKeyText(j.key()), ui.StateColor(tracker::tracking::JobStateName(j.state())),
                    std::to_string(j.run_count()), j.has_current_run() ? r.environment() : "-",
                    j.has_current_run() ? r.run_id() : "-",
                    j.has_current_run() ? FormatEpoch(r.epoch_seconds()) : "-"});
  }
  ui.Table({"JOB", "STATE", "RUNS", "ENV", "CURRENT RUN", "STARTED"}, rows);
  std::cerr << all.jobs_size() << " of " << all.total_size() << " matching jobs (" << BranchOf(args)
            << " at " << all.commit().substr(0, 12) << ")\n";
  return kOk;
}

int CmdShow(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  if (int rc = CheckBranch(name, args)) return rc;
  GetJobRequest req;
  req.set_branch(BranchOf(args));
  if (!ParseJobKey(args.positional()[0], req.mutable_key())) {
    return NotAJobKey(name, args.positional()[0]);
  }
  Job job;
  absl::Status st = s.Call([&](grpc::ClientContext* c) { return s.repo->GetJob(c, req, &job); });
  if (!st.ok()) return ServerError(name, st);

  // The state of every run, live from its workflow service, one call per
  // environment. A pending start record has no run yet.
  std::map<std::string, std::vector<std::string>> by_env;
  for (const auto& r : job.runs()) {
    if (!tracker::tracking::IsPendingRunId(r.run_id())) by_env[r.environment()].push_back(r.run_id());
  }
  std::map<std::string, RunStatus> live;  // run id -> status
  std::vector<std::string> warnings;
  if (!args.Has("no-live")) {
    for (const auto& [env, ids] : by_env) {
      GetRunStatesRequest q;
      q.set_environment(env);
      for (const auto& id : ids) q.add_run_ids(id);
      GetRunStatesResponse states;
      absl::Status ok = s.Call([&](grpc::ClientContext* c) { return s.wes->GetRunStates(c, q, &states); });
      if (!ok.ok()) {
        warnings.push_back(absl::StrCat("run states of ", env, " unavailable: ", ok.message()));
        continue;
      }
      for (const auto& r : states.runs()) live[r.run_id()] = r;
    }
  }

  if (args.Has("json")) {
    std::cout << "{\"job\": " << tracker::ToJson(job) << ", \"run_states\": [";
    bool first = true;
    for (const auto& r : job.runs()) {
      auto it = live.find(r.run_id());
      if (it == live.end()) continue;
      std::cout << (first ? "" : ", ") << tracker::ToJson(it->second);
      first = false;
    }
    std::cout << "]}\n";
    for (const auto& w : warnings) std::cerr << "jobctl " << name << ": warning: " << w << "\n";
    return kOk;
  }

  int64_t bytes = job.job_bytes();
  std::cout << "job        " << tracker::tracking::JobKeyText(job.key()) << "\n"
            << "state      " << ui.StateColor(tracker::tracking::JobStateName(job.state())) << "  (" << BranchOf(args)
            << " at " << job.commit().substr(0, 12) << ")\n"
            << "analyses   " << job.analyses_size() << ", " << FormatBytes(bytes) << "\n";
  for (const auto& a : job.analyses()) {
    std::cout << "  " << a.analysis_id() << "  " << FormatBytes(a.analysis_bytes()) << "\n";
  }
  std::cout << "\nruns (oldest first; the last is current)\n";
  if (job.runs_size() == 0) {
    std::cout << "  none: the job has never been started\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : job.runs()) {
      std::string state = "-", start = "-", end = "-", error;
      auto it = live.find(r.run_id());
      if (tracker::tracking::IsPendingRunId(r.run_id())) {
        state = "start under way";
      } else if (it != live.end()) {
        const RunStatus& rs = it->second;
        if (rs.error_code() != 0) {
          state = "?";
          error = rs.error_message();
        } else {
          state = tracker::v1::RunStateName(rs.state());
          error = rs.error_summary();
        }
        if (!rs.start_time().empty()) start = rs.start_time();
        if (!rs.end_time().empty()) end = rs.end_time();
      }
      if (error.size() > 80) error = error.substr(0, 77) + "...";
      rows.push_back({FormatEpoch(r.epoch_seconds()), r.environment(), r.run_id(),
                      ui.StateColor(state), start, end, error});
    }
    ui.Table({"MARKED", "ENV", "RUN", "STATE", "STARTED", "ENDED", "ERROR"}, rows);
    // Where the current run works: a resume continues there.
    auto current = live.find(job.runs(job.runs_size() - 1).run_id());
    if (current != live.end() && !current->second.run_info().launch_dir().empty()) {
      const auto& info = current->second.run_info();
      std::cout << "\ncurrent run\n"
                << "  session     " << (info.session_id().empty() ? "-" : info.session_id()) << "\n"
                << "  launch_dir  " << info.launch_dir() << "\n"
                << "  work_dir    " << info.work_dir() << "\n"
                << "  project_dir " << (info.project_dir().empty() ? "-" : info.project_dir()) << "\n";
    }
  }
  std::cout << "\nparams.json\n" << job.params_json();
  if (!job.params_json().empty() && job.params_json().back() != '\n') std::cout << "\n";
  for (const auto& w : warnings) std::cerr << "jobctl " << name << ": warning: " << w << "\n";
  return kOk;
}

int CmdStatus(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  GetStatusResponse status;
  absl::Status st = s.Call([&](grpc::ClientContext* c) {
    return s.scheduler->GetStatus(c, GetStatusRequest(), &status);
  });
  if (!st.ok()) return ServerError(name, st);
  GetSyncStatusResponse sync;
  absl::Status synced = s.Call([&](grpc::ClientContext* c) {
    return s.repo->GetSyncStatus(c, GetSyncStatusRequest(), &sync);
  });
  if (args.Has("json")) {
    std::cout << "{\"scheduler\": " << tracker::v1::WithCycleWords(tracker::ToJson(status))
              << ", \"repository\": " << (synced.ok() ? tracker::ToJson(sync) : "null") << "}\n";
    if (!synced.ok()) return ServerError(name, synced);
    return kOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : status.environments()) {
    std::string flags = e.stopped() ? ui.StateColor("stopped") + ": " + e.stopped_reason()
                        : e.paused() ? ui.StateColor("paused")
                                     : "";
    rows.push_back({e.name(), FormatEpoch(e.last_cycle_epoch()), ui.StateColor(tracker::v1::CycleOutcomeName(e.last_outcome())),
                    absl::StrCat(e.queued(), "/", e.max_parallel_runs()),
                    absl::StrCat(e.backlog_waiting()), FormatEpoch(e.next_cycle_epoch()), flags});
  }
  // WAITING: backlog jobs only that environment starts (their latest run
  // was there); a paused or stopped environment holds them.
  ui.Table({"ENVIRONMENT", "LAST CYCLE", "OUTCOME", "QUEUED/MAX", "WAITING", "NEXT CYCLE", "FLAGS"},
           rows);
  PrintHeldJobs(s);
  PrintRecoveryStatus(ui, status);
  std::cout << "\n";
  if (!synced.ok()) return ServerError(name, synced);
  ui.Branches(sync);
  std::cout << "remote " << sync.remote_url() << "; next push " << FormatEpoch(status.next_push_epoch())
            << "\n";
  return kOk;
}

int CmdAudit(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  if (int rc = CheckBranch(name, args)) return rc;
  AuditRequest req;
  req.set_branch(BranchOf(args));
  for (const std::string& env : args.GetAll("environments")) {
    if (!tracker::tracking::ValidateEnvironment(env).ok()) {
      return UsageError(name, absl::StrCat("--environments: \"", env,
                                           "\" is not an environment name"));
    }
    req.add_known_environments(env);
  }
  if (req.known_environments().empty()) {
    // The environments the scheduler runs with are its configuration's: a
    // flag naming any other (the real repository's pause.drpc-prod) steers
    // nothing.
    absl::StatusOr<std::vector<std::string>> known = KnownEnvironments(s);
    if (known.ok()) {
      for (const std::string& env : *known) req.add_known_environments(env);
    }
    if (req.known_environments().empty()) {
      std::cerr << "jobctl " << name
                << ": warning: flags not checked against the configuration (the scheduler "
                << (known.ok() ? "has no environments"
                               : absl::StrCat("answered: ", known.status().message()))
                << "); name them with --environments=ENV,ENV\n";
    }
  }
  AuditResponse out;
  absl::Status st = s.Call([&](grpc::ClientContext* c) { return s.repo->Audit(c, req, &out); });
  if (!st.ok()) return ServerError(name, st);
  if (args.Has("json")) {
    ui.Json(out);
  } else {
    for (const auto& f : out.findings()) {
      std::cout << ui.Color(f.code(), "1") << "  " << f.message() << "\n";
    }
    std::map<std::string, int> counts;
    for (const auto& f : out.findings()) counts[f.code()]++;
    std::string by_code;
    for (const auto& [code, n] : counts) {
      absl::StrAppend(&by_code, by_code.empty() ? ": " : ", ", n, " ", code);
    }
    std::cerr << out.findings_size() << " findings on " << BranchOf(args) << " at "
              << out.commit().substr(0, 12) << by_code << "\n";
  }
  // Exit code 1 when anything is found, so that scripts and cron can alert.
  return out.findings().empty() ? kOk : kServerError;
}

}  // namespace jobctl
