// StoreWriter's admin writes of many jobs at once, each one commit on main
// (the real history's hand fixes, one per kind): clearing run markers,
// removing summary lines, removing job folders, holding and releasing jobs.
// Each validates the whole request before its edit, and the edit checks
// every job before the commit: one refusal writes nothing.

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "common/status.h"
#include "services/repo_service/writer.h"
#include "services/repo_service/writer_locate.h"
#include "tracking/batch_summary.h"
#include "tracking/ids.h"
#include "tracking/layout.h"

namespace tracker::repo {

using ::tracker::tracking::IsJobFolder;
using ::tracker::tracking::JobDirIn;
using ::tracker::tracking::JobKeyText;
using ::tracker::tracking::QuoteId;
using ::tracker::tracking::StateFolder;
using ::tracker::tracking::SummaryPath;
using ::tracker::tracking::kGitkeep;
using ::tracker::tracking::kMainBranch;
using ::tracker::tracking::kOnholdFolder;
using ::tracker::tracking::kSchedulerBranch;
using objects::TreeEditor;
namespace {

constexpr size_t kMaxItems = 10000;

// Admin writes go to main: the scheduler's branch is its own.
absl::Status OnMainOnly(const WriteOptions& options, const char* write) {
  if (options.branch.empty() || options.branch == kMainBranch) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(write, " writes to main only, not to ",
                                                 QuoteId(options.branch)));
}

// Non-empty, at most kMaxItems, every key valid, none twice.
absl::Status ValidateKeys(const std::vector<JobKey>& keys) {
  if (keys.empty()) return absl::InvalidArgumentError("no jobs given");
  if (keys.size() > kMaxItems) {
    return absl::InvalidArgumentError(
        absl::StrCat(keys.size(), " jobs in one request; at most ", kMaxItems));
  }
  std::set<JobKey> seen;
  for (const JobKey& key : keys) {
    TRACKER_RETURN_IF_ERROR(tracking::ValidateJobKey(key));
    if (!seen.insert(key).second) {
      return absl::InvalidArgumentError(absl::StrCat(JobKeyText(key), " is named twice"));
    }
  }
  return absl::OkStatus();
}

// "A, B, C and 4 more": commit messages name the jobs, within one line.
std::string NameJobs(const std::vector<JobKey>& keys) {
  std::vector<std::string> names;
  for (size_t i = 0; i < keys.size() && i < 5; ++i) names.push_back(JobKeyText(keys[i]));
  std::string out = absl::StrJoin(names, ", ");
  if (keys.size() > names.size()) absl::StrAppend(&out, " and ", keys.size() - names.size(), " more");
  return out;
}

std::string Plural(size_t n, const char* word) {
  return absl::StrCat(n, " ", word, n == 1 ? "" : "s");
}

// The folders of its batch that hold the job, by name.
std::vector<std::string> FoldersOf(const Batch& batch, const std::string& job_id) {
  std::vector<std::string> out;
  for (const auto& [name, folder] : batch.folders) {
    if (folder->Find(job_id) != nullptr) out.push_back(name);
  }
  return out;
}

}  // namespace

absl::Status NotStartedOnScheduler(const Snapshot* scheduler, const JobKey& key) {
  if (scheduler == nullptr) return absl::OkStatus();
  const Batch* batch = scheduler->FindBatch(key.study_id, key.batch_id);
  const Folder* queued = batch != nullptr ? batch->StateFolderOf(State::kQueued) : nullptr;
  if (queued != nullptr && queued->Find(key.job_id) != nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        JobKeyText(key), " is in queued/ on the scheduler branch (started since main last "
                         "merged it); it belongs to the scheduler; nothing was written"));
  }
  return absl::OkStatus();
}

void LogAdminWrite(const char* event, const WriteResult& r, size_t items) {
  if (r.dry_run) return;
  LogInfo(event).Kv("branch", r.branch).Kv("items", static_cast<int64_t>(items))
      .Kv("changes", static_cast<int64_t>(r.changes.size())).Kv("commit", r.commit);
}

