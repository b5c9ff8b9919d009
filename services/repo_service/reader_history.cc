// StoreReader: which commit of a branch was its tip at a given time, for
// "what changed in the last 24 hours" (jobctl report --progress).

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "services/repo_service/git_util.h"
#include "services/repo_service/reader.h"

namespace tracker::repo {

absl::StatusOr<CommitAtTime> StoreReader::CommitAt(const std::string& branch,
                                                   absl::Time when) const {
  TRACKER_ASSIGN_OR_RETURN(auto snap, Read(branch));
  TRACKER_ASSIGN_OR_RETURN(RepositoryPool::Lease repo, repos_.Acquire());
  git_commit* raw = nullptr;
  if (int rc = git_commit_lookup(&raw, repo.get(), &snap->commit); rc != 0) {
    return GitStatus(rc, "read the branch tip");
  }
  CommitPtr commit(raw);
  // Along first parents: the branch's own line, whatever merges brought in.
  // Committer time, the time the commit entered the branch.
  while (absl::FromUnixSeconds(git_commit_time(commit.get())) > when &&
         git_commit_parentcount(commit.get()) > 0) {
    git_commit* parent = nullptr;
    if (int rc = git_commit_parent(&parent, commit.get(), 0); rc != 0) {
      return GitStatus(rc, "walk the history");
    }
    commit.reset(parent);
  }
  return CommitAtTime{OidHex(*git_commit_id(commit.get())),
                      absl::FromUnixSeconds(git_commit_time(commit.get()))};
}

absl::StatusOr<absl::Time> StoreReader::CommitTime(const std::string& commit_hex) const {
  git_oid oid;
  TRACKER_RETURN_IF_ERROR(ParseOid(commit_hex, &oid));
  TRACKER_ASSIGN_OR_RETURN(RepositoryPool::Lease repo, repos_.Acquire());
  git_commit* raw = nullptr;
  if (git_commit_lookup(&raw, repo.get(), &oid) != 0) {
    git_error_clear();
    return absl::NotFoundError(absl::StrCat("no commit ", commit_hex, " in the tracking repository"));
  }
  CommitPtr commit(raw);
  return absl::FromUnixSeconds(git_commit_time(commit.get()));
}

}  // namespace tracker::repo
