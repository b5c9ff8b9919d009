#include "services/repo_service/repository_pool.h"

#include <thread>
#include <utility>

namespace tracker::repo {
namespace {

// Closing a handle closes the packs it mapped; for a removed pack that
// frees its blocks, a synchronous discard per file on some mounts.
void FreeElsewhere(std::vector<RepositoryPtr> repos) {
  if (repos.empty()) return;
  std::thread([repos = std::move(repos)]() mutable { repos.clear(); }).detach();
}

}  // namespace

RepositoryPool::Lease::Lease(RepositoryPool* pool, RepositoryPtr repo, uint64_t generation)
    : pool_(pool), repo_(std::move(repo)), generation_(generation) {}

RepositoryPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), repo_(std::move(other.repo_)), generation_(other.generation_) {}

RepositoryPool::Lease::~Lease() {
  if (repo_ != nullptr) pool_->Release(std::move(repo_), generation_);
}

RepositoryPool::RepositoryPool(std::string path) : path_(std::move(path)) {}

RepositoryPool::~RepositoryPool() = default;

absl::StatusOr<RepositoryPool::Lease> RepositoryPool::Acquire() {
  uint64_t generation = 0;
  {
    absl::MutexLock lock(&mu_);
    generation = generation_;
    if (!idle_.empty()) {
      RepositoryPtr repo = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(repo), generation);
    }
  }
  absl::StatusOr<RepositoryPtr> opened = OpenRepository(path_);
  if (!opened.ok()) return opened.status();
  return Lease(this, *std::move(opened), generation);
}

void RepositoryPool::Release(RepositoryPtr repo, uint64_t generation) {
  {
    absl::MutexLock lock(&mu_);
    if (generation == generation_) {
      if (idle_.size() < kMaxIdle) idle_.push_back(std::move(repo));
      return;  // a surplus handle is closed here, outside the lock
    }
  }
  std::vector<RepositoryPtr> stale;
  stale.push_back(std::move(repo));
  FreeElsewhere(std::move(stale));
}

void RepositoryPool::Invalidate() {
  std::vector<RepositoryPtr> stale;
  {
    absl::MutexLock lock(&mu_);
    ++generation_;
    stale.swap(idle_);
  }
  FreeElsewhere(std::move(stale));
}

}  // namespace tracker::repo
