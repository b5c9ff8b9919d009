#ifndef SERVICES_REPO_SERVICE_SYNC_H_
#define SERVICES_REPO_SERVICE_SYNC_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "common/retry.h"
#include "services/repo_service/remote.h"
#include "services/repo_service/repository_pool.h"
#include "services/repo_service/store_locks.h"
#include "services/repo_service/store_options.h"
#include "services/repo_service/store_types.h"
#include "services/repo_service/writer.h"

namespace tracker::repo {

// The exchanges with the remote: fetch, push, and how far each branch is
// ahead of it. One exchange at a time (StoreLocks::sync), over a handle of
// its own from `repos`; the network I/O and the backoff sleeps between push
// attempts hold no other lock, so reads and writes go on meanwhile. Local
// branches move only through `writer` (a merge of what was fetched), under
// the write lock: a write that lands while a push is on the wire is simply
// not in that push, and is pushed next time. Pushes are never forced: a
// rejected push is fetched, merged and retried through the shared Retrier.
// Thread-safe.
//
// Errors: UNAVAILABLE when the remote cannot be reached (nothing changed
// locally); ABORTED when every push attempt was rejected; the writer's
// errors for the merge of what was fetched (FAILED_PRECONDITION on a
// conflict or a change to queued/).
class StoreSync {
 public:
  // `remote` null: libgit2 with the credentials of `options`.
  StoreSync(const StoreOptions& options, StoreLocks& locks, StoreWriter& writer,
            RepositoryPool& repos);

  // Fetches both branches and merges each remote branch into its local one
  // (fast-forward, or a merge commit when both moved). Returns main's then
  // scheduler's status.
  absl::StatusOr<std::vector<BranchStatus>> Fetch() ABSL_LOCKS_EXCLUDED(locks_.sync);
  // Pushes `branch` ("" = scheduler); `max_attempts` 0 = the store's
  // default.
  absl::StatusOr<PushResult> Push(const std::string& branch, int max_attempts)
      ABSL_LOCKS_EXCLUDED(locks_.sync);
  // Both branches against the remote-tracking refs, and the remote's URL
  // without credentials. Takes no lock.
  absl::StatusOr<SyncStatus> Status() const;

 private:
  absl::Status FetchLocked(git_repository* repo) ABSL_EXCLUSIVE_LOCKS_REQUIRED(locks_.sync);
  // Merges refs/remotes/origin/<branch> into <branch> when it exists.
  absl::Status MergeRemote(git_repository* repo, const std::string& branch,
                           const std::string& message) ABSL_EXCLUSIVE_LOCKS_REQUIRED(locks_.sync);
  absl::StatusOr<BranchStatus> StatusOf(git_repository* repo, const std::string& branch) const;
  std::string LastPushPath(git_repository* repo, const std::string& branch) const;

  const StoreOptions& options_;
  StoreLocks& locks_;
  StoreWriter& writer_;
  RepositoryPool& repos_;
  const std::shared_ptr<Remote> remote_;
  Clock* const clock_;
};

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_SYNC_H_
