// Commands for the admins' hand fixes of the real history that need the
// scheduler: runtime settings (set), failed jobs whose analyses are
// PUBLISHED (complete --verify), queued jobs whose run is lost
// (release-lost), and what `status` shows of them.

#include <cstdlib>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/jobctl/commands.h"
#include "tracking/ids.h"
#include "tracking/layout.h"
#include "tracking/proto.h"
#include "tracking/runtime_settings.h"

namespace jobctl {

using namespace tracker::v1;  // NOLINT: generated message names
using tracker::tracking::JobKeyText;

namespace {

// Who asks, for the commit: JOBCTL_ADMIN, else the login name.
std::string Admin() {
  for (const char* name : {"JOBCTL_ADMIN", "USER"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') return std::string(v).substr(0, 64);
  }
  return "";
}

// Every positional argument as a job key; a usage error on the first that
// is not one.
int ParseJobKeys(const std::string& name, const Args& args, std::vector<JobKey>* keys) {
  for (const std::string& text : args.positional()) {
    JobKey key;
    if (!ParseJobKey(text, &key)) return NotAJobKey(name, text);
    keys->push_back(key);
  }
  return kOk;
}

}  // namespace

int CmdSet(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  const std::string& env = args.positional()[0];
  const std::string& key = args.positional()[1];
  const std::string& value = args.positional()[2];
  // The format's own rules: a typo is a usage error, nothing is asked.
  if (absl::Status valid = tracker::tracking::ValidateEnvironment(env); !valid.ok()) {
    return UsageError(name, std::string(valid.message()));
  }
  auto canonical = tracker::tracking::CanonicalSettingValue(key, value);
  if (!canonical.ok()) return UsageError(name, std::string(canonical.status().message()));
  SetSchedulerSettingRequest req;
  req.set_environment(env);
  req.set_key(key);
  req.set_value(value);
  req.set_dry_run(args.Has("dry-run"));
  req.set_admin(Admin());
  SetSchedulerSettingResponse out;
  absl::Status st =
      s.Call([&](grpc::ClientContext* c) { return s.scheduler->SetRuntimeSetting(c, req, &out); });
  if (!st.ok()) return ServerError(name, st);
  if (!req.dry_run() && out.result().changed()) PushMain(s, name);
  if (args.Has("json")) {
    ui.Json(out);
    return kOk;
  }
  const auto& r = out.result();
  std::cout << env << ": " << key << " " << (r.previous().empty() ? "(the config's value)" : r.previous())
            << " -> " << r.value() << (r.changed() ? "" : " (unchanged)") << "\n";
  if (r.has_result()) std::cout << "main at " << r.result().commit().substr(0, 12) << "\n";
  std::cout << out.note() << "\n";
  return kOk;
}

int CmdComplete(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  if (!args.Has("verify")) {
    return UsageError(name, "complete moves jobs only when SONG says their analyses are all "
                            "PUBLISHED: give --verify");
  }
  std::vector<JobKey> keys;
  if (int rc = ParseJobKeys(name, args, &keys)) return rc;
  if (int rc = MergeSchedulerFirst(name, s)) return rc;
  // Where each job is on main: failed/ or backlog/ only.
  std::vector<JobState> from;
  for (const JobKey& key : keys) {
    GetJobRequest get;
    get.set_branch(tracker::tracking::kMainBranch);
    *get.mutable_key() = key;
    Job job;
    absl::Status st = s.Call([&](grpc::ClientContext* c) { return s.repo->GetJob(c, get, &job); });
    if (!st.ok()) return ServerError(name, st);
    if (job.state() != JOB_STATE_FAILED && job.state() != JOB_STATE_BACKLOG) {
      return ServerError(name, absl::FailedPreconditionError(absl::StrCat(
                                   JobKeyText(key), " is in ", tracker::tracking::JobStateName(job.state()),
                                   "/; only failed and backlog jobs are completed here (queued "
                                   "jobs belong to the scheduler): nothing changed")));
    }
    from.push_back(job.state());
  }
  ui.Progress(absl::StrCat("asking SONG about ", keys.size(), " jobs..."));
  VerifyJobsRequest vreq;
  for (const JobKey& key : keys) *vreq.add_jobs() = key;
  VerifyJobsResponse verdicts;
  absl::Status st =
      s.Call([&](grpc::ClientContext* c) { return s.scheduler->VerifyJobs(c, vreq, &verdicts); });
  if (!st.ok()) return ServerError(name, st);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> not_published;
  for (int i = 0; i < verdicts.jobs_size(); ++i) {
    const JobVerification& v = verdicts.jobs(i);
    rows.push_back({JobKeyText(v.key()), tracker::tracking::JobStateName(from[i]),
                    v.verified() ? ui.StateColor("completed") : ui.StateColor("failed"), v.summary()});
    if (!v.verified()) not_published.push_back(JobKeyText(v.key()));
  }
  if (!args.Has("json")) ui.Table({"JOB", "FROM", "TO", "SONG"}, rows);
  if (!not_published.empty()) {
    if (args.Has("json")) ui.Json(verdicts);
    return ServerError(name, absl::FailedPreconditionError(absl::StrCat(
                                 "not every analysis is PUBLISHED for ", absl::StrJoin(not_published, ", "),
                                 ": nothing changed")));
  }
  if (args.Has("dry-run")) {
    if (args.Has("json")) ui.Json(verdicts);
    else std::cout << "dry run: nothing changed\n";
    return kOk;
  }
  if (int rc = ui.Confirm(name, absl::StrCat("move ", keys.size(), " job(s) to completed/ on main?"),
                          args.Has("yes"))) {
    return rc;
  }
  TransitionJobsRequest req;
  req.mutable_options()->set_branch(tracker::tracking::kMainBranch);
  const std::string admin = Admin();
  if (!admin.empty()) req.mutable_options()->mutable_author()->set_name(admin);
  req.mutable_options()->set_message(absl::StrCat(
      "complete ", keys.size(), " job", keys.size() == 1 ? "" : "s",
      ": analyses all PUBLISHED in SONG (jobctl complete --verify)\n\n",
      absl::StrJoin(keys, "\n", [](std::string* o, const JobKey& k) { o->append(JobKeyText(k)); }),
      "\n"));
  for (size_t i = 0; i < keys.size(); ++i) {
    Transition* t = req.add_transitions();
    *t->mutable_key() = keys[i];
    t->set_from_state(from[i]);
    t->set_to_state(JOB_STATE_COMPLETED);
  }
  WriteResult written;
  st = s.Call([&](grpc::ClientContext* c) { return s.repo->TransitionJobs(c, req, &written); });
  if (!st.ok()) return ServerError(name, st);
  PushMain(s, name);
  if (args.Has("json")) {
    ui.Json(written);
  } else {
    std::cout << keys.size() << " job(s) moved to completed/ (main at " << written.commit().substr(0, 12)
              << ")\n";
  }
  return kOk;
}

int CmdReleaseLost(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  ReleaseLostRunsRequest req;
  std::vector<JobKey> keys;
  if (int rc = ParseJobKeys(name, args, &keys)) return rc;
  for (const JobKey& key : keys) *req.add_jobs() = key;
  req.set_admin(Admin());
  // What would move, checked by the scheduler against its record and the
  // runs as they answer now.
  req.set_dry_run(true);
  ReleaseLostRunsResponse plan;
  absl::Status st =
      s.Call([&](grpc::ClientContext* c) { return s.scheduler->ReleaseLostRuns(c, req, &plan); });
  if (!st.ok()) return ServerError(name, st);
  std::vector<std::vector<std::string>> rows;
  for (const LostRun& l : plan.released()) {
    rows.push_back({JobKeyText(l.key()), l.environment(), l.run_id(), l.reason()});
  }
  if (!args.Has("json")) ui.Table({"JOB", "ENV", "RUN", "LOST BECAUSE"}, rows);
  if (args.Has("dry-run")) {
    if (args.Has("json")) ui.Json(plan);
    else std::cout << "dry run: nothing changed\n";
    return kOk;
  }
  if (int rc = ui.Confirm(name, absl::StrCat("move ", keys.size(), " queued job(s) to failed/?"),
                          args.Has("yes"))) {
    return rc;
  }
  req.set_dry_run(false);
  ReleaseLostRunsResponse out;
  st = s.Call([&](grpc::ClientContext* c) { return s.scheduler->ReleaseLostRuns(c, req, &out); });
  if (!st.ok()) return ServerError(name, st);
  if (args.Has("json")) {
    ui.Json(out);
  } else {
    std::cout << out.released_size() << " job(s) moved to failed/ (scheduler at "
              << out.commit().substr(0, 12) << "); requeue them to run again\n";
  }
  return kOk;
}

void PrintRecoveryStatus(const Ui& ui, const GetStatusResponse& status) {
  for (const auto& e : status.environments()) {
    if (e.disabled()) {
      std::cout << ui.Color(e.name() + " is disabled", "33") << " (" << tracker::tracking::kSettingsPath
                << ": enabled false)\n";
    }
    if (e.settings_size() > 0) {
      std::cout << e.name() << " settings from " << tracker::tracking::kSettingsPath << ": "
                << absl::StrJoin(e.settings(), ", ") << "\n";
    }
  }
  if (status.lost_runs_size() == 0) return;
  std::cout << "\n" << ui.Color("lost runs", "31")
            << " (queued jobs whose run the workflow service does not know; jobctl release-lost "
               "JOB moves them to failed/):\n";
  std::vector<std::vector<std::string>> rows;
  for (const LostRun& l : status.lost_runs()) {
    rows.push_back({JobKeyText(l.key()), l.environment(), l.run_id(), FormatEpoch(l.since_epoch()),
                    l.reason()});
  }
  ui.Table({"JOB", "ENV", "RUN", "SINCE", "WHY"}, rows);
}

void PrintCycleChecks(const Ui& ui, const RunCycleResponse& out) {
  if (!out.settings_note().empty()) std::cout << ui.Color("note: " + out.settings_note(), "33") << "\n";
  if (out.failed_checked_size() == 0) return;
  std::cout << "failed jobs checked in SONG:\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& a : out.failed_checked()) {
    rows.push_back({"  " + JobKeyText(a.key()),
                    ui.StateColor(a.action() == CYCLE_ACTION_PUBLISHED ? "completed" : "waiting"),
                    a.detail()});
  }
  ui.Table({"  JOB", "ACTION", "DETAIL"}, rows);
}

std::vector<Command> WithRecoveryCommands(std::vector<Command> commands) {
  commands.push_back(
      {"set", "change a runtime setting of an environment (kept in the repository)",
       R"(usage: jobctl set ENV KEY VALUE [--dry-run] [--json]

Writes KEY of ENV to jobs/scheduler-settings.yaml on main (one commit,
pushed) and the scheduler obeys it from its next cycle on, also after a
restart; the config file gives every value not set there. Keys:
  max_parallel_runs            0-10000 jobs queued on ENV at most
  excessive_failure_threshold  failures since the last push that stop ENV (0: off)
  workflow_version             the workflow revision new runs start with
  enabled                      true | false (false: ENV's cycle does not run,
                               as when it was commented out of the config)
An unknown key or a bad value is a usage error (exit 2); an environment the
scheduler's config does not have is refused (exit 1); nothing is written.

examples:
  jobctl set rdpc_prod max_parallel_runs 20
  jobctl set rdpc_qa enabled false --dry-run)",
       {}, {"dry-run", "json"}, 3, 3, CmdSet});
  commands.push_back(
      {"complete", "move failed/backlog jobs whose analyses are PUBLISHED to completed/",
       R"(usage: jobctl complete JOB... --verify [--dry-run] [--yes] [--json]

Asks the destination SONG (through the scheduler and azure-verifier)
about every analysis of each job; only when ALL are PUBLISHED are the jobs
moved from failed/ or backlog/ to completed/ on main, in one commit, and
main is pushed. Any job short of that: nothing changes (exit 1). The
scheduler does the same by itself for failed jobs, a few each cycle
(verify_failed_jobs_per_cycle).

examples:
  jobctl complete PACA-CA/2021-07-09/job.0003 --verify --dry-run
  jobctl complete PACA-CA/2021-07-09/job.0003 PACA-CA/2021-07-09/job.0004 --verify --yes)",
       {}, {"verify", "dry-run", "yes", "json"}, 1, -1, CmdComplete});
  commands.push_back(
      {"release-lost", "move queued jobs whose run is lost to failed/",
       R"(usage: jobctl release-lost JOB... [--dry-run] [--yes] [--json]

A queued job whose run the workflow service does not know (404), or that
has stayed UNKNOWN past lost_run_after, is alerted once and listed by
`jobctl status`. This moves such jobs to failed/ (one commit on the
scheduler branch), only when the scheduler has them recorded as lost and
their runs still answer so: a run that may be live is never released.
Requeue them afterwards.

example:
  jobctl release-lost PACA-CA/2021-07-09/job.0007 --yes)",
       {}, {"dry-run", "yes", "json"}, 1, -1, CmdReleaseLost});
  return commands;
}

}  // namespace jobctl
