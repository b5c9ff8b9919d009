#ifndef SERVICES_REPO_SERVICE_OBJECTS_OBJECT_SYNC_H_
#define SERVICES_REPO_SERVICE_OBJECTS_OBJECT_SYNC_H_

#include <git2.h>

#include <functional>

#include "absl/status/status.h"
#include "services/repo_service/objects/pack_file.h"

namespace tracker::repo::objects {

// The objects of one write, and their sync deferred to one flush.
//
// Flush() writes the write's objects (a PackBatch, kept in memory until
// then) as one pack: two new files where libgit2 would write one loose file
// per object. It makes them durable with one syncfs() of the repository's
// file system before any ref may point at them (UpdateBranchRef writes the
// new ref value first, so the same syncfs() covers it). libgit2's own fsync
// option stays on throughout: a fetch may write objects and refs through
// another repository handle at the same time, and must not lose its syncs.
// Not thread-safe.
class DeferredObjectSync {
 public:
  // `fd_in_repo`: any open descriptor on the repository's file system.
  // `durable` false skips every sync, objects and ref alike (git's own
  // defaults); only for measuring against git. `objects` may be null.
  DeferredObjectSync(git_repository* repo, int fd_in_repo, bool durable, PackBatch* objects);
  DeferredObjectSync(const DeferredObjectSync&) = delete;
  DeferredObjectSync& operator=(const DeferredObjectSync&) = delete;

  // Writes the pack and tells libgit2 about it, then syncs. `meanwhile`, if
  // given, runs on the calling thread while another thread waits for the
  // disk: work that needs the written objects but must not be published
  // before they are durable (the next snapshot).
  absl::Status Flush(const std::function<void()>& meanwhile = nullptr);
  bool durable() const { return durable_; }
  // How many packs Flush() has written (0 or 1).
  int packs_written() const { return packs_written_; }

 private:
  git_repository* repo_;
  int fd_;
  bool durable_;
  PackBatch* objects_;
  int packs_written_ = 0;
};

}  // namespace tracker::repo::objects

#endif  // SERVICES_REPO_SERVICE_OBJECTS_OBJECT_SYNC_H_
