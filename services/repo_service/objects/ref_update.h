#ifndef SERVICES_REPO_SERVICE_OBJECTS_REF_UPDATE_H_
#define SERVICES_REPO_SERVICE_OBJECTS_REF_UPDATE_H_

#include <git2.h>

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/repo_service/objects/object_sync.h"

namespace tracker::repo::objects {

// Compare-and-swap of a branch ref from `expected` to `next`, written as a
// loose ref with git's own protocol (`<ref>.lock` created exclusively,
// renamed over the ref), so plain git reads the result as usual.
//
// Why not libgit2's git_reference_create_matching: it fsyncs the lock file on
// its own, after our syncfs() of the objects, then renames and fsyncs the
// directory: three waits on the disk per write. Here the lock's content is
// written before `objects.Flush()`, so that one syncfs() makes the objects and
// the new ref value durable together; then the rename, then one fsync of the
// directory so the rename is on disk before we answer. Objects reach the disk
// before any ref names them, and the ref never exists half written.
//
// `meanwhile` runs while the disk syncs (see DeferredObjectSync::Flush).
//
// With `write_reflog` (see WritesReflog) the update goes through libgit2,
// which also appends the reflog entry.
//
// Errors: ABORTED when the ref is not at `expected` (nothing written);
// UNAVAILABLE when another process holds the ref's lock (its lock is left
// alone); INTERNAL for I/O errors, with the lock removed.
absl::Status UpdateBranchRef(git_repository* repo, const std::string& ref_name,
                             const git_oid& expected, const git_oid& next,
                             const std::string& reflog_message, bool write_reflog,
                             DeferredObjectSync& objects,
                             const std::function<void()>& meanwhile = nullptr);

// Whether git would log branch updates in this repository: the
// core.logAllRefUpdates setting, by default on for repositories with a work
// tree and off for bare ones (repo-service's own clone is bare).
absl::StatusOr<bool> WritesReflog(git_repository* repo);

}  // namespace tracker::repo::objects

#endif  // SERVICES_REPO_SERVICE_OBJECTS_REF_UPDATE_H_
