// Commands that change the tracking repository, always on main (SPEC.md
// section 5): the scheduler's work is merged into main first, the change is
// one commit through repo-service, and main is pushed afterwards.

#include <algorithm>
#include <dirent.h>

#include <iostream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "clients/jobctl/batch.h"
#include "clients/jobctl/commands.h"
#include "tracking/ids.h"
#include "tracking/proto.h"
#include "tracking/layout.h"

namespace jobctl {

using namespace tracker::v1;  // NOLINT: generated message names

namespace {

bool IsDirectory(const std::string& path) {
  DIR* d = opendir(path.c_str());
  if (d == nullptr) return false;
  closedir(d);
  return true;
}

// Env names follow the repository's rules (they become file names).
int CheckEnvironment(const std::string& name, const std::string& env) {
  absl::Status valid = tracker::tracking::ValidateEnvironment(env);
  if (!valid.ok()) return UsageError(name, std::string(valid.message()));
  return kOk;
}

// Refuses an environment the scheduler does not know, when the scheduler
// can be asked; a flag for a typo would silently do nothing.
int CheckKnownEnvironment(const std::string& name, Services& s, const std::string& env) {
  absl::StatusOr<std::vector<std::string>> known = KnownEnvironments(s);
  if (!known.ok()) {
    std::cerr << "jobctl " << name << ": warning: cannot ask the scheduler which environments exist ("
              << known.status().message() << "); going on\n";
    return kOk;
  }
  if (std::find(known->begin(), known->end(), env) != known->end()) return kOk;
  return ServerError(name, absl::NotFoundError(absl::StrCat(
                               "unknown compute environment \"", env, "\"; configured: ",
                               absl::StrJoin(*known, ", "))));
}

void PrintWritten(const Ui& ui, const Args& args, const WriteResult& r, const std::string& what) {
  if (args.Has("json")) {
    ui.Json(r);
  } else {
    std::cout << what << " (" << r.branch() << " at " << r.commit().substr(0, 12) << ")\n";
  }
}

// Merge, write, push: the admin's routine around one change on main.
int WriteOnMain(const std::string& name, Services& s,
                const std::function<absl::Status()>& write) {
  if (int rc = MergeSchedulerFirst(name, s)) return rc;
  absl::Status written = write();
  if (!written.ok()) return ServerError(name, written);
  PushMain(s, name);
  return kOk;
}

}  // namespace

int ImportPlannedBatch(const std::string& name, Services& s, const Ui& ui, const Args& args,
                       const std::string& study, const std::string& batch, const BatchPlan& plan,
                       const std::string& message) {
  ImportBatchRequest req;
  req.mutable_options()->set_branch(tracker::tracking::kMainBranch);
  req.mutable_options()->set_message(message);
  req.set_study_id(study);
  req.set_batch_id(batch);
  req.set_summary_tsv(plan.summary_tsv);
  for (const auto& [job, text] : plan.params_json) (*req.mutable_params_json())[job] = text;

  // The server's checks first (every analysis id unique across ALL
  // batches), without writing anything.
  ui.Progress(absl::StrCat("checking ", plan.jobs.size(), " jobs against the repository..."));
  req.set_dry_run(true);
  ImportBatchResponse checked;
  absl::Status st = s.Call([&](grpc::ClientContext* c) { return s.repo->ImportBatch(c, req, &checked); });
  if (!st.ok()) return ServerError(name, st);

  if (!args.Has("json")) {
    std::vector<std::vector<std::string>> rows;
    for (const PlannedJob& job : plan.jobs) {
      rows.push_back({job.job_id, std::to_string(job.analysis_ids.size()), FormatBytes(job.bytes)});
    }
    ui.Table({"JOB", "ANALYSES", "SIZE"}, rows);
    std::cout << study << "/" << batch << ": " << checked.job_count() << " jobs, "
              << checked.analysis_count() << " analyses, " << FormatBytes(checked.total_bytes())
              << ", into backlog/ on main\n";
  }
  if (args.Has("dry-run")) {
    if (args.Has("json")) ui.Json(checked);
    else std::cout << "dry run: the batch is valid; nothing was written\n";
    return kOk;
  }
  if (int rc = ui.Confirm(name, absl::StrCat("add ", checked.job_count(), " jobs to ", study, "/", batch),
                          args.Has("yes"))) {
    return rc;
  }
  req.set_dry_run(false);
  ImportBatchResponse added;
  int rc = WriteOnMain(name, s, [&] {
    return s.Call([&](grpc::ClientContext* c) { return s.repo->ImportBatch(c, req, &added); });
  });
  if (rc != kOk) return rc;
  PrintWritten(ui, args, added.result(), absl::StrCat("added ", added.job_count(), " jobs to ", study, "/", batch));
  return kOk;
}

int CmdAddBatch(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  const std::string study = args.positional()[0], batch = args.positional()[1];
  for (const absl::Status& valid :
       {tracker::tracking::ValidateStudyId(study), tracker::tracking::ValidateBatchId(batch)}) {
    if (!valid.ok()) return UsageError(name, std::string(valid.message()));
  }
  const std::string dir = args.Get("from-dir");
  const bool from_dir = !dir.empty();
  if (from_dir == args.Has("template")) {
    return UsageError(name, "give either --template=FILE (with --summary) or --from-dir=DIR");
  }
  std::string summary_path = args.Get("summary");
  if (summary_path.empty() && from_dir) summary_path = absl::StrCat(dir, "/", tracker::tracking::kSummaryFile);
  if (summary_path.empty()) return UsageError(name, "--summary=FILE is required with --template");
  std::string summary;
  if (!ReadTextFile(summary_path, &summary)) {
    return UsageError(name, absl::StrCat("cannot read the batch summary ", summary_path));
  }
  auto plan = PlanFromSummary(summary);
  if (!plan.ok()) return UsageError(name, absl::StrCat(summary_path, ": ", plan.status().message()));

  if (from_dir) {
    if (!IsDirectory(dir)) return UsageError(name, absl::StrCat(dir, " is not a directory"));
    // DIR/<job_id>/params.json, as a batch folder holds them.
    for (const PlannedJob& job : plan->jobs) {
      std::string path = absl::StrCat(dir, "/", job.job_id, "/", tracker::tracking::kParamsFile);
      std::string text;
      if (!ReadTextFile(path, &text)) {
        return UsageError(name, absl::StrCat(job.job_id, " is in the summary but ", path,
                                             " cannot be read"));
      }
      plan->params_json[job.job_id] = std::move(text);
    }
  } else {
    std::string path = args.Get("template"), text;
    if (!ReadTextFile(path, &text)) return UsageError(name, absl::StrCat("cannot read the template ", path));
    absl::Status filled = FillFromTemplate(study, text, &*plan);
    if (!filled.ok()) return UsageError(name, absl::StrCat(path, ": ", filled.message()));
  }

  return ImportPlannedBatch(name, s, ui, args, study, batch, *plan, "");
}

int CmdRequeue(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  const bool by_study = args.Has("study");
  if (by_study == !args.positional().empty()) {
    return UsageError(name, "name jobs (STUDY/BATCH/JOB ...) or --study=STUDY [--batch=BATCH], not both");
  }
  if (args.Has("batch") && !by_study) return UsageError(name, "--batch goes with --study");
  std::vector<JobKey> keys;
  for (const std::string& text : args.positional()) {
    JobKey key;
    if (!ParseJobKey(text, &key)) {
      return NotAJobKey(name, text);
    }
    keys.push_back(key);
  }

  // Decide on main after the scheduler's latest work is in it (a job the
  // scheduler just failed is only failed there). A dry run writes nothing,
  // so it reads the scheduler's branch, where job states are newest.
  const bool dry_run = args.Has("dry-run");
  const std::string branch =
      dry_run ? tracker::tracking::kSchedulerBranch : tracker::tracking::kMainBranch;
  if (!dry_run) {
    if (int rc = MergeSchedulerFirst(name, s)) return rc;
  }
  std::vector<JobKey> moves;
  std::set<std::string> without_runs;  // nothing for --fresh to clear
  if (by_study) {
    ListJobsRequest req;
    req.set_branch(branch);
    req.add_study_ids(args.Get("study"));
    req.set_batch_id(args.Get("batch"));
    req.add_states(JOB_STATE_FAILED);
    req.set_page_size(10000);
    ListJobsResponse out;
    absl::Status st = s.Call([&](grpc::ClientContext* c) { return s.repo->ListJobs(c, req, &out); });
    if (!st.ok()) return ServerError(name, st);
    for (const auto& j : out.jobs()) {
      moves.push_back(j.key());
      if (j.run_count() == 0) without_runs.insert(tracker::tracking::JobKeyText(j.key()));
    }
    if (moves.empty()) {
      std::cout << "no failed jobs in " << args.Get("study")
                << (args.Has("batch") ? "/" + args.Get("batch") : "") << "; nothing to do\n";
      return kOk;
    }
  } else {
    for (const JobKey& key : keys) {
      GetJobRequest req;
      req.set_branch(branch);
      *req.mutable_key() = key;
      Job job;
      absl::Status st = s.Call([&](grpc::ClientContext* c) { return s.repo->GetJob(c, req, &job); });
      if (!st.ok()) return ServerError(name, st);
      if (job.state() == JOB_STATE_QUEUED) {
        return ServerError(name, absl::FailedPreconditionError(absl::StrCat(
                                     tracker::tracking::JobKeyText(key), " is in queued/, which belongs to the scheduler; "
                                     "cancel its run (jobctl cancel) and requeue it once it has failed")));
      }
      if (job.state() != JOB_STATE_FAILED) {
        return ServerError(name, absl::FailedPreconditionError(absl::StrCat(
                                     tracker::tracking::JobKeyText(key), " is in ", tracker::tracking::JobStateName(job.state()),
                                     "/; only failed jobs are requeued")));
      }
      moves.push_back(key);
      if (job.runs_size() == 0) without_runs.insert(tracker::tracking::JobKeyText(key));
    }
  }
  if (!args.Has("json")) {
    for (const JobKey& k : moves) std::cout << tracker::tracking::JobKeyText(k) << "  failed -> backlog\n";
  }
  if (dry_run) {
    if (!args.Has("json")) std::cout << "dry run: " << moves.size() << " jobs would move; nothing was written\n";
    return kOk;
  }
  if (moves.size() > 1) {
    if (int rc = ui.Confirm(name, absl::StrCat("move ", moves.size(), " failed jobs back to backlog"),
                            args.Has("yes"))) {
      return rc;
    }
  }
  if (args.Has("fresh")) {
    // Runs cleared first: a job left failed with no runs is harmless, while
    // one in backlog with its runs could be resumed before they go.
    for (const JobKey& k : moves) {
      if (without_runs.count(tracker::tracking::JobKeyText(k))) continue;
      ClearRunsRequest clear;
      *clear.mutable_key() = k;
      clear.mutable_options()->set_branch(tracker::tracking::kMainBranch);
      WriteResult cleared;
      absl::Status st =
          s.Call([&](grpc::ClientContext* c) { return s.repo->ClearRuns(c, clear, &cleared); });
      if (!st.ok()) return ServerError(name, st);
    }
  }
  TransitionJobsRequest req;
  req.mutable_options()->set_branch(tracker::tracking::kMainBranch);
  req.mutable_options()->set_message(
      absl::StrCat("move ", moves.size(), " failed job", moves.size() == 1 ? "" : "s", " to backlog for resume"));
  for (const JobKey& k : moves) {
    Transition* t = req.add_transitions();
    *t->mutable_key() = k;
    t->set_from_state(JOB_STATE_FAILED);  // refused if the job moved meanwhile
    t->set_to_state(JOB_STATE_BACKLOG);
  }
  ui.Progress(absl::StrCat("moving ", moves.size(), " jobs..."));
  WriteResult result;
  absl::Status st = s.Call([&](grpc::ClientContext* c) { return s.repo->TransitionJobs(c, req, &result); });
  if (!st.ok()) return ServerError(name, st);
  PushMain(s, name);
  PrintWritten(ui, args, result,
               args.Has("fresh")
                   ? absl::StrCat("requeued ", moves.size(),
                                  " jobs with their runs cleared; any environment starts each afresh")
                   : absl::StrCat("requeued ", moves.size(), " jobs; each resumes its last run at the next cycle"));
  return kOk;
}

int CmdClearRuns(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  ClearRunsRequest req;
  if (!ParseJobKey(args.positional()[0], req.mutable_key())) {
    return NotAJobKey(name, args.positional()[0]);
  }
  req.mutable_options()->set_branch(tracker::tracking::kMainBranch);
  WriteResult result;
  int rc = WriteOnMain(name, s, [&] {
    return s.Call([&](grpc::ClientContext* c) { return s.repo->ClearRuns(c, req, &result); });
  });
  if (rc != kOk) return rc;
  PrintWritten(ui, args, result,
               absl::StrCat("cleared the run markers of ", tracker::tracking::JobKeyText(req.key()),
                            "; its next start is a fresh run, not a resume"));
  return kOk;
}

int CmdRemoveAnalysis(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  std::vector<std::string> parts = absl::StrSplit(args.positional()[0], '/');
  if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) {
    return UsageError(name, absl::StrCat("\"", args.positional()[0], "\" is not a batch; write STUDY/BATCH"));
  }
  RemoveAnalysisRequest req;
  req.mutable_options()->set_branch(tracker::tracking::kMainBranch);
  req.set_study_id(parts[0]);
  req.set_batch_id(parts[1]);
  req.set_analysis_id(args.positional()[1]);
  WriteResult result;
  int rc = WriteOnMain(name, s, [&] {
    return s.Call([&](grpc::ClientContext* c) { return s.repo->RemoveAnalysis(c, req, &result); });
  });
  if (rc != kOk) return rc;
  PrintWritten(ui, args, result,
               absl::StrCat("removed analysis ", req.analysis_id(), " from ", args.positional()[0],
                            "/", tracker::tracking::kSummaryFile));
  return kOk;
}

