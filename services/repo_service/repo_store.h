#ifndef SERVICES_REPO_SERVICE_REPO_STORE_H_
#define SERVICES_REPO_SERVICE_REPO_STORE_H_

#include <git2.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "proto/tracker/v1/repo.pb.h"
#include "services/repo_service/git_util.h"
#include "services/repo_service/snapshot.h"
#include "services/repo_service/tree_editor.h"

namespace tracker::repo {

struct StoreOptions {
  std::string path;        // the service's own clone; bare is fine
  std::string remote_url;  // cloned from when `path` does not exist yet
  // Credentials for ssh:// and https:// remotes. Values, already read from
  // files or the environment by main(); never logged.
  std::string ssh_private_key_path;
  std::string ssh_public_key_path;
  // OpenSSH known_hosts; when set, an ssh remote whose host key is not in it
  // is refused (libgit2 1.5 checks none by itself).
  std::string ssh_known_hosts_path;
  std::string https_username = "git";
  std::string https_token;
  std::string author_name = "Transfer Job Tracker";
  std::string author_email = "tracker@localhost";
  int push_max_attempts = 5;
  // Base of the jittered exponential backoff between push attempts.
  int push_backoff_ms = 200;
  // false: no fsync at all, as git's defaults. Only for benchmarks that
  // compare against git; a crash may then lose acknowledged writes.
  bool durable_writes = true;
};

// The tracking repository: every read and write of it in this process.
//
// Reads are served from immutable snapshots of the branch tips, so any
// number of readers run at once and never see a half-made state. Writes are
// serialized: each builds one commit in memory from the branch tip and
// publishes it with a compare-and-swap of the ref (a stale writer gets
// ABORTED and the ref stays as it was). The process holds an exclusive lock
// on the clone, so the snapshots always describe the refs on disk.
// Thread-safe.
class RepoStore {
 public:
  // Opens `options.path`, cloning `options.remote_url` into it first when it
  // does not exist. Creates local `main`/`scheduler` from the remote's when
  // missing. FAILED_PRECONDITION when another process holds the clone.
  static absl::StatusOr<std::unique_ptr<RepoStore>> Open(StoreOptions options);
  ~RepoStore();

  // The current snapshot of "main" or "scheduler".
  absl::StatusOr<std::shared_ptr<const Snapshot>> Read(const std::string& branch);
  // A snapshot of any commit (hex id) or branch name.
  absl::StatusOr<std::shared_ptr<const Snapshot>> ReadRevision(const std::string& rev);
  absl::StatusOr<std::string> ReadBlob(const git_oid& oid);

  // Reads.
  absl::StatusOr<tracker::v1::ListJobsResponse> ListJobs(const tracker::v1::ListJobsRequest& req);
  absl::StatusOr<tracker::v1::Job> GetJob(const tracker::v1::GetJobRequest& req);
  absl::StatusOr<tracker::v1::ListFlagsResponse> ListFlags(const tracker::v1::ListFlagsRequest& req);
  absl::StatusOr<tracker::v1::ReportResponse> Report(const tracker::v1::ReportRequest& req);
  absl::StatusOr<tracker::v1::ListTransitionsResponse> ListTransitions(
      const tracker::v1::ListTransitionsRequest& req);
  absl::StatusOr<tracker::v1::AuditResponse> Audit(const tracker::v1::AuditRequest& req);

  // Writes: one commit each, all-or-nothing.
  absl::StatusOr<tracker::v1::WriteResult> TransitionJobs(
      const tracker::v1::TransitionJobsRequest& req);
  absl::StatusOr<tracker::v1::WriteResult> SetFlag(const tracker::v1::SetFlagRequest& req);
  absl::StatusOr<tracker::v1::WriteResult> ClearFlag(const tracker::v1::ClearFlagRequest& req);
  absl::StatusOr<tracker::v1::ImportBatchResponse> ImportBatch(
      const tracker::v1::ImportBatchRequest& req);
  absl::StatusOr<tracker::v1::WriteResult> RemoveAnalysis(
      const tracker::v1::RemoveAnalysisRequest& req);
  absl::StatusOr<tracker::v1::WriteResult> ClearRuns(const tracker::v1::ClearRunsRequest& req);

