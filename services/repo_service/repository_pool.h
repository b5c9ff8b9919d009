#ifndef SERVICES_REPO_SERVICE_REPOSITORY_POOL_H_
#define SERVICES_REPO_SERVICE_REPOSITORY_POOL_H_

#include <git2.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/repo_service/git_util.h"

namespace tracker::repo {

// libgit2 handles on one clone for readers. A git_repository may be used by
// one thread at a time, so every reader leases a handle of its own and
// never touches the writer's: reads wait neither for a write nor for an
// exchange with the remote. Idle handles are kept for the next reader, so a
// lease costs two short critical sections once the pool is warm.
// Thread-safe; every lease must end before the pool is destroyed.
class RepositoryPool {
 public:
  // A handle for the caller alone until the lease ends.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    git_repository* get() const { return repo_.get(); }

   private:
    friend class RepositoryPool;
    Lease(RepositoryPool* pool, RepositoryPtr repo, uint64_t generation);
    RepositoryPool* pool_;
    RepositoryPtr repo_;
    uint64_t generation_;
  };

  explicit RepositoryPool(std::string path);
  ~RepositoryPool();
  RepositoryPool(const RepositoryPool&) = delete;
  RepositoryPool& operator=(const RepositoryPool&) = delete;

  // An idle handle, or a newly opened one.
  absl::StatusOr<Lease> Acquire() ABSL_LOCKS_EXCLUDED(mu_);

  // Handles opened before now are not reused: packs they may hold open were
  // removed (pack merges), and only a new handle lets go of their disk
  // space. Idle ones are freed on another thread (freeing a removed pack's
  // mapping can take milliseconds); leased ones when their lease ends.
  void Invalidate() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // Idle handles kept at most; more concurrent readers open their own.
  static constexpr size_t kMaxIdle = 8;
  void Release(RepositoryPtr repo, uint64_t generation) ABSL_LOCKS_EXCLUDED(mu_);

  const std::string path_;
  absl::Mutex mu_;
  std::vector<RepositoryPtr> idle_ ABSL_GUARDED_BY(mu_);
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_REPOSITORY_POOL_H_
