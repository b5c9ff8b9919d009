// StoreWriter::RevertCommit: the admins' "revert a bad commit" as one
// commit on main, built like every other write (in memory, from main's
// tip), refused rather than merged whenever the commit's paths moved on
// since, or belong to the scheduler.

#include <algorithm>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status.h"
#include "services/repo_service/writer.h"
#include "services/repo_service/writer_locate.h"
#include "tracking/layout.h"

namespace tracker::repo {

using ::tracker::tracking::kMainBranch;
using ::tracker::tracking::kSchedulerBranch;
using objects::TreeEditor;
namespace {

// One file the commit changed: what it was before and after (nullopt: the
// path did not exist on that side).
struct FileChange {
  std::string path;
  std::optional<git_oid> before, after;
};

struct Reverted {
  git_oid id{};
  std::string subject;
  std::vector<FileChange> files;
};

// The commit named by a hex prefix of 7 to 40 digits, and what it changed
// against its one parent.
absl::StatusOr<Reverted> ReadCommit(git_repository* repo, const std::string& hex) {
  if (hex.size() < 7 || hex.size() > GIT_OID_HEXSZ ||
      !std::all_of(hex.begin(), hex.end(), [](char c) { return absl::ascii_isxdigit(c); })) {
    return absl::InvalidArgumentError(absl::StrCat(
        "commit ", tracking::QuoteId(hex), " is not a commit id (7 to 40 hex digits)"));
  }
  git_oid prefix;
  GIT_RETURN_IF_ERROR(git_oid_fromstrn(&prefix, hex.data(), hex.size()), "parse commit id");
  git_commit* raw = nullptr;
  int rc = git_commit_lookup_prefix(&raw, repo, &prefix, hex.size());
  if (rc == GIT_EAMBIGUOUS) {
    git_error_clear();
    return absl::InvalidArgumentError(absl::StrCat("commit id ", hex, " is ambiguous; give more digits"));
  }
  if (rc < 0) {
    git_error_clear();
    return absl::NotFoundError(absl::StrCat("no commit ", hex, " in the tracking repository"));
  }
  CommitPtr commit(raw);
  Reverted out;
  git_oid_cpy(&out.id, git_commit_id(commit.get()));
  out.subject = git_commit_summary(commit.get()) != nullptr ? git_commit_summary(commit.get()) : "";
  if (git_commit_parentcount(commit.get()) != 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "commit ", OidHex(out.id).substr(0, 12), " is ",
        git_commit_parentcount(commit.get()) == 0 ? "the first commit" : "a merge",
        "; revert the admin commit it brought in instead"));
  }
  git_commit* parent_raw = nullptr;
  GIT_RETURN_IF_ERROR(git_commit_parent(&parent_raw, commit.get(), 0), "read the parent");
  CommitPtr parent(parent_raw);
  git_tree *old_raw = nullptr, *new_raw = nullptr;
  GIT_RETURN_IF_ERROR(git_commit_tree(&old_raw, parent.get()), "read the parent's tree");
  TreePtr old_tree(old_raw);
  GIT_RETURN_IF_ERROR(git_commit_tree(&new_raw, commit.get()), "read the commit's tree");
  TreePtr new_tree(new_raw);
  git_diff* diff_raw = nullptr;
  GIT_RETURN_IF_ERROR(
      git_diff_tree_to_tree(&diff_raw, repo, old_tree.get(), new_tree.get(), nullptr), "diff");
  DiffPtr diff(diff_raw);
  for (size_t i = 0; i < git_diff_num_deltas(diff.get()); ++i) {
    const git_diff_delta* d = git_diff_get_delta(diff.get(), i);
    for (const git_diff_file* f : {&d->old_file, &d->new_file}) {
      if ((f->flags & GIT_DIFF_FLAG_EXISTS) && f->mode != GIT_FILEMODE_BLOB) {
        return absl::FailedPreconditionError(absl::StrCat(
            f->path, " is not a regular file in that commit; revert it with git by hand"));
      }
    }
    FileChange change;
    change.path = d->new_file.path != nullptr ? d->new_file.path : d->old_file.path;
    if (d->old_file.flags & GIT_DIFF_FLAG_EXISTS) change.before = d->old_file.id;
    if (d->new_file.flags & GIT_DIFF_FLAG_EXISTS) change.after = d->new_file.id;
    out.files.push_back(std::move(change));
  }
  return out;
}

