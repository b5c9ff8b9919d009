#ifndef SERVICES_REPO_SERVICE_STORE_LOCKS_H_
#define SERVICES_REPO_SERVICE_STORE_LOCKS_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace tracker::repo {

// The store's locks, together so that their one order is written once:
// sync, then write, then snapshots. A thread may skip any of them, never
// take them the other way round.
//
// Reads take none but `snapshots`, for the time of a pointer copy: they
// never wait for a write or for the network. (Readers' libgit2 handles come
// from a RepositoryPool, whose own lock is held only to hand one out.)
struct StoreLocks {
  // One exchange with the remote at a time (fetch, push). Held across
  // network I/O, so neither reads nor writes take it.
  absl::Mutex sync;
  // One local write at a time: a commit or a merge, and the writer's libgit2
  // handle. Held for CPU and local disk work only, never across network I/O
  // or a backoff sleep.
  absl::Mutex write ABSL_ACQUIRED_AFTER(sync);
  // The published snapshot of each branch: held for a pointer copy.
  absl::Mutex snapshots ABSL_ACQUIRED_AFTER(write);
};

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_STORE_LOCKS_H_
