// StoreWriter's core: one commit from the branch tip, published with a
// compare-and-swap of the ref, then the branch's next snapshot.

#include "services/repo_service/writer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status.h"
#include "services/repo_service/store_metrics.h"
#include "tracking/layout.h"

namespace tracker::repo {

using ::tracker::tracking::ValidateBranch;
namespace {

std::string BranchRef(const std::string& branch) { return absl::StrCat("refs/heads/", branch); }

}  // namespace

StoreWriter::StoreWriter(const StoreOptions& options, StoreLocks& locks,
                         CurrentSnapshots& snapshots, RepositoryPool& readers,
                         AnalysisIndex& analyses, RepositoryPtr repo,
                         std::unique_ptr<objects::ObjectStore> objects)
    : options_(options),
      locks_(locks),
      snapshots_(snapshots),
      readers_(readers),
      analyses_(analyses),
      repo_(std::move(repo)),
      objects_(std::move(objects)) {}

absl::StatusOr<std::unique_ptr<StoreWriter>> StoreWriter::Create(
    const StoreOptions& options, StoreLocks& locks, CurrentSnapshots& snapshots,
    RepositoryPool& readers, AnalysisIndex& analyses, RepositoryPtr repo, int lock_fd) {
  TRACKER_ASSIGN_OR_RETURN(
      std::unique_ptr<objects::ObjectStore> objects,
      objects::ObjectStore::Open(repo.get(), lock_fd, options.durable_writes));
  RecordPacks(PackDirectory(repo.get()));
  return std::unique_ptr<StoreWriter>(
      new StoreWriter(options, locks, snapshots, readers, analyses, std::move(repo), std::move(objects)));
}

absl::Status StoreWriter::LoadBranch(const std::string& branch) {
  absl::MutexLock write(&locks_.write);
  return RefreshSnapshot(branch);
}

absl::Status StoreWriter::RefreshSnapshot(const std::string& branch, const git_oid* known_tip) {
  absl::StatusOr<git_oid> tip =
      known_tip != nullptr ? *known_tip : ResolveRef(repo_.get(), BranchRef(branch));
  if (!tip.ok()) return tip.status();
  CurrentSnapshots::Both now = snapshots_.GetBoth();
  const auto& current = branch == tracking::kMainBranch ? now.main : now.scheduler;
  if (current != nullptr && OidEqual(current->commit, *tip)) return absl::OkStatus();
  auto loaded = LoadSnapshot(repo_.get(), *tip, {now.scheduler.get(), now.main.get()});
  if (!loaded.ok()) return loaded.status();
  snapshots_.Publish(branch, *std::move(loaded));
  return absl::OkStatus();
}

absl::StatusOr<git_oid> StoreWriter::AddCommit(const WriteOptions& options,
                                               const std::string& message, const git_oid& tree,
                                               const std::vector<git_oid>& parents,
                                               objects::ObjectWrite& objects) {
  const std::string& name =
      options.author_name.empty() ? options_.author_name : options.author_name;
  const std::string& email =
      options.author_email.empty() ? options_.author_email : options.author_email;
  return objects.AddCommit(tree, parents, name, email, message);
}

absl::Status StoreWriter::UpdateBranch(const std::string& branch, const git_oid& expected,
                                       const git_oid& next, const git_oid& next_tree,
                                       const std::string& reason, objects::ObjectWrite& objects) {
  CurrentSnapshots::Both now = snapshots_.GetBoth();
  absl::StatusOr<std::shared_ptr<const Snapshot>> loaded = absl::UnknownError("not parsed");
  git_repository* repo = repo_.get();
  TreeCache* trees = &recent_trees_;
  TRACKER_RETURN_IF_ERROR(
      objects_->Publish(objects, BranchRef(branch), expected, next, reason, [&] {
        loaded = LoadSnapshot(repo, next, next_tree, {now.scheduler.get(), now.main.get()},
                              trees);
      }));
  // Published only now: readers never see a commit that is not yet durable.
  absl::Status published = absl::OkStatus();
  if (loaded.ok()) {
    snapshots_.Publish(branch, *std::move(loaded));
  } else {
    published = RefreshSnapshot(branch, &next);
  }
  CountPackWritten();  // every publish is one pack: no directory listing per write
  // Readers' handles may hold merged-away packs open: they get new ones.
  if (objects_->MergePacksIfDue()) {
    readers_.Invalidate();
    RecordPacks(PackDirectory(repo));
  }
  return published;
}

absl::Status CheckBranchAccess(const WriteOptions& options, const std::string& branch) {
  if (branch != tracking::kSchedulerBranch || options.may_write_scheduler_branch) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat(
      options.caller, " may not write the scheduler branch: only the scheduler's own identity "
      "does (admins change main; the scheduler merges it); nothing was written"));
}

