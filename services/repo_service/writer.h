#ifndef SERVICES_REPO_SERVICE_WRITER_H_
#define SERVICES_REPO_SERVICE_WRITER_H_

#include <git2.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/repo_service/analysis_index.h"
#include "services/repo_service/current_snapshots.h"
#include "services/repo_service/git_util.h"
#include "services/repo_service/objects/object_store.h"
#include "services/repo_service/objects/tree_editor.h"
#include "services/repo_service/repository_pool.h"
#include "services/repo_service/snapshot.h"
#include "services/repo_service/store_locks.h"
#include "services/repo_service/store_options.h"
#include "services/repo_service/store_types.h"

namespace tracker::repo {

// Every commit to the tracking repository: job transitions, flags, batch
// imports, summary and run edits, merges between branches. One write at a
// time (StoreLocks::write); each builds one commit in memory from the
// branch tip (no work tree, no index) and publishes it with a
// compare-and-swap of the ref, then publishes the branch's next snapshot
// once the commit is durable. Readers are never blocked by a write.
// Thread-safe.
//
// Errors, for every write: INVALID_ARGUMENT for bad input, NOT_FOUND for an
// unknown study, batch, job, flag or analysis, FAILED_PRECONDITION when the
// repository is not in a state the write can apply to (nothing is written),
// ALREADY_EXISTS for a marker, batch or analysis already there, ABORTED
// when `expected_tip` is stale or the write lost a race, UNAVAILABLE when
// another process holds the ref's lock.
// PERMISSION_DENIED unless `options` may write `branch`: only the
// scheduler's identity writes the scheduler branch.
absl::Status CheckBranchAccess(const WriteOptions& options, const std::string& branch);

// The one log line of every write: principal, RPC, branch and commit.
void LogWritten(const WriteOptions& options, const std::string& branch,
                const std::string& commit);

class StoreWriter {
 public:
  // Describes one write's change to the tree of the branch's tip.
  using EditFn = std::function<absl::Status(const Snapshot& tip, objects::TreeEditor& editor)>;

  // `repo` is the writer's own handle on the clone; `lock_fd` any descriptor
  // open on its file system (for syncfs).
  static absl::StatusOr<std::unique_ptr<StoreWriter>> Create(const StoreOptions& options,
                                                             StoreLocks& locks,
                                                             CurrentSnapshots& snapshots,
                                                             RepositoryPool& readers,
                                                             AnalysisIndex& analyses,
                                                             RepositoryPtr repo, int lock_fd);

  // Loads (or reloads) the published snapshot of `branch` from its ref.
  absl::Status LoadBranch(const std::string& branch) ABSL_LOCKS_EXCLUDED(locks_.write);

  // One commit on `branch` of what `edit` does to its tip, with
  // `default_message` unless options.message is set. FAILED_PRECONDITION
  // when the edit changes nothing. With options.dry_run, everything but the
  // publishing: the result names the tip the edit was planned on.
  absl::StatusOr<WriteResult> Commit(const WriteOptions& options, const std::string& branch,
                                     const std::string& default_message, const EditFn& edit)
      ABSL_LOCKS_EXCLUDED(locks_.write);

