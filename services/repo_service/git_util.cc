#include "services/repo_service/git_util.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status.h"

namespace tracker::repo {

void InitLibgit2() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    // A crash right after a ref update must not leave a ref that points at
    // objects still in the page cache.
    git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
    // Objects we need stay parsed in our own snapshot, so libgit2's object
    // cache buys nothing: a snapshot load touches every tree once. With it
    // (even capped at 8 MiB, a cap on raw sizes, not on parsed trees) the
    // repo-service held 138 MB resident at 100,000 jobs.
    git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
    // Every id a write puts in a tree or commit is one this process just
    // wrote or read from the branch tip, so libgit2's check that each exists
    // only re-reads them: an open and an inflate per tree on the path.
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 0);
  });
}

absl::Status GitStatus(int error, absl::string_view context) {
  const git_error* last = git_error_last();
  std::string message = absl::StrCat(context, ": ",
                                     last != nullptr && last->message != nullptr
                                         ? last->message
                                         : "libgit2 error");
  git_error_clear();
  switch (error) {
    case GIT_ELOCKED:
      return absl::UnavailableError(message);
    case GIT_EMODIFIED:
    case GIT_ENONFASTFORWARD:
      return absl::AbortedError(message);
    case GIT_EMERGECONFLICT:
    case GIT_ECONFLICT:
      return absl::FailedPreconditionError(message);
    case GIT_ENOTFOUND:
      return absl::NotFoundError(message);
    case GIT_EAUTH:
    case GIT_ECERTIFICATE:
      return absl::PermissionDeniedError(message);
    default:
      return absl::InternalError(message);
  }
}

DeferredObjectSync::DeferredObjectSync(git_repository* repo, int fd_in_repo, bool durable)
    : repo_(repo), fd_(fd_in_repo), durable_(durable) {
  git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 0);
}

DeferredObjectSync::~DeferredObjectSync() { git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1); }

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
  int SyncWhile(int fd, const std::function<void()>& meanwhile) {
    std::lock_guard<std::mutex> turn(turn_mu_);
    Start(fd);
    meanwhile();
    return Wait();
  }

 private:
  void Start(int fd) {
    std::lock_guard<std::mutex> lock(mu_);
    fd_ = fd;
    requested_ = true;
    done_ = false;
    cv_.notify_all();
  }
  // errno of the syncfs(), 0 when it succeeded.
  int Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return done_; });
    return error_;
  }

  SyncThread() { std::thread([this] { Run(); }).detach(); }
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return requested_; });
      requested_ = false;
      int fd = fd_;
      lock.unlock();
      int error = ::syncfs(fd) == 0 ? 0 : errno;
      lock.lock();
      error_ = error;
      done_ = true;
      cv_.notify_all();
    }
  }

  std::mutex turn_mu_;
  std::mutex mu_;
  std::condition_variable cv_;
  int fd_ = -1;
  bool requested_ = false;
  bool done_ = false;
  int error_ = 0;
};

}  // namespace

std::string ObjectDirectory(git_repository* repo) {
  git_buf objects = GIT_BUF_INIT;
  std::string dir;
  if (git_repository_item_path(&objects, repo, GIT_REPOSITORY_ITEM_OBJECTS) == 0) {
    dir = std::string(objects.ptr, objects.size);
  } else {
    git_error_clear();
    dir = absl::StrCat(git_repository_path(repo), "objects");
  }
  git_buf_dispose(&objects);
  return std::string(absl::StripSuffix(dir, "/"));
}

std::string PackDirectory(git_repository* repo) { return ObjectDirectory(repo) + "/pack"; }

absl::Status DeferredObjectSync::Flush(const std::function<void()>& meanwhile) {
  if (!pack_.empty()) {
    TRACKER_ASSIGN_OR_RETURN(std::string written, pack_.Write(PackDirectory(repo_)));
    ++packs_written_;
    // Found now rather than on the first miss of a look-up.
    git_odb* odb = nullptr;
    GIT_RETURN_IF_ERROR(git_repository_odb(&odb, repo_), "open object database");
    int rc = git_odb_refresh(odb);
    git_odb_free(odb);
    GIT_RETURN_IF_ERROR(rc, absl::StrCat("read the new pack ", written));
  }
  if (!durable_) {
    if (meanwhile) meanwhile();
    return absl::OkStatus();
  }
  git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
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

absl::StatusOr<TreePtr> TreeCache::Lookup(git_repository* repo, const git_oid& oid) {
  for (const auto& [id, tree] : trees_) {
    if (git_oid_equal(&id, &oid)) {
      git_tree* copy = nullptr;
      GIT_RETURN_IF_ERROR(git_tree_dup(&copy, tree.get()), "copy tree");
      return TreePtr(copy);
    }
  }
  git_tree* raw = nullptr;
  GIT_RETURN_IF_ERROR(git_tree_lookup(&raw, repo, &oid), "read tree");
  TreePtr tree(raw);
  git_tree* copy = nullptr;
  GIT_RETURN_IF_ERROR(git_tree_dup(&copy, tree.get()), "copy tree");
  if (trees_.size() == kCapacity) trees_.erase(trees_.begin());
  trees_.emplace_back(oid, TreePtr(copy));
  return tree;
}

absl::StatusOr<TreePtr> LookupTree(git_repository* repo, const git_oid& oid, TreeCache* cache) {
  if (cache != nullptr) return cache->Lookup(repo, oid);
  git_tree* tree = nullptr;
  GIT_RETURN_IF_ERROR(git_tree_lookup(&tree, repo, &oid), "read tree");
  return TreePtr(tree);
}

std::string OidHex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof(buf), &oid);
  return std::string(buf);
}

absl::Status ParseOid(absl::string_view hex, git_oid* out) {
  if (hex.size() != GIT_OID_HEXSZ ||
      git_oid_fromstrn(out, hex.data(), hex.size()) != 0) {
    git_error_clear();
    return absl::InvalidArgumentError(
        absl::StrCat("'", hex.substr(0, 64), "' is not a full 40-hex commit id"));
  }
  return absl::OkStatus();
}

}  // namespace tracker::repo
