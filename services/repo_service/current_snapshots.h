#ifndef SERVICES_REPO_SERVICE_CURRENT_SNAPSHOTS_H_
#define SERVICES_REPO_SERVICE_CURRENT_SNAPSHOTS_H_

#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "services/repo_service/snapshot.h"
#include "services/repo_service/store_locks.h"
#include "tracking/layout.h"

namespace tracker::repo {

// The published snapshot of each branch. The writer replaces one once its
// commit is durable; readers copy the pointer and keep reading that
// snapshot, immutable, however many writes follow. Thread-safe.
class CurrentSnapshots {
 public:
  struct Both {
    std::shared_ptr<const Snapshot> main;
    std::shared_ptr<const Snapshot> scheduler;
  };

  explicit CurrentSnapshots(StoreLocks& locks) : locks_(locks) {}

  // `branch` is "main" or "scheduler" (validated by the caller); null
  // before the store has loaded it.
  std::shared_ptr<const Snapshot> Get(absl::string_view branch) const
      ABSL_LOCKS_EXCLUDED(locks_.snapshots) {
    absl::MutexLock lock(&locks_.snapshots);
    return branch == tracking::kMainBranch ? main_ : scheduler_;
  }
  // Both, taken together.
  Both GetBoth() const ABSL_LOCKS_EXCLUDED(locks_.snapshots) {
    absl::MutexLock lock(&locks_.snapshots);
    return {main_, scheduler_};
  }
  void Publish(absl::string_view branch, std::shared_ptr<const Snapshot> snapshot)
      ABSL_LOCKS_EXCLUDED(locks_.snapshots) {
    {
      absl::MutexLock lock(&locks_.snapshots);
      std::swap(branch == tracking::kMainBranch ? main_ : scheduler_, snapshot);
    }
    // `snapshot` is now the replaced one; whatever only it held is freed
    // here, outside the lock.
  }

 private:
  StoreLocks& locks_;
  std::shared_ptr<const Snapshot> main_ ABSL_GUARDED_BY(locks_.snapshots);
  std::shared_ptr<const Snapshot> scheduler_ ABSL_GUARDED_BY(locks_.snapshots);
};

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_CURRENT_SNAPSHOTS_H_