  // Default branch "scheduler". Moves jobs between state folders, adds and
  // removes run markers; all or nothing.
  absl::StatusOr<WriteResult> TransitionJobs(const WriteOptions& options,
                                             const std::vector<Transition>& transitions);
  // Default branch "main" for a pause, "scheduler" for an excessive-failure
  // flag.
  absl::StatusOr<WriteResult> SetFlag(const WriteOptions& options, FlagKind kind,
                                      const std::string& environment, const std::string& content);
  // Default branch "main".
  absl::StatusOr<WriteResult> ClearFlag(const WriteOptions& options, FlagKind kind,
                                        const std::string& environment);
  // The admins' writes (writer_admin.cc, writer_revert.cc), each one
  // commit, all or nothing, with the changes in the result (planned only
  // with options.dry_run). At most 10000 jobs or analyses per write.
  //
  // Default branch "main": removes every run marker of jobs not in queued/.
  absl::StatusOr<WriteResult> ClearRuns(const WriteOptions& options,
                                        const std::vector<JobKey>& keys);
  // Default branch "main": drops analyses' lines from a batch-summary.tsv,
  // every other byte kept.
  absl::StatusOr<WriteResult> RemoveAnalysis(const WriteOptions& options,
                                             const std::string& study_id,
                                             const std::string& batch_id,
                                             const std::vector<std::string>& analysis_ids);
  // On "main" only: deletes job folders (every copy, or only the one in
  // `folder`) and, when no copy is left, the jobs' summary lines. Refused
  // for a job in queued/ on main or on the scheduler branch.
  absl::StatusOr<WriteResult> RemoveJobs(const WriteOptions& options,
                                         const std::vector<JobKey>& keys,
                                         const std::string& folder);
  // On "main" only: backlog or failed jobs into onhold/ (`hold`), or held
  // jobs out of it into `release_to` (backlog or failed).
  absl::StatusOr<WriteResult> HoldJobs(const WriteOptions& options,
                                       const std::vector<JobKey>& keys, bool hold,
                                       State release_to);
  // On "main" only: undoes `commit` (a non-merge commit of main's history)
  // when every path it changed is still as it left it and none is the
  // scheduler's (tracking::IsSchedulerOwnedPath).
  absl::StatusOr<WriteResult> RevertCommit(const WriteOptions& options,
                                           const std::string& commit);
  // On "main" only: a new batch, validated as a whole (every analysis id new
  // to both branches, in every summary and every job's params.json) before
  // anything is written.
  absl::StatusOr<ImportResult> ImportBatch(const WriteOptions& options, const BatchImport& batch);
  // Merges `source` ("main", "scheduler", "origin/main" or
  // "origin/scheduler") into options.branch, in memory (never conflict
  // markers). FAILED_PRECONDITION on a conflict, or when a merge into
  // scheduler would change queued/ (which the scheduler alone owns).
  absl::StatusOr<MergeResult> Merge(const WriteOptions& options, const std::string& source)
      ABSL_LOCKS_EXCLUDED(locks_.write);

 private:
  StoreWriter(const StoreOptions& options, StoreLocks& locks, CurrentSnapshots& snapshots,
              RepositoryPool& readers, AnalysisIndex& analyses, RepositoryPtr repo,
              std::unique_ptr<objects::ObjectStore> objects);

  absl::StatusOr<WriteResult> CommitLocked(const WriteOptions& options, const std::string& branch,
                                           const std::string& default_message, const EditFn& edit)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(locks_.write);
  absl::StatusOr<MergeResult> MergeLocked(const std::string& source_ref,
                                          const std::string& target, const WriteOptions& options)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(locks_.write);
  absl::StatusOr<git_oid> MergedTree(const git_oid& ours, const git_oid& theirs,
                                     const std::string& target, const std::string& source_ref)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(locks_.write);
  absl::StatusOr<git_oid> AddCommit(const WriteOptions& options, const std::string& message,
                                    const git_oid& tree, const std::vector<git_oid>& parents,
                                    objects::ObjectWrite& objects);
  // Publishes `objects` and moves refs/heads/<branch> from `expected` to
  // `next` (root tree `next_tree`); then publishes the branch's snapshot,
  // parsed while the disk synced.
  absl::Status UpdateBranch(const std::string& branch, const git_oid& expected,
                            const git_oid& next, const git_oid& next_tree,
                            const std::string& reason, objects::ObjectWrite& objects)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(locks_.write);
  // Brings the branch's snapshot to `tip`, or to its ref when null.
  absl::Status RefreshSnapshot(const std::string& branch, const git_oid* tip = nullptr)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(locks_.write);

  const StoreOptions& options_;
  StoreLocks& locks_;
  CurrentSnapshots& snapshots_;
  RepositoryPool& readers_;
  AnalysisIndex& analyses_;
  // libgit2 objects may be used by one thread at a time: this handle is the
  // writer's alone.
  const RepositoryPtr repo_ ABSL_GUARDED_BY(locks_.write);
  const std::unique_ptr<objects::ObjectStore> objects_ ABSL_GUARDED_BY(locks_.write);
  // Trees of the last write's path, for the next write.
  TreeCache recent_trees_ ABSL_GUARDED_BY(locks_.write);
};

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_WRITER_H_