// The blob at `path` of `root` (nullopt when there is none).
absl::StatusOr<std::optional<git_oid>> BlobAt(git_repository* repo, const git_oid& root,
                                             const std::string& path) {
  TRACKER_ASSIGN_OR_RETURN(TreePtr tree, LookupTree(repo, root));
  git_tree_entry* raw = nullptr;
  int rc = git_tree_entry_bypath(&raw, tree.get(), path.c_str());
  if (rc == GIT_ENOTFOUND) {
    git_error_clear();
    return std::optional<git_oid>();
  }
  GIT_RETURN_IF_ERROR(rc, "read the tip's tree");
  TreeEntryPtr entry(raw);
  if (git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB) return std::optional<git_oid>();
  return std::optional<git_oid>(*git_tree_entry_id(entry.get()));
}

std::string ListSome(const std::vector<std::string>& paths) {
  std::vector<std::string> some(paths.begin(), paths.begin() + std::min<size_t>(paths.size(), 5));
  std::string out = absl::StrJoin(some, ", ");
  if (paths.size() > some.size()) absl::StrAppend(&out, " and ", paths.size() - some.size(), " more");
  return out;
}

}  // namespace

absl::StatusOr<WriteResult> StoreWriter::RevertCommit(const WriteOptions& options,
                                                      const std::string& commit) {
  if (!options.branch.empty() && options.branch != kMainBranch) {
    return absl::InvalidArgumentError("RevertCommit writes to main only");
  }
  // Commits are immutable: read through a handle of our own, before the
  // write lock, for the message.
  Reverted target;
  {
    TRACKER_ASSIGN_OR_RETURN(RepositoryPool::Lease lease, readers_.Acquire());
    TRACKER_ASSIGN_OR_RETURN(target, ReadCommit(lease.get(), commit));
  }
  const std::string full = OidHex(target.id);
  if (target.files.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("commit ", full.substr(0, 12),
                                                      " changed no file; nothing to revert"));
  }
  std::vector<std::string> owned;
  for (const FileChange& f : target.files) {
    if (tracking::IsSchedulerOwnedPath(f.path)) owned.push_back(f.path);
  }
  if (!owned.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "reverting ", full.substr(0, 12), " would change what only the scheduler changes (",
        ListSome(owned), "); nothing was written"));
  }
  std::vector<Change> changes;
  auto result = Commit(
      options, kMainBranch,
      absl::StrCat("Revert \"", target.subject, "\"\n\nThis reverts commit ", full,
                   " (jobctl revert).\n"),
      [&](const Snapshot& snap, TreeEditor& editor) -> absl::Status {
        TRACKER_ASSIGN_OR_RETURN(RepositoryPool::Lease lease, readers_.Acquire());
        git_repository* repo = lease.get();
        if (!OidEqual(snap.commit, target.id) &&
            git_graph_descendant_of(repo, &snap.commit, &target.id) != 1) {
          git_error_clear();
          return absl::FailedPreconditionError(
              absl::StrCat("commit ", full.substr(0, 12), " is not on main's history"));
        }
        std::shared_ptr<const Snapshot> scheduler = snapshots_.Get(kSchedulerBranch);
        std::vector<std::string> moved_on;
        for (const FileChange& f : target.files) {
          TRACKER_ASSIGN_OR_RETURN(std::optional<git_oid> now, BlobAt(repo, snap.root_tree, f.path));
          bool as_left = now.has_value() == f.after.has_value() &&
                         (!now.has_value() || OidEqual(*now, *f.after));
          if (!as_left) moved_on.push_back(f.path);
        }
        if (!moved_on.empty()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "main changed ", ListSome(moved_on), " since ", full.substr(0, 12),
              "; reverting it would undo later work; fix it by hand with the commands"));
        }
        for (const FileChange& f : target.files) {
          if (std::optional<JobKey> job = tracking::JobOfPath(f.path)) {
            TRACKER_RETURN_IF_ERROR(NotStartedOnScheduler(scheduler.get(), *job));
          }
          if (!f.before.has_value()) {
            TRACKER_RETURN_IF_ERROR(editor.Remove(f.path));
            changes.push_back({"remove", f.path, "added by the reverted commit"});
            continue;
          }
          TRACKER_ASSIGN_OR_RETURN(std::string content, ReadBlob(repo, *f.before));
          TRACKER_RETURN_IF_ERROR(editor.PutBlob(f.path, content));
          changes.push_back({f.after.has_value() ? "edit" : "add", f.path,
                             f.after.has_value() ? "back to its content before" : "restored"});
        }
        return absl::OkStatus();
      });
  if (!result.ok()) return result;
  result->changes = std::move(changes);
  LogAdminWrite("commit_reverted", *result, target.files.size());
  return result;
}

}  // namespace tracker::repo
