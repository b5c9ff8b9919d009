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