void LogWritten(const WriteOptions& options, const std::string& branch,
                const std::string& commit) {
  LogInfo("written")
      .Kv("principal", options.caller.empty() ? "unauthenticated" : options.caller)
      .Kv("rpc", options.rpc)
      .Kv("branch", branch)
      .Kv("commit", commit);
}

absl::StatusOr<WriteResult> StoreWriter::Commit(const WriteOptions& options,
                                                const std::string& branch,
                                                const std::string& default_message,
                                                const EditFn& edit) {
  TRACKER_RETURN_IF_ERROR(ValidateBranch(branch));
  TRACKER_RETURN_IF_ERROR(CheckBranchAccess(options, branch));
  absl::MutexLock write(&locks_.write);
  const absl::Time start = absl::Now();
  auto result = CommitLocked(options, branch, default_message, edit);
  RecordWrite(branch, absl::Now() - start, result.ok());
  if (result.ok() && !result->dry_run) LogWritten(options, branch, result->commit);
  return result;
}

absl::StatusOr<WriteResult> StoreWriter::CommitLocked(const WriteOptions& options,
                                                      const std::string& branch,
                                                      const std::string& default_message,
                                                      const EditFn& edit) {
  auto tip = ResolveRef(repo_.get(), BranchRef(branch));
  if (!tip.ok()) return tip.status();
  if (!options.expected_tip.empty()) {
    git_oid expected;
    TRACKER_RETURN_IF_ERROR(ParseOid(options.expected_tip, &expected));
    if (!OidEqual(expected, *tip)) {
      return absl::AbortedError(absl::StrCat("branch ", branch, " is at ", OidHex(*tip),
                                             ", not the expected ", options.expected_tip,
                                             "; nothing was written"));
    }
  }
  TRACKER_RETURN_IF_ERROR(RefreshSnapshot(branch, &*tip));
  std::shared_ptr<const Snapshot> snapshot = snapshots_.Get(branch);
  objects::ObjectWrite objects;
  objects::TreeEditor editor(repo_.get(), &snapshot->root_tree, &objects, &recent_trees_);
  TRACKER_RETURN_IF_ERROR(edit(*snapshot, editor));
  auto tree = editor.Write();
  if (!tree.ok()) return tree.status();
  if (OidEqual(*tree, snapshot->root_tree)) {
    return absl::FailedPreconditionError("the change is already in place; nothing to commit");
  }
  const std::string& message = options.message.empty() ? default_message : options.message;
  if (options.dry_run) {
    // Planned, validated, and dropped: the objects were only in memory.
    WriteResult planned{OidHex(*tip), branch};
    planned.dry_run = true;
    planned.message = message;
    return planned;
  }
  auto commit = AddCommit(options, message, *tree, {*tip}, objects);
  if (!commit.ok()) return commit.status();
  TRACKER_RETURN_IF_ERROR(UpdateBranch(branch, *tip, *commit, *tree, message, objects));
  WriteResult written{OidHex(*commit), branch};
  written.message = message;
  return written;
}

}  // namespace tracker::repo
