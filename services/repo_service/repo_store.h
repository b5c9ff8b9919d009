#ifndef SERVICES_REPO_SERVICE_REPO_STORE_H_
#define SERVICES_REPO_SERVICE_REPO_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/repo_service/current_snapshots.h"
#include "services/repo_service/reader.h"
#include "services/repo_service/repository_pool.h"
#include "services/repo_service/store_locks.h"
#include "services/repo_service/store_options.h"
#include "services/repo_service/sync.h"
#include "services/repo_service/writer.h"

namespace tracker::repo {

// The tracking repository as this process owns it: the clone, opened (or
// cloned) once, and the three parts every request goes through.
//
//  - reader(): snapshot reads. They take no lock but a pointer copy, so they
//    never wait for a write or for the network.
//  - writer(): one commit at a time, published by a compare-and-swap of the
//    branch ref, then as the branch's next snapshot once durable.
//  - sync(): fetch and push. Network I/O and push backoff hold the sync lock
//    only; what they change locally goes through the writer.
//
// The process holds an exclusive lock on the clone, so the snapshots always
// describe the refs on disk. Thread-safe; the parts live as long as the
// store.
class RepoStore {
 public:
  // Opens `options.path`, cloning `options.remote_url` into it first when it
  // does not exist. Creates local `main`/`scheduler` from the remote's when
  // missing. FAILED_PRECONDITION when another process holds the clone or a
  // branch is missing everywhere; NOT_FOUND when there is neither a clone
  // nor a remote.
  static absl::StatusOr<std::unique_ptr<RepoStore>> Open(StoreOptions options);
  ~RepoStore();
  RepoStore(const RepoStore&) = delete;
  RepoStore& operator=(const RepoStore&) = delete;

  const StoreReader& reader() const { return reader_; }
  StoreWriter& writer() { return *writer_; }
  StoreSync& sync() { return *sync_; }

 private:
  RepoStore(StoreOptions options, int lock_fd, const std::string& git_dir);

  const StoreOptions options_;
  const int lock_fd_;  // holds the clone's exclusive lock while open
  StoreLocks locks_;
  CurrentSnapshots snapshots_{locks_};
  std::unique_ptr<RepositoryPool> readers_;
  AnalysisIndex analyses_;  // shared by the audit and ImportBatch
  std::unique_ptr<StoreWriter> writer_;
  StoreReader reader_;
  std::unique_ptr<StoreSync> sync_;
};

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_REPO_STORE_H_
