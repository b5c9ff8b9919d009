// RepoStore::Open: the clone made or opened, locked, cleaned of what a
// killed process left, and its branches loaded.

#include "services/repo_service/repo_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status.h"
#include "common/url.h"
#include "services/repo_service/credentials.h"
#include "services/repo_service/git_util.h"
#include "tracking/layout.h"

namespace tracker::repo {

using ::tracker::tracking::kMainBranch;
using ::tracker::tracking::kSchedulerBranch;
namespace {

namespace fs = std::filesystem;

// A killed process can leave `<ref>.lock` behind, and libgit2 then refuses
// every update of that ref. We hold the clone's exclusive lock, so any such
// file is stale and safe to remove.
void RemoveStaleRefLocks(const std::string& git_dir) {
  std::error_code ec;
  std::vector<fs::path> stale;
  for (auto it = fs::recursive_directory_iterator(fs::path(git_dir) / "refs", ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().extension() == ".lock") stale.push_back(it->path());
  }
  for (const char* name : {"packed-refs.lock", "HEAD.lock", "config.lock"}) {
    if (fs::exists(fs::path(git_dir) / name, ec)) stale.push_back(fs::path(git_dir) / name);
  }
  for (const fs::path& p : stale) {
    LogWarning("stale_lock_removed").Kv("path", p.string());
    fs::remove(p, ec);
  }
}

absl::StatusOr<int> LockClone(const std::string& git_dir) {
  std::string path = absl::StrCat(git_dir, "/repo-service.lock");
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::FailedPreconditionError(absl::StrCat("cannot open ", path));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return absl::FailedPreconditionError(
        absl::StrCat("another repo-service already owns the clone ", git_dir,
                     " (", path, " is locked)"));
  }
  return fd;
}

absl::StatusOr<RepositoryPtr> CloneOrOpen(const StoreOptions& options) {
  std::error_code ec;
  if (fs::exists(options.path, ec)) return OpenRepository(options.path);
  if (options.remote_url.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "no repository at ", options.path, " and no --remote to clone it from"));
  }
  git_clone_options clone_opts = GIT_CLONE_OPTIONS_INIT;
  clone_opts.bare = 1;
  CredentialPayload payload{&options};
  clone_opts.fetch_opts.callbacks.credentials = CredentialCallback;
  clone_opts.fetch_opts.callbacks.payload = &payload;
  if (!options.ssh_known_hosts_path.empty()) {
    clone_opts.fetch_opts.callbacks.certificate_check = CertificateCheckCallback;
  }
  LogInfo("cloning").Kv("remote", RedactUrl(options.remote_url)).Kv("path", options.path);
  git_repository* raw = nullptr;
  GIT_RETURN_IF_ERROR(
      git_clone(&raw, options.remote_url.c_str(), options.path.c_str(), &clone_opts),
      absl::StrCat("clone ", RedactUrl(options.remote_url)));
  return RepositoryPtr(raw);
}

// Points "origin" at `url`, adding it when missing.
absl::Status SetOrigin(git_repository* repo, const std::string& url) {
  git_remote* raw = nullptr;
  const int rc = git_remote_lookup(&raw, repo, "origin");
  RemotePtr remote(raw);
  if (rc == GIT_ENOTFOUND) {
    git_error_clear();
    GIT_RETURN_IF_ERROR(git_remote_create(&raw, repo, "origin", url.c_str()), "add remote origin");
    remote.reset(raw);
  } else if (remote != nullptr && url != git_remote_url(remote.get())) {
    GIT_RETURN_IF_ERROR(git_remote_set_url(repo, "origin", url.c_str()), "set remote url");
  }
  return absl::OkStatus();
}

// Local branches start from the remote's when they do not exist yet.
absl::Status CreateMissingBranches(git_repository* repo) {
  for (const std::string branch : {kMainBranch, kSchedulerBranch}) {
    const std::string local = absl::StrCat("refs/heads/", branch);
    if (ResolveRef(repo, local).ok()) continue;
    git_error_clear();
    auto remote_tip = ResolveRef(repo, absl::StrCat("refs/remotes/origin/", branch));
    if (!remote_tip.ok() && branch == kSchedulerBranch) {
      // A repository that never had a scheduler branch gets one at main.
      remote_tip = ResolveRef(repo, absl::StrCat("refs/heads/", kMainBranch));
    }
    if (!remote_tip.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the tracking repository has no '", branch, "' branch (local or on origin)"));
    }
    git_reference* raw = nullptr;
    GIT_RETURN_IF_ERROR(git_reference_create(&raw, repo, local.c_str(), &*remote_tip, 0,
                                             "repo-service: create branch"),
                        absl::StrCat("create branch ", branch));
    ReferencePtr created(raw);
    LogInfo("branch_created").Kv("branch", branch).Kv("commit", OidHex(*remote_tip));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<RepoStore>> RepoStore::Open(StoreOptions options) {
  InitLibgit2();
  TRACKER_ASSIGN_OR_RETURN(RepositoryPtr repo, CloneOrOpen(options));
  const std::string git_dir = git_repository_path(repo.get());
  TRACKER_ASSIGN_OR_RETURN(int lock_fd, LockClone(git_dir));
  std::unique_ptr<RepoStore> store(new RepoStore(std::move(options), lock_fd, git_dir));
  RemoveStaleRefLocks(git_dir);
  if (!store->options_.remote_url.empty()) {
    TRACKER_RETURN_IF_ERROR(SetOrigin(repo.get(), store->options_.remote_url));
  }
  TRACKER_RETURN_IF_ERROR(CreateMissingBranches(repo.get()));
  TRACKER_ASSIGN_OR_RETURN(store->writer_,
                           StoreWriter::Create(store->options_, store->locks_, store->snapshots_,
                                               *store->readers_, store->analyses_,
                                               std::move(repo), lock_fd));
  for (const char* branch : {kMainBranch, kSchedulerBranch}) {
    TRACKER_RETURN_IF_ERROR(store->writer_->LoadBranch(branch));
  }
  store->sync_ = std::make_unique<StoreSync>(store->options_, store->locks_, *store->writer_,
                                             *store->readers_);
  std::shared_ptr<const Snapshot> sched = store->snapshots_.Get(kSchedulerBranch);
  LogInfo("repository_opened")
      .Kv("path", store->options_.path)
      .Kv("scheduler", OidHex(sched->commit))
      .Kv("jobs", sched->job_count);
  return store;
}

RepoStore::RepoStore(StoreOptions options, int lock_fd, const std::string& git_dir)
    : options_(std::move(options)),
      lock_fd_(lock_fd),
      readers_(std::make_unique<RepositoryPool>(git_dir)),
      reader_(snapshots_, *readers_, analyses_) {}

RepoStore::~RepoStore() {
  // Every handle closed before the clone's lock is let go.
  sync_.reset();
  writer_.reset();
  readers_.reset();
  ::close(lock_fd_);
}

}  // namespace tracker::repo
