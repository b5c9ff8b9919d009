// jobctl requeue: failed jobs back to backlog (resumed, or --fresh with
// their runs cleared), or --from=completed to run completed jobs again;
// named, from --file, or every failed job of a study. Any number of jobs,
// one commit on main (the real history moved up to 255 jobs in one).

#include <iostream>
#include <set>

#include "absl/strings/str_cat.h"
#include "clients/jobctl/admin_plan.h"
#include "clients/jobctl/commands.h"
#include "tracking/ids.h"
#include "tracking/layout.h"
#include "tracking/proto.h"

namespace jobctl {

using namespace tracker::v1;  // NOLINT: generated message names
using tracker::tracking::JobKeyText;
using tracker::tracking::JobStateName;

namespace {

// Named jobs: each must be in `from` on `branch`; `without_runs` collects
// those with no marker (nothing for --fresh to clear).
int CheckNamedJobs(const std::string& name, Services& s, const std::string& branch,
                   JobState from, const std::vector<JobKey>& keys,
                   std::set<std::string>* without_runs) {
  for (const JobKey& key : keys) {
    GetJobRequest req;
    req.set_branch(branch);
    *req.mutable_key() = key;
    Job job;
    absl::Status st = s.Call([&](grpc::ClientContext* c) { return s.repo->GetJob(c, req, &job); });
    if (!st.ok()) return ServerError(name, st);
    if (job.state() == JOB_STATE_QUEUED) {
      return ServerError(name, absl::FailedPreconditionError(absl::StrCat(
                                   JobKeyText(key), " is in queued/, which belongs to the scheduler; "
                                   "cancel its run (jobctl cancel) and requeue it once it has failed")));
    }
    if (job.state() != from) {
      return ServerError(name, absl::FailedPreconditionError(absl::StrCat(
                                   JobKeyText(key), " is in ", JobStateName(job.state()), "/; only ",
                                   JobStateName(from), " jobs are requeued",
                                   from == JOB_STATE_FAILED ? "" : " with --from=completed")));
    }
    if (job.runs_size() == 0) without_runs->insert(JobKeyText(key));
  }
  return kOk;
}

}  // namespace

int CmdRequeue(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  const bool by_study = args.Has("study");
  if (by_study == (!args.positional().empty() || args.Has("file"))) {
    return UsageError(name, "name jobs (STUDY/BATCH/JOB ... or --file=F) or --study=STUDY [--batch=BATCH], not both");
  }
  if (args.Has("batch") && !by_study) return UsageError(name, "--batch goes with --study");
  const std::string from_name = args.Get("from", "failed");
  if (from_name != "failed" && from_name != "completed") {
    return UsageError(name, "--from must be failed (the default) or completed");
  }
  const JobState from = from_name == "failed" ? JOB_STATE_FAILED : JOB_STATE_COMPLETED;
  std::vector<JobKey> keys;
  if (!by_study) {
    std::vector<std::string> texts(args.positional().begin(), args.positional().end());
    int rc = kOk;
    if (!ReadIdFile(name, args, &texts, &rc)) return rc;
    for (const std::string& text : texts) {
      JobKey key;
      if (!ParseJobKey(text, &key)) return NotAJobKey(name, text);
      keys.push_back(key);
    }
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
    req.add_states(from);
    req.set_page_size(10000);
    ListJobsResponse out;
    absl::Status st = s.Call([&](grpc::ClientContext* c) { return s.repo->ListJobs(c, req, &out); });
    if (!st.ok()) return ServerError(name, st);
    for (const auto& j : out.jobs()) {
      moves.push_back(j.key());
      if (j.run_count() == 0) without_runs.insert(JobKeyText(j.key()));
    }
    if (moves.empty()) {
      std::cout << "no " << from_name << " jobs in " << args.Get("study")
                << (args.Has("batch") ? "/" + args.Get("batch") : "") << "; nothing to do\n";
      return kOk;
    }
  } else {
    if (int rc = CheckNamedJobs(name, s, branch, from, keys, &without_runs)) return rc;
    moves = keys;
  }
  if (!args.Has("json")) {
    for (const JobKey& k : moves) std::cout << JobKeyText(k) << "  " << from_name << " -> backlog\n";
  }
  if (dry_run) {
    if (!args.Has("json")) std::cout << "dry run: " << moves.size() << " jobs would move; nothing was written\n";
    return kOk;
  }

  // One commit: with --fresh each job's markers go in the same move, so no
  // job is ever in backlog with runs about to be cleared.
  const bool fresh = args.Has("fresh");
  TransitionJobsRequest req;
  req.mutable_options()->set_branch(tracker::tracking::kMainBranch);
  const std::string count = absl::StrCat(moves.size(), " ", from_name, " job", moves.size() == 1 ? "" : "s");
  req.mutable_options()->set_message(
      from == JOB_STATE_COMPLETED
          ? absl::StrCat("requeue --from=completed: move ", count, " to backlog to run again")
          : absl::StrCat("move ", count, " to backlog ",
                         fresh ? "with their runs cleared (requeue --fresh)" : "for resume"));
  for (const JobKey& k : moves) {
    Transition* t = req.add_transitions();
    *t->mutable_key() = k;
    t->set_from_state(from);  // refused if the job moved meanwhile
    t->set_to_state(JOB_STATE_BACKLOG);
    t->set_clear_runs(fresh && without_runs.count(JobKeyText(k)) == 0);
  }
  const std::string done =
      fresh ? absl::StrCat("requeued ", moves.size(),
                           " jobs with their runs cleared; any environment starts each afresh")
            : absl::StrCat("requeued ", moves.size(), " jobs; each ",
                           from == JOB_STATE_COMPLETED ? "runs again" : "resumes its last run",
                           " at the next cycle");
  return PlanAndWrite(
      name, s, ui, args,
      {from == JOB_STATE_COMPLETED
           ? absl::StrCat("run ", moves.size(), " completed job(s) again (their analyses are transferred again)")
           : absl::StrCat("move ", moves.size(), " failed jobs back to backlog"),
       // A completed job runs again only when asked; one failed job is the
       // everyday case and goes unasked.
       moves.size() > 1 || from == JOB_STATE_COMPLETED,
       [&](bool plan_only, const std::string& tip, WriteResult* out) {
         req.set_dry_run(plan_only);
         req.mutable_options()->set_expected_tip(tip);
         return s.Call([&](grpc::ClientContext* c) { return s.repo->TransitionJobs(c, req, out); });
       },
       done},
      /*merge_first=*/false);
}

}  // namespace jobctl
