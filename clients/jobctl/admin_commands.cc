// The admins' hand fixes as commands (each kind the real history shows):
// remove-job, hold, release, revert, and the bulk forms of requeue,
// clear-runs and remove-analysis. Every one follows the same routine
// (PlanAndWrite): merge the scheduler's work into main, ask repo-service
// for a dry run (its checks, the changes, the tip they were planned on),
// show it, ask, then write exactly that plan (expected_tip: main moving in
// between is refused, never applied on top) as one commit, and push main.

#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "clients/jobctl/admin_plan.h"
#include "clients/jobctl/commands.h"
#include "tracking/ids.h"
#include "tracking/layout.h"
#include "tracking/proto.h"

namespace jobctl {

using namespace tracker::v1;  // NOLINT: generated message names
using tracker::tracking::JobKeyText;

namespace {

// The ids named on the command line from position `first` on, then those
// of --file; at least one.
bool CollectIds(const std::string& name, const Args& args, size_t first,
                std::vector<std::string>* ids, int* rc) {
  for (size_t i = first; i < args.positional().size(); ++i) ids->push_back(args.positional()[i]);
  if (!ReadIdFile(name, args, ids, rc)) return false;
  if (ids->empty()) {
    *rc = UsageError(name, args.Has("file") ? absl::StrCat(args.Get("file"), " names nothing")
                                            : "name at least one (or --file=F, one a line)");
    return false;
  }
  return true;
}

// Job keys from the arguments and --file; a usage error names a bad one.
bool CollectJobs(const std::string& name, const Args& args, std::vector<JobKey>* keys, int* rc) {
  std::vector<std::string> texts;
  if (!CollectIds(name, args, 0, &texts, rc)) return false;
  for (const std::string& text : texts) {
    JobKey key;
    if (!ParseJobKey(text, &key)) {
      *rc = NotAJobKey(name, text);
      return false;
    }
    keys->push_back(key);
  }
  return true;
}

template <typename Request>
void SetKeys(const std::vector<JobKey>& keys, Request* req) {
  for (const JobKey& k : keys) *req->add_keys() = k;
}

}  // namespace

void PrintHeldJobs(Services& s) {
  ListJobsRequest req;
  req.add_states(JOB_STATE_ONHOLD);
  req.set_page_size(1);
  ListJobsResponse out;
  absl::Status st = s.Call([&](grpc::ClientContext* c) { return s.repo->ListJobs(c, req, &out); });
  if (st.ok() && out.total_size() > 0) {
    std::cout << "held: " << out.total_size()
              << " job(s) in onhold/, never started (jobctl jobs --state=onhold; jobctl release)\n";
  }
}

int CmdRemoveJob(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  std::vector<JobKey> keys;
  int rc = kOk;
  if (!CollectJobs(name, args, &keys, &rc)) return rc;
  const std::string folder = args.Get("folder");
  if (args.Has("folder") && (!tracker::tracking::IsJobFolder(folder) || folder == "queued")) {
    return UsageError(name, "--folder must be backlog, failed, completed or onhold");
  }
  RemoveJobsRequest req;
  SetKeys(keys, &req);
  req.set_folder(folder);
  return PlanAndWrite(name, s, ui, args, {
      absl::StrCat("delete ", keys.size(), " job folder(s) and their summary lines"), true,
      [&](bool dry_run, const std::string& tip, WriteResult* out) {
        req.set_dry_run(dry_run);
        req.mutable_options()->set_expected_tip(tip);
        return s.Call([&](grpc::ClientContext* c) { return s.repo->RemoveJobs(c, req, out); });
      },
      absl::StrCat("removed ", keys.size(), " job(s)")});
}

int CmdHold(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  std::vector<JobKey> keys;
  int rc = kOk;
  if (!CollectJobs(name, args, &keys, &rc)) return rc;
  HoldJobsRequest req;
  SetKeys(keys, &req);
  return PlanAndWrite(name, s, ui, args, {
      absl::StrCat("hold ", keys.size(), " job(s) in onhold/"), true,
      [&](bool dry_run, const std::string& tip, WriteResult* out) {
        req.set_dry_run(dry_run);
        req.mutable_options()->set_expected_tip(tip);
        return s.Call([&](grpc::ClientContext* c) { return s.repo->HoldJobs(c, req, out); });
      },
      absl::StrCat("held ", keys.size(), " job(s) in onhold/; the scheduler leaves them alone")});
}

int CmdRelease(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  std::vector<JobKey> keys;
  int rc = kOk;
  if (!CollectJobs(name, args, &keys, &rc)) return rc;
  ReleaseJobsRequest req;
  SetKeys(keys, &req);
  const std::string to = args.Get("to", "backlog");
  if (to != "backlog" && to != "failed") return UsageError(name, "--to must be backlog or failed");
  req.set_to_state(to == "failed" ? JOB_STATE_FAILED : JOB_STATE_BACKLOG);
  return PlanAndWrite(name, s, ui, args, {
      absl::StrCat("release ", keys.size(), " held job(s) to ", to, "/"), true,
      [&](bool dry_run, const std::string& tip, WriteResult* out) {
        req.set_dry_run(dry_run);
        req.mutable_options()->set_expected_tip(tip);
        return s.Call([&](grpc::ClientContext* c) { return s.repo->ReleaseJobs(c, req, out); });
      },
      absl::StrCat("released ", keys.size(), " job(s) to ", to, "/")});
}

int CmdRevert(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  const std::string commit = args.positional()[0];
  if (commit.size() < 7 || commit.size() > 40 ||
      commit.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
    return UsageError(name, absl::StrCat("\"", commit.substr(0, 80),
                                         "\" is not a commit id (7 to 40 hex digits)"));
  }
  RevertCommitRequest req;
  req.set_commit(commit);
  return PlanAndWrite(name, s, ui, args, {
      absl::StrCat("revert ", commit, " on main"), true,
      [&](bool dry_run, const std::string& tip, WriteResult* out) {
        req.set_dry_run(dry_run);
        req.mutable_options()->set_expected_tip(tip);
        return s.Call([&](grpc::ClientContext* c) { return s.repo->RevertCommit(c, req, out); });
      },
      absl::StrCat("reverted ", commit)});
}

int CmdClearRuns(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  std::vector<JobKey> keys;
  int rc = kOk;
  if (!CollectJobs(name, args, &keys, &rc)) return rc;
  ClearRunsRequest req;
  req.mutable_options()->set_branch(tracker::tracking::kMainBranch);
  SetKeys(keys, &req);
  return PlanAndWrite(name, s, ui, args, {
      absl::StrCat("delete the run markers of ", keys.size(), " jobs"), keys.size() > 1,
      [&](bool dry_run, const std::string& tip, WriteResult* out) {
        req.set_dry_run(dry_run);
        req.mutable_options()->set_expected_tip(tip);
        return s.Call([&](grpc::ClientContext* c) { return s.repo->ClearRuns(c, req, out); });
      },
      keys.size() == 1
          ? absl::StrCat("cleared the run markers of ", JobKeyText(keys[0]),
                         "; its next start is a fresh run, not a resume")
          : absl::StrCat("cleared the run markers of ", keys.size(),
                         " jobs; their next starts are fresh runs")});
}

int CmdRemoveAnalysis(const std::string& name, Services& s, const Ui& ui, const Args& args) {
  std::vector<std::string> parts = absl::StrSplit(args.positional()[0], '/');
  if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) {
    return UsageError(name, absl::StrCat("\"", args.positional()[0], "\" is not a batch; write STUDY/BATCH"));
  }
  std::vector<std::string> ids;
  int rc = kOk;
  if (!CollectIds(name, args, 1, &ids, &rc)) return rc;
  for (const std::string& id : ids) {
    absl::Status valid = tracker::tracking::ValidateAnalysisId(id);
    if (!valid.ok()) return UsageError(name, std::string(valid.message()));
  }
  RemoveAnalysisRequest req;
  req.mutable_options()->set_branch(tracker::tracking::kMainBranch);
  req.set_study_id(parts[0]);
  req.set_batch_id(parts[1]);
  for (const std::string& id : ids) req.add_analysis_ids(id);
  return PlanAndWrite(name, s, ui, args, {
      absl::StrCat("remove ", ids.size(), " analyses from ", args.positional()[0], "/",
                   tracker::tracking::kSummaryFile),
      ids.size() > 1,
      [&](bool dry_run, const std::string& tip, WriteResult* out) {
        req.set_dry_run(dry_run);
        req.mutable_options()->set_expected_tip(tip);
        return s.Call([&](grpc::ClientContext* c) { return s.repo->RemoveAnalysis(c, req, out); });
      },
      ids.size() == 1 ? absl::StrCat("removed analysis ", ids[0], " from ", args.positional()[0], "/",
                                     tracker::tracking::kSummaryFile)
                      : absl::StrCat("removed ", ids.size(), " analyses from ", args.positional()[0],
                                     "/", tracker::tracking::kSummaryFile)});
}

}  // namespace jobctl