  // Between branches and with the remote.
  absl::StatusOr<tracker::v1::FetchResponse> Fetch();
  absl::StatusOr<tracker::v1::MergeResponse> Merge(const tracker::v1::MergeRequest& req);
  absl::StatusOr<tracker::v1::PushResponse> Push(const tracker::v1::PushRequest& req);
  absl::StatusOr<tracker::v1::GetSyncStatusResponse> SyncStatus();

 private:
  using EditFn = std::function<absl::Status(const Snapshot&, TreeEditor&)>;
  struct BranchSnapshots {
    std::shared_ptr<const Snapshot> main;
    std::shared_ptr<const Snapshot> scheduler;
  };
  // Both current snapshots, taken together under snap_mu_.
  BranchSnapshots Current() const;

  RepoStore(StoreOptions options, RepositoryPtr repo, int lock_fd);

  // Runs `edit` on the tip of `branch` and publishes the result. Called with
  // write_mu_ held.
  absl::StatusOr<tracker::v1::WriteResult> CommitEdit(
      const tracker::v1::WriteOptions& options, const std::string& branch,
      const std::string& default_message, const EditFn& edit);
  absl::StatusOr<git_oid> CreateCommit(const tracker::v1::WriteOptions& options,
                                       const std::string& message, const git_oid& tree,
                                       const std::vector<git_oid>& parents, PackBatch& objects);
  // Compare-and-swap of refs/heads/<branch> from `expected` to `next` (whose
  // root tree is `next_tree`), with the objects of the write made durable
  // first (see UpdateBranchRef); then publishes the branch's new snapshot,
  // parsed while the disk synced.
  absl::Status UpdateBranch(const std::string& branch, const git_oid& expected,
                            const git_oid& next, const git_oid& next_tree,
                            const std::string& reason, DeferredObjectSync& objects);
  // Merges the packs written since the last merge into bigger ones
  // (pack_merge.h), and makes libgit2 forget the removed ones. A failure is
  // logged: the objects stay where they were.
  void MergePacksLocked();
  absl::StatusOr<git_oid> ResolveRef(const std::string& ref_name);
  // Brings the branch's snapshot to its tip; `known_tip` spares reading the
  // ref again when the caller has just read or written it.
  absl::Status RefreshSnapshot(const std::string& branch, const git_oid* known_tip = nullptr);
  absl::StatusOr<tracker::v1::MergeResponse> MergeLocked(const std::string& source_ref,
                                                          const std::string& target,
                                                          const tracker::v1::WriteOptions& options);
  absl::Status FetchLocked();
  absl::StatusOr<tracker::v1::BranchStatus> BranchStatusLocked(const std::string& branch);
  std::string LastPushPath(const std::string& branch) const;
  // ReadBlob for callers that already hold git_mu_.
  absl::StatusOr<std::string> ReadBlobLocked(const git_oid& oid);

  StoreOptions options_;
  RepositoryPtr repo_;
  int lock_fd_;
  // core.logAllRefUpdates, read once at open.
  bool write_reflog_ = false;
  // Trees of the last write's path, for the next write. Guarded by git_mu_.
  TreeCache recent_trees_;
  // Every write writes one pack; after this many, packs are merged: few
  // enough that a look-up walks only a handful, and a merge copies little.
  static constexpr int kPacksBetweenMerges = 16;
  int packs_since_merge_ = 0;  // guarded by git_mu_
  // Packs found to hold deltas (fetched ones): never merged, never re-read.
  absl::flat_hash_set<std::string> not_mergeable_packs_;  // guarded by git_mu_
  // Held for a whole write, merge, fetch or push: one writer at a time.
  std::mutex write_mu_;
  // Guards repo_: libgit2 objects are not safe to use from two threads at
  // once. Taken after write_mu_, never before.
  std::mutex git_mu_;
  // Guards only the two pointers below, so readers never wait for git.
  mutable std::mutex snap_mu_;
  std::shared_ptr<const Snapshot> main_;
  std::shared_ptr<const Snapshot> scheduler_;
};

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_REPO_STORE_H_