absl::StatusOr<WriteResult> StoreWriter::ClearRuns(const WriteOptions& options,
                                                   const std::vector<JobKey>& keys) {
  TRACKER_RETURN_IF_ERROR(ValidateKeys(keys));
  const std::string branch = options.branch.empty() ? kMainBranch : options.branch;
  std::vector<Change> changes;
  auto result = Commit(
      options, branch,
      keys.size() == 1 ? "remove failed jobs run info"
                       : absl::StrCat("remove failed jobs run info (", keys.size(), " jobs)"),
      [&](const Snapshot& snap, TreeEditor& editor) -> absl::Status {
        std::shared_ptr<const Snapshot> scheduler = snapshots_.Get(kSchedulerBranch);
        for (const JobKey& key : keys) {
          TRACKER_ASSIGN_OR_RETURN(Located at, Locate(snap, key));
          if (at.state == State::kQueued) {
            return absl::FailedPreconditionError(absl::StrCat(
                JobKeyText(key), " is in queued/: its run is live; cancel it or wait"));
          }
          if (branch == kMainBranch) TRACKER_RETURN_IF_ERROR(NotStartedOnScheduler(scheduler.get(), key));
          if (at.job->markers.empty()) {
            return absl::FailedPreconditionError(
                absl::StrCat(JobKeyText(key), " has no run markers"));
          }
          const std::string dir = JobDirIn(key.study_id, key.batch_id, at.folder, key.job_id);
          for (const std::string& marker : at.job->markers) {
            TRACKER_RETURN_IF_ERROR(editor.Remove(absl::StrCat(dir, "/", marker)));
            changes.push_back({"remove", absl::StrCat(dir, "/", marker), "run marker"});
          }
        }
        return absl::OkStatus();
      });
  if (!result.ok()) return result;
  result->changes = std::move(changes);
  LogAdminWrite("runs_cleared", *result, keys.size());
  return result;
}

absl::StatusOr<WriteResult> StoreWriter::RemoveAnalysis(
    const WriteOptions& options, const std::string& study_id, const std::string& batch_id,
    const std::vector<std::string>& analysis_ids) {
  TRACKER_RETURN_IF_ERROR(tracking::ValidateStudyId(study_id));
  TRACKER_RETURN_IF_ERROR(tracking::ValidateBatchId(batch_id));
  if (analysis_ids.empty()) return absl::InvalidArgumentError("no analysis ids given");
  if (analysis_ids.size() > kMaxItems) {
    return absl::InvalidArgumentError(
        absl::StrCat(analysis_ids.size(), " analyses in one request; at most ", kMaxItems));
  }
  std::set<std::string> seen;
  for (const std::string& id : analysis_ids) {
    TRACKER_RETURN_IF_ERROR(tracking::ValidateAnalysisId(id));
    if (!seen.insert(id).second) {
      return absl::InvalidArgumentError(absl::StrCat("analysis ", id, " is named twice"));
    }
  }
  const std::string branch = options.branch.empty() ? kMainBranch : options.branch;
  const std::string path = SummaryPath(study_id, batch_id);
  std::vector<Change> changes;
  auto result = Commit(
      options, branch,
      analysis_ids.size() == 1
          ? absl::StrCat(study_id, ": remove analysis ", analysis_ids[0], " from batch-summary.tsv")
          : absl::StrCat(study_id, ": remove ", analysis_ids.size(), " analyses from ", batch_id,
                         "/batch-summary.tsv"),
      [&](const Snapshot& snap, TreeEditor& editor) -> absl::Status {
        const Batch* batch = snap.FindBatch(study_id, batch_id);
        if (batch == nullptr || !batch->has_summary) {
          return absl::NotFoundError(absl::StrCat("unknown batch ", study_id, "/", batch_id));
        }
        std::map<std::string, std::string> job_of;
        for (const tracking::SummaryLine& line : batch->summary->summary.lines) {
          job_of[line.analysis_id] = line.job_id;
        }
        const Folder* queued = batch->StateFolderOf(State::kQueued);
        for (const std::string& id : analysis_ids) {
          auto job = job_of.find(id);
          if (job == job_of.end()) {
            // Named as admins name the file, from the study (the excerpt
            // test pins it).
            return absl::NotFoundError(absl::StrCat("analysis ", id, " is not in ", study_id, "/",
                                                    batch_id, "/", tracking::kSummaryFile));
          }
          if (queued != nullptr && queued->Find(job->second) != nullptr) {
            return absl::FailedPreconditionError(absl::StrCat(
                "analysis ", id, " belongs to ", job->second, ", which is in queued/ with a live run"));
          }
          changes.push_back({"edit", path, absl::StrCat("line of analysis ", id, " (", job->second, ") removed")});
        }
        // Edit the stored bytes (not a re-serialization): comments and every
        // other line stay exactly as they were. The blob is immutable: read
        // through a handle of its own.
        TRACKER_ASSIGN_OR_RETURN(RepositoryPool::Lease lease, readers_.Acquire());
        TRACKER_ASSIGN_OR_RETURN(std::string text, ReadBlob(lease.get(), batch->summary_blob));
        for (const std::string& id : analysis_ids) {
          TRACKER_ASSIGN_OR_RETURN(text, tracking::RemoveAnalysisLine(text, id));
        }
        return editor.PutBlob(path, text);
      });
  if (!result.ok()) return result;
  result->changes = std::move(changes);
  LogAdminWrite("analysis_removed", *result, analysis_ids.size());
  return result;
}