int CmdPause(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  const std::string env = args.positional()[0];
  if (int rc = CheckEnvironment(name, env)) return rc;
  if (int rc = CheckKnownEnvironment(name, s, env)) return rc;
  SetFlagRequest req;
  req.mutable_options()->set_branch(tracker::tracking::kMainBranch);
  req.mutable_flag()->set_kind(FLAG_KIND_PAUSE);
  req.mutable_flag()->set_environment(env);
  req.mutable_flag()->set_content(args.Get("reason"));
  WriteResult result;
  int rc = WriteOnMain(name, s, [&] {
    return s.Call([&](grpc::ClientContext* c) { return s.repo->SetFlag(c, req, &result); });
  });
  if (rc != kOk) return rc;
  PrintWritten(ui, args, result,
               absl::StrCat("paused ", env, ": no new starts from the next cycle; running jobs go on"));
  return kOk;
}

// Clears a flag on main; the scheduler merges main and sees it gone.
int ClearFlagOnMain(const std::string& name, Services& s, const Ui& ui, const Args& args,
                    FlagKind kind, const std::string& done) {
  const std::string env = args.positional()[0];
  if (int rc = CheckEnvironment(name, env)) return rc;
  ClearFlagRequest req;
  req.mutable_options()->set_branch(tracker::tracking::kMainBranch);
  req.set_kind(kind);
  req.set_environment(env);
  WriteResult result;
  int rc = WriteOnMain(name, s, [&] {
    return s.Call([&](grpc::ClientContext* c) { return s.repo->ClearFlag(c, req, &result); });
  });
  if (rc != kOk) return rc;
  PrintWritten(ui, args, result, done + env + " from the next cycle");
  return kOk;
}

int CmdUnpause(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  return ClearFlagOnMain(name, s, ui, args, FLAG_KIND_PAUSE, "new starts resume on ");
}

int CmdClearFailureFlag(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  return ClearFlagOnMain(name, s, ui, args, FLAG_KIND_EXCESSIVE_FAILURE, "scheduling resumes on ");
}

}  // namespace jobctl
