#ifndef SERVICES_REPO_SERVICE_GIT_UTIL_H_
#define SERVICES_REPO_SERVICE_GIT_UTIL_H_

// libgit2 behind RAII, and its errors as absl::Status.

#include <git2.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tracker::repo {

template <typename T, void (*Free)(T*)>
struct GitDeleter {
  void operator()(T* p) const {
    if (p != nullptr) Free(p);
  }
};

using RepositoryPtr = std::unique_ptr<git_repository, GitDeleter<git_repository, git_repository_free>>;
using CommitPtr = std::unique_ptr<git_commit, GitDeleter<git_commit, git_commit_free>>;
using TreePtr = std::unique_ptr<git_tree, GitDeleter<git_tree, git_tree_free>>;
using BlobPtr = std::unique_ptr<git_blob, GitDeleter<git_blob, git_blob_free>>;
using ObjectPtr = std::unique_ptr<git_object, GitDeleter<git_object, git_object_free>>;
using ReferencePtr = std::unique_ptr<git_reference, GitDeleter<git_reference, git_reference_free>>;
using SignaturePtr = std::unique_ptr<git_signature, GitDeleter<git_signature, git_signature_free>>;
using IndexPtr = std::unique_ptr<git_index, GitDeleter<git_index, git_index_free>>;
using IndexConflictIteratorPtr =
    std::unique_ptr<git_index_conflict_iterator,
                    GitDeleter<git_index_conflict_iterator, git_index_conflict_iterator_free>>;
using RemotePtr = std::unique_ptr<git_remote, GitDeleter<git_remote, git_remote_free>>;
using ConfigPtr = std::unique_ptr<git_config, GitDeleter<git_config, git_config_free>>;
using OdbPtr = std::unique_ptr<git_odb, GitDeleter<git_odb, git_odb_free>>;
using DiffPtr = std::unique_ptr<git_diff, GitDeleter<git_diff, git_diff_free>>;
using TreeEntryPtr =
    std::unique_ptr<git_tree_entry, GitDeleter<git_tree_entry, git_tree_entry_free>>;

// A git_buf that libgit2 filled, disposed of when it goes out of scope.
class GitBuf {
 public:
  GitBuf() = default;
  ~GitBuf() { git_buf_dispose(&buf_); }
  GitBuf(const GitBuf&) = delete;
  GitBuf& operator=(const GitBuf&) = delete;
  git_buf* get() { return &buf_; }
  std::string str() const { return std::string(buf_.ptr, buf_.size); }

 private:
  git_buf buf_ = GIT_BUF_INIT;
};

// Opens the repository at `path` (a clone of ours; bare or not).
absl::StatusOr<RepositoryPtr> OpenRepository(const std::string& path);

// Initializes libgit2 once per process and sets the options every process
// of ours wants (fsync of objects and refs on, no object cache, no re-reading
// of the ids a new tree or commit names).
void InitLibgit2();

// Turns a libgit2 return code into a status, with git_error_last()'s text
// captured right away. GIT_ELOCKED -> UNAVAILABLE, GIT_EMODIFIED and
// GIT_ENONFASTFORWARD -> ABORTED, GIT_EMERGECONFLICT/GIT_ECONFLICT ->
// FAILED_PRECONDITION, GIT_ENOTFOUND -> NOT_FOUND, else INTERNAL.
absl::Status GitStatus(int error, absl::string_view context);

#define GIT_RETURN_IF_ERROR(call, context)                      \
  do {                                                          \
    int git_rc_ = (call);                                       \
    if (git_rc_ < 0) return ::tracker::repo::GitStatus(git_rc_, context); \
  } while (0)

// The id a ref points at; NOT_FOUND when there is no such ref.
absl::StatusOr<git_oid> ResolveRef(git_repository* repo, const std::string& ref_name);
// A blob's bytes.
absl::StatusOr<std::string> ReadBlob(git_repository* repo, const git_oid& oid);

// `repo`'s objects/ and objects/pack/, without a trailing slash.
std::string ObjectDirectory(git_repository* repo);
std::string PackDirectory(git_repository* repo);

// The trees along the path of the last write, parsed, for the next write:
// the scheduler moves many jobs of one batch in a row, and reading a big state
// folder again (inflating it, from a pack also resolving its deltas) was a
// fifth of a transition's CPU at 100,000 jobs. Holds at most kCapacity
// trees, oldest out first. Not thread-safe: used under the git lock.
class TreeCache {
 public:
  static constexpr size_t kCapacity = 64;
  // git_tree_lookup through the cache.
  absl::StatusOr<TreePtr> Lookup(git_repository* repo, const git_oid& oid);

 private:
  std::vector<std::pair<git_oid, TreePtr>> trees_;  // oldest first
};

// git_tree_lookup, through `cache` when there is one.
absl::StatusOr<TreePtr> LookupTree(git_repository* repo, const git_oid& oid,
                                   TreeCache* cache = nullptr);

std::string OidHex(const git_oid& oid);
// Accepts a full 40-hex id; INVALID_ARGUMENT otherwise.
absl::Status ParseOid(absl::string_view hex, git_oid* out);

inline bool OidEqual(const git_oid& a, const git_oid& b) {
  return git_oid_equal(&a, &b) != 0;
}

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_GIT_UTIL_H_