absl::StatusOr<WriteResult> StoreWriter::RemoveJobs(const WriteOptions& options,
                                                    const std::vector<JobKey>& keys,
                                                    const std::string& only_folder) {
  TRACKER_RETURN_IF_ERROR(OnMainOnly(options, "RemoveJobs"));
  TRACKER_RETURN_IF_ERROR(ValidateKeys(keys));
  if (!only_folder.empty() &&
      (!IsJobFolder(only_folder) || only_folder == StateFolder(State::kQueued))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "folder ", QuoteId(only_folder), " must be backlog, failed, completed or onhold"));
  }
  std::vector<Change> changes;
  auto result = Commit(
      options, kMainBranch,
      absl::StrCat("remove-job: delete ", Plural(keys.size(), "job"),
                   only_folder.empty() ? "" : absl::StrCat(" from ", only_folder, "/"), " (",
                   NameJobs(keys), ")"),
      [&](const Snapshot& snap, TreeEditor& editor) -> absl::Status {
        std::shared_ptr<const Snapshot> scheduler = snapshots_.Get(kSchedulerBranch);
        // Summary text per batch, edited job by job, written once.
        std::map<std::string, std::pair<const Batch*, std::string>> summaries;
        for (const JobKey& key : keys) {
          TRACKER_ASSIGN_OR_RETURN(Located at, Locate(snap, key));
          std::vector<std::string> folders = FoldersOf(*at.batch, key.job_id);
          for (const std::string& f : folders) {
            if (f == StateFolder(State::kQueued)) {
              return absl::FailedPreconditionError(absl::StrCat(
                  JobKeyText(key), " is in queued/, which belongs to the scheduler; cancel its "
                                   "run and remove it once it has failed; nothing was written"));
            }
          }
          TRACKER_RETURN_IF_ERROR(NotStartedOnScheduler(scheduler.get(), key));
          std::vector<std::string> removed = folders;
          if (!only_folder.empty()) {
            if (std::find(folders.begin(), folders.end(), only_folder) == folders.end()) {
              return absl::NotFoundError(absl::StrCat(JobKeyText(key), " is not in ", only_folder,
                                                      "/ (it is in ", absl::StrJoin(folders, "/, "),
                                                      "/)"));
            }
            removed = {only_folder};
          }
          for (const std::string& f : removed) {
            const std::string dir = JobDirIn(key.study_id, key.batch_id, f, key.job_id);
            TRACKER_RETURN_IF_ERROR(editor.Remove(dir));
            changes.push_back({"remove", dir, "job folder"});
          }
          // A copy left elsewhere is still the job: its lines stay.
          if (removed.size() < folders.size() || !at.batch->has_summary) continue;
          auto& [batch, text] = summaries[SummaryPath(key.study_id, key.batch_id)];
          if (batch == nullptr) {
            batch = at.batch;
            TRACKER_ASSIGN_OR_RETURN(RepositoryPool::Lease lease, readers_.Acquire());
            TRACKER_ASSIGN_OR_RETURN(text, ReadBlob(lease.get(), at.batch->summary_blob));
          }
          int lines = 0;
          text = tracking::RemoveJobLines(text, key.job_id, &lines);
          if (lines > 0) {
            changes.push_back({"edit", SummaryPath(key.study_id, key.batch_id),
                               absl::StrCat(Plural(lines, "line"), " of ", key.job_id, " removed")});
          }
        }
        for (const auto& [path, edited] : summaries) {
          TRACKER_RETURN_IF_ERROR(editor.PutBlob(path, edited.second));
        }
        return absl::OkStatus();
      });
  if (!result.ok()) return result;
  result->changes = std::move(changes);
  LogAdminWrite("jobs_removed", *result, keys.size());
  return result;
}

