#include "services/repo_service/objects/object_sync.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/status.h"
#include "services/repo_service/git_util.h"

namespace tracker::repo::objects {
namespace {

// One thread, for the life of the process, that runs syncfs() for a writer
// while the writer parses its next snapshot. Starting a thread per write cost
// ~0.2 ms.
class SyncThread {
 public:
  static SyncThread& Instance() {
    static SyncThread* instance = new SyncThread();  // never destroyed: detached
    return *instance;
  }
  // syncfs(fd) on this thread while `meanwhile` runs on the caller's; the
  // errno of the syncfs(), 0 when it succeeded. One caller at a time (two
  // stores in one process take turns).
  int SyncWhile(int fd, const std::function<void()>& meanwhile) ABSL_LOCKS_EXCLUDED(turn_mu_) {
    absl::MutexLock turn(&turn_mu_);
    Start(fd);
    meanwhile();
    return Wait();
  }

 private:
  SyncThread() { std::thread([this] { Run(); }).detach(); }

  void Start(int fd) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    fd_ = fd;
    requested_ = true;
    done_ = false;
  }
  // errno of the syncfs(), 0 when it succeeded.
  int Wait() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&done_));
    return error_;
  }
  void Run() ABSL_LOCKS_EXCLUDED(mu_) {
    for (;;) {
      int fd = -1;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(&requested_));
        requested_ = false;
        fd = fd_;
      }
      const int error = ::syncfs(fd) == 0 ? 0 : errno;
      absl::MutexLock lock(&mu_);
      error_ = error;
      done_ = true;
    }
  }

  // Taken before mu_: one request at a time.
  absl::Mutex turn_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  absl::Mutex mu_;
  int fd_ ABSL_GUARDED_BY(mu_) = -1;
  bool requested_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  int error_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace

DeferredObjectSync::DeferredObjectSync(git_repository* repo, int fd_in_repo, bool durable,
                                       PackBatch* objects)
    : repo_(repo), fd_(fd_in_repo), durable_(durable), objects_(objects) {}

absl::Status DeferredObjectSync::Flush(const std::function<void()>& meanwhile) {
  if (objects_ != nullptr && !objects_->empty()) {
    TRACKER_ASSIGN_OR_RETURN(std::string written, objects_->Write(PackDirectory(repo_)));
    ++packs_written_;
    // Found now rather than on the first miss of a look-up.
    git_odb* raw = nullptr;
    GIT_RETURN_IF_ERROR(git_repository_odb(&raw, repo_), "open object database");
    OdbPtr odb(raw);
    GIT_RETURN_IF_ERROR(git_odb_refresh(odb.get()), absl::StrCat("read the new pack ", written));
  }
  if (!durable_) {
    if (meanwhile) meanwhile();
    return absl::OkStatus();
  }
  int error = 0;
  if (meanwhile) {
    error = SyncThread::Instance().SyncWhile(fd_, meanwhile);
  } else if (::syncfs(fd_) != 0) {
    error = errno;
  }
  if (error != 0) {
    return absl::InternalError(
        absl::StrCat("syncfs of the repository failed: ", std::strerror(error)));
  }
  return absl::OkStatus();
}

}  // namespace tracker::repo::objects
