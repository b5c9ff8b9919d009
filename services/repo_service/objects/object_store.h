#ifndef SERVICES_REPO_SERVICE_OBJECTS_OBJECT_STORE_H_
#define SERVICES_REPO_SERVICE_OBJECTS_OBJECT_STORE_H_

// The tracker's own way of writing git objects and moving a branch, under
// libgit2 (which still reads everything): every write is one pack of its new
// objects (pack_file.h), made durable together with the branch's new value
// by one syncfs (ref_update.h); packs are merged geometrically as they pile
// up (pack_merge.h). The rest of repo-service sees only this header and
// tree_editor.h.

#include <git2.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tracker::repo::objects {

class PackBatch;  // pack_file.h
class ObjectStore;

// The new objects of one write, kept in memory (deflated) until the write
// is published as one pack. Not thread-safe.
class ObjectWrite {
 public:
  ObjectWrite();
  ~ObjectWrite();
  ObjectWrite(const ObjectWrite&) = delete;
  ObjectWrite& operator=(const ObjectWrite&) = delete;

  // Returns the object's git id; an object added twice is kept once.
  git_oid Add(git_object_t type, absl::string_view content);
  // A commit of `tree` on `parents`, by `name <email>` now (author and
  // committer alike), as git_commit_create_from_ids would write it.
  // INVALID_ARGUMENT for a NUL in the message or a name or email libgit2
  // refuses ('<', '>', newlines).
  absl::StatusOr<git_oid> AddCommit(const git_oid& tree, const std::vector<git_oid>& parents,
                                    const std::string& name, const std::string& email,
                                    absl::string_view message);
  bool empty() const;
  // Writes the objects added since the last call as one pack in `pack_dir`,
  // not synced; returns its path, "" when there was nothing to write.
  // ObjectStore::Publish does this itself.
  absl::StatusOr<std::string> WritePack(const std::string& pack_dir);

 private:
  friend class ObjectStore;
  std::unique_ptr<PackBatch> pack_;
};

// Publishes writes into one repository and keeps its packs few. Not
// thread-safe: the owner serializes every call (repo-service's writer holds
// its write lock), and nothing else may use `repo` meanwhile. Other
// repository handles on the same clone may read at any time; after
// MergePacksIfDue() says packs were removed, they should be reopened.
class ObjectStore {
 public:
  // Cleans what a writer that died left in the pack directory and reads
  // core.logAllRefUpdates. `repo` is not owned and must outlive the store;
  // `fd_in_repo` is any descriptor open on the repository's file system.
  // `durable` false skips every sync (git's own defaults; benchmarks only).
  static absl::StatusOr<std::unique_ptr<ObjectStore>> Open(git_repository* repo, int fd_in_repo,
                                                           bool durable);

  // Writes `objects` as one pack and moves `ref_name` from `expected` to
  // `next` (a compare-and-swap), the pack and the ref's new value made
  // durable by one syncfs before the ref is renamed into place. `meanwhile`
  // runs while the disk syncs. ABORTED when the ref is not at `expected`,
  // UNAVAILABLE when another process holds its lock, INTERNAL for I/O
  // errors; the ref is unchanged then.
  absl::Status Publish(ObjectWrite& objects, const std::string& ref_name, const git_oid& expected,
                       const git_oid& next, const std::string& reflog_message,
                       const std::function<void()>& meanwhile = nullptr);

  // Call after each Publish: every kPacksBetweenMerges packs, merges the
  // small ones (git's `repack --geometric=2`) and gives `repo` a fresh object
  // database. A failed merge is logged: every object stays where it was.
  // True when packs were removed.
  bool MergePacksIfDue();

  // Every write writes one pack; after this many, packs are merged: few
  // enough that a look-up walks only a handful, and a merge copies little.
  static constexpr int kPacksBetweenMerges = 16;

 private:
  ObjectStore(git_repository* repo, int fd, bool durable, bool write_reflog);

  git_repository* const repo_;
  const int fd_;
  const bool durable_;
  const bool write_reflog_;  // core.logAllRefUpdates, read once at open
  int packs_since_merge_ = 0;
  // Packs found to hold deltas (fetched ones): never merged, never re-read.
  absl::flat_hash_set<std::string> not_mergeable_packs_;
};

}  // namespace tracker::repo::objects

#endif  // SERVICES_REPO_SERVICE_OBJECTS_OBJECT_STORE_H_