absl::StatusOr<WriteResult> StoreWriter::HoldJobs(const WriteOptions& options,
                                                  const std::vector<JobKey>& keys, bool hold,
                                                  State release_to) {
  const char* write = hold ? "HoldJobs" : "ReleaseJobs";
  TRACKER_RETURN_IF_ERROR(OnMainOnly(options, write));
  TRACKER_RETURN_IF_ERROR(ValidateKeys(keys));
  if (!hold && release_to != State::kBacklog && release_to != State::kFailed) {
    return absl::InvalidArgumentError("held jobs are released to backlog or failed only");
  }
  const std::string to = hold ? kOnholdFolder : StateFolder(release_to);
  std::vector<Change> changes;
  auto result = Commit(
      options, kMainBranch,
      absl::StrCat(hold ? "hold: move " : "release: move ", Plural(keys.size(), "job"),
                   hold ? " to onhold/ (" : absl::StrCat(" from onhold/ to ", to, "/ ("),
                   NameJobs(keys), ")"),
      [&](const Snapshot& snap, TreeEditor& editor) -> absl::Status {
        std::shared_ptr<const Snapshot> scheduler = snapshots_.Get(kSchedulerBranch);
        for (const JobKey& key : keys) {
          TRACKER_ASSIGN_OR_RETURN(Located at, Locate(snap, key));
          std::vector<std::string> folders = FoldersOf(*at.batch, key.job_id);
          if (folders.size() > 1) {
            return absl::FailedPreconditionError(absl::StrCat(
                JobKeyText(key), " is in ", absl::StrJoin(folders, "/ and "),
                "/; remove the wrong copy first (jobctl remove-job --folder=F)"));
          }
          const bool held = at.folder == kOnholdFolder;
          if (hold && at.state != State::kBacklog && at.state != State::kFailed) {
            return absl::FailedPreconditionError(absl::StrCat(
                JobKeyText(key), " is in ", at.folder, "/; only backlog and failed jobs are held",
                at.state == State::kQueued ? " (queued/ belongs to the scheduler)" : ""));
          }
          if (!hold && !held) {
            return absl::FailedPreconditionError(
                absl::StrCat(JobKeyText(key), " is in ", at.folder, "/, not held in onhold/"));
          }
          if (hold) TRACKER_RETURN_IF_ERROR(NotStartedOnScheduler(scheduler.get(), key));
          const std::string from_dir = JobDirIn(key.study_id, key.batch_id, at.folder, key.job_id);
          TRACKER_RETURN_IF_ERROR(editor.Remove(from_dir));
          TRACKER_RETURN_IF_ERROR(
              editor.PutTree(JobDirIn(key.study_id, key.batch_id, to, key.job_id), at.job->tree));
          if (at.batch->folders.count(to) == 0) {
            // A batch missing the folder gets it in the usual form (the real
            // repository's admins made onhold/ with a .gitkeep too).
            TRACKER_RETURN_IF_ERROR(editor.PutBlob(
                absl::StrCat(tracking::BatchDir(key.study_id, key.batch_id), "/", to, "/", kGitkeep),
                ""));
          }
          changes.push_back({"move", from_dir, absl::StrCat("to ", to, "/")});
        }
        return absl::OkStatus();
      });
  if (!result.ok()) return result;
  result->changes = std::move(changes);
  LogAdminWrite(hold ? "jobs_held" : "jobs_released", *result, keys.size());
  return result;
}

}  // namespace tracker::repo
