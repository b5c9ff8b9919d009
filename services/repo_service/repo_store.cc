#include "services/repo_service/repo_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <git2/sys/repository.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/log.h"
#include "common/status.h"
#include "common/url.h"
#include "services/repo_service/credentials.h"
#include "services/repo_service/pack_merge.h"
#include "services/repo_service/ref_update.h"
#include "tracking/layout.h"

namespace tracker::repo {

using ::tracker::tracking::ValidateBranch;
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

}  // namespace

absl::StatusOr<std::unique_ptr<RepoStore>> RepoStore::Open(StoreOptions options) {
  InitLibgit2();
  git_repository* raw = nullptr;
  std::error_code ec;
  if (!fs::exists(options.path, ec)) {
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
    GIT_RETURN_IF_ERROR(
        git_clone(&raw, options.remote_url.c_str(), options.path.c_str(), &clone_opts),
        absl::StrCat("clone ", RedactUrl(options.remote_url)));
  } else {
    GIT_RETURN_IF_ERROR(git_repository_open(&raw, options.path.c_str()),
                        absl::StrCat("open repository ", options.path));
  }
  RepositoryPtr repo(raw);
  std::string git_dir = git_repository_path(repo.get());
  auto lock_fd = LockClone(git_dir);
  if (!lock_fd.ok()) return lock_fd.status();
  RemoveStaleRefLocks(git_dir);
  RemovePackLeftovers(PackDirectory(repo.get()));
  auto write_reflog = WritesReflog(repo.get());
  if (!write_reflog.ok()) return write_reflog.status();

  if (!options.remote_url.empty()) {
    git_remote* remote = nullptr;
    if (git_remote_lookup(&remote, repo.get(), "origin") == GIT_ENOTFOUND) {
      git_error_clear();
      GIT_RETURN_IF_ERROR(
          git_remote_create(&remote, repo.get(), "origin", options.remote_url.c_str()),
          "add remote origin");
    } else if (remote != nullptr &&
               options.remote_url != git_remote_url(remote)) {
      GIT_RETURN_IF_ERROR(
          git_remote_set_url(repo.get(), "origin", options.remote_url.c_str()),
          "set remote url");
    }
    git_remote_free(remote);
  }

  std::unique_ptr<RepoStore> store(new RepoStore(std::move(options), std::move(repo), *lock_fd));
  store->write_reflog_ = *write_reflog;
  std::lock_guard<std::mutex> write(store->write_mu_);
  std::lock_guard<std::mutex> git(store->git_mu_);
  // Local branches start from the remote's when they do not exist yet.
  for (const char* branch : {kMainBranch, kSchedulerBranch}) {
    std::string local = absl::StrCat("refs/heads/", branch);
    if (store->ResolveRef(local).ok()) continue;
    auto remote_tip = store->ResolveRef(absl::StrCat("refs/remotes/origin/", branch));
    if (!remote_tip.ok() && std::string(branch) == kSchedulerBranch) {
      // A repository that never had a scheduler branch gets one at main.
      remote_tip = store->ResolveRef("refs/heads/main");
    }
    if (!remote_tip.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the tracking repository has no '", branch, "' branch (local or on origin)"));
    }
    git_reference* ref = nullptr;
    GIT_RETURN_IF_ERROR(git_reference_create(&ref, store->repo_.get(), local.c_str(),
                                             &*remote_tip, 0, "repo-service: create branch"),
                        absl::StrCat("create branch ", branch));
    git_reference_free(ref);
    LogInfo("branch_created").Kv("branch", branch).Kv("commit", OidHex(*remote_tip));
  }
  for (const char* branch : {kMainBranch, kSchedulerBranch}) {
    TRACKER_RETURN_IF_ERROR(store->RefreshSnapshot(branch));
  }
  auto sched = store->Read(kSchedulerBranch);
  LogInfo("repository_opened")
      .Kv("path", store->options_.path)
      .Kv("scheduler", OidHex((*sched)->commit))
      .Kv("jobs", (*sched)->job_count);
  return store;
}

RepoStore::RepoStore(StoreOptions options, RepositoryPtr repo, int lock_fd)
    : options_(std::move(options)), repo_(std::move(repo)), lock_fd_(lock_fd) {}

RepoStore::~RepoStore() {
  repo_.reset();
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

absl::StatusOr<git_oid> RepoStore::ResolveRef(const std::string& ref_name) {
  git_oid oid;
  GIT_RETURN_IF_ERROR(git_reference_name_to_id(&oid, repo_.get(), ref_name.c_str()),
                      absl::StrCat("resolve ", ref_name));
  return oid;
}

absl::Status RepoStore::RefreshSnapshot(const std::string& branch, const git_oid* known_tip) {
  absl::StatusOr<git_oid> tip =
      known_tip != nullptr ? *known_tip : ResolveRef(absl::StrCat("refs/heads/", branch));
  if (!tip.ok()) return tip.status();
  BranchSnapshots now = Current();
  const auto& current = branch == kMainBranch ? now.main : now.scheduler;
  if (current != nullptr && OidEqual(current->commit, *tip)) return absl::OkStatus();
  auto loaded = LoadSnapshot(repo_.get(), *tip, {now.scheduler.get(), now.main.get()});
  if (!loaded.ok()) return loaded.status();
  std::lock_guard<std::mutex> lock(snap_mu_);
  (branch == kMainBranch ? main_ : scheduler_) = *std::move(loaded);
  return absl::OkStatus();
}

RepoStore::BranchSnapshots RepoStore::Current() const {
  std::lock_guard<std::mutex> lock(snap_mu_);
  return {main_, scheduler_};
}

absl::StatusOr<std::shared_ptr<const Snapshot>> RepoStore::Read(const std::string& branch) {
  std::string name = branch.empty() ? kSchedulerBranch : branch;
  TRACKER_RETURN_IF_ERROR(ValidateBranch(name));
  std::lock_guard<std::mutex> lock(snap_mu_);
  return name == kMainBranch ? main_ : scheduler_;
}

absl::StatusOr<std::shared_ptr<const Snapshot>> RepoStore::ReadRevision(const std::string& rev) {
  if (rev.empty() || rev == kMainBranch || rev == kSchedulerBranch) return Read(rev);
  git_oid oid;
  TRACKER_RETURN_IF_ERROR(ParseOid(rev, &oid));
  BranchSnapshots now = Current();
  std::lock_guard<std::mutex> git(git_mu_);
  git_object* obj = nullptr;
  if (git_object_lookup(&obj, repo_.get(), &oid, GIT_OBJECT_COMMIT) != 0) {
    git_error_clear();
    return absl::NotFoundError(absl::StrCat("no commit ", rev, " in the tracking repository"));
  }
  git_object_free(obj);
  return LoadSnapshot(repo_.get(), oid, {now.scheduler.get(), now.main.get()});
}

absl::StatusOr<std::string> RepoStore::ReadBlob(const git_oid& oid) {
  std::lock_guard<std::mutex> git(git_mu_);
  return ReadBlobLocked(oid);
}

absl::StatusOr<std::string> RepoStore::ReadBlobLocked(const git_oid& oid) {
  git_blob* raw = nullptr;
  GIT_RETURN_IF_ERROR(git_blob_lookup(&raw, repo_.get(), &oid), "read blob");
  BlobPtr blob(raw);
  return std::string(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                     static_cast<size_t>(git_blob_rawsize(blob.get())));
}

absl::StatusOr<git_oid> RepoStore::CreateCommit(const tracker::v1::WriteOptions& options,
                                                const std::string& message,
                                                const git_oid& tree_oid,
                                                const std::vector<git_oid>& parents,
                                                PackBatch& objects) {
  const std::string& name =
      options.author().name().empty() ? options_.author_name : options.author().name();
  const std::string& email =
      options.author().email().empty() ? options_.author_email : options.author().email();
  if (message.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError("the commit message contains a NUL byte");
  }
  git_signature* raw_sig = nullptr;
  GIT_RETURN_IF_ERROR(git_signature_now(&raw_sig, name.c_str(), email.c_str()),
                      "author (name and email must not contain '<', '>' or newlines)");
  SignaturePtr sig(raw_sig);
  // The commit as libgit2 would write it (git_commit_create_from_ids), into
  // this write's pack.
  const git_time& when = sig->when;
  const int offset = when.offset < 0 ? -when.offset : when.offset;
  const std::string signature = absl::StrFormat(
      "%s <%s> %d %c%02d%02d\n", sig->name, sig->email, static_cast<int64_t>(when.time),
      when.offset < 0 || when.sign == '-' ? '-' : '+', offset / 60, offset % 60);
  std::string commit = absl::StrCat("tree ", OidHex(tree_oid), "\n");
  for (const git_oid& p : parents) absl::StrAppend(&commit, "parent ", OidHex(p), "\n");
  absl::StrAppend(&commit, "author ", signature, "committer ", signature, "\n", message);
  return objects.Add(GIT_OBJECT_COMMIT, commit);
}

absl::Status RepoStore::UpdateBranch(const std::string& branch, const git_oid& expected,
                                     const git_oid& next, const git_oid& next_tree,
                                     const std::string& reason, DeferredObjectSync& objects) {
  BranchSnapshots now = Current();
  absl::StatusOr<std::shared_ptr<const Snapshot>> loaded = absl::UnknownError("not parsed");
  TRACKER_RETURN_IF_ERROR(UpdateBranchRef(
      repo_.get(), absl::StrCat("refs/heads/", branch), expected, next, reason, write_reflog_,
      objects, [&] {
        loaded = LoadSnapshot(repo_.get(), next, next_tree, {now.scheduler.get(), now.main.get()},
                              &recent_trees_);
      }));
  // Published only now: readers never see a commit that is not yet durable.
  absl::Status published = absl::OkStatus();
  if (loaded.ok()) {
    std::lock_guard<std::mutex> lock(snap_mu_);
    (branch == kMainBranch ? main_ : scheduler_) = *std::move(loaded);
  } else {
    published = RefreshSnapshot(branch, &next);
  }
  packs_since_merge_ += objects.packs_written();
  if (packs_since_merge_ >= kPacksBetweenMerges) {
    packs_since_merge_ = 0;
    MergePacksLocked();
  }
  return published;
}

void RepoStore::MergePacksLocked() {
  auto merged = MergePacks(PackDirectory(repo_.get()), kPacksBetweenMerges,
                           options_.durable_writes, &not_mergeable_packs_);
  if (!merged.ok()) {
    // The write is done and every object is still in its old pack.
    LogWarning("pack_merge_failed").Kv("error", merged.status().ToString());
    return;
  }
  if (merged->packs_merged == 0) return;
  // libgit2 keeps the removed packs open (and their disk space taken); a new
  // object database knows only the packs on disk.
  git_odb* fresh = nullptr;
  const std::string objects_dir = ObjectDirectory(repo_.get());
  if (git_odb_open(&fresh, objects_dir.c_str()) == 0) {
    git_odb* old = nullptr;
    git_repository_odb(&old, repo_.get());
    git_repository_set_odb(repo_.get(), fresh);
    git_odb_free(fresh);
    // The last reference to the old database closes and unmaps the removed
    // packs, which frees their blocks: with `discard` on the mount that was
    // ~0.3 ms a file, 7 ms a merge, so it is let go off the write path.
    // libgit2 guards the packs the two databases share.
    std::thread([old] { git_odb_free(old); }).detach();
  } else {
    LogWarning("object_database_reopen_failed").Kv("error", GitStatus(-1, objects_dir).ToString());
  }
  LogInfo("packs_merged")
      .Kv("packs", static_cast<int64_t>(merged->packs_merged))
      .Kv("objects", static_cast<int64_t>(merged->objects))
      .Kv("pack", merged->pack_path);
}

absl::StatusOr<tracker::v1::WriteResult> RepoStore::CommitEdit(
    const tracker::v1::WriteOptions& options, const std::string& branch,
    const std::string& default_message, const EditFn& edit) {
  TRACKER_RETURN_IF_ERROR(ValidateBranch(branch));
  std::lock_guard<std::mutex> git(git_mu_);
  auto tip = ResolveRef(absl::StrCat("refs/heads/", branch));
  if (!tip.ok()) return tip.status();
  if (!options.expected_tip().empty()) {
    git_oid expected;
    TRACKER_RETURN_IF_ERROR(ParseOid(options.expected_tip(), &expected));
    if (!OidEqual(expected, *tip)) {
      return absl::AbortedError(absl::StrCat("branch ", branch, " is at ", OidHex(*tip),
                                             ", not the expected ", options.expected_tip(),
                                             "; nothing was written"));
    }
  }
  TRACKER_RETURN_IF_ERROR(RefreshSnapshot(branch, &*tip));
  DeferredObjectSync objects(repo_.get(), lock_fd_, options_.durable_writes);
  auto snapshot = Read(branch);
  if (!snapshot.ok()) return snapshot.status();
  TreeEditor editor(repo_.get(), &(*snapshot)->root_tree, &objects.objects(), &recent_trees_);
  TRACKER_RETURN_IF_ERROR(edit(**snapshot, editor));
  auto tree = editor.Write();
  if (!tree.ok()) return tree.status();
  if (OidEqual(*tree, (*snapshot)->root_tree)) {
    return absl::FailedPreconditionError("the change is already in place; nothing to commit");
  }
  const std::string& message = options.message().empty() ? default_message : options.message();
  auto commit = CreateCommit(options, message, *tree, {*tip}, objects.objects());
  if (!commit.ok()) return commit.status();
  TRACKER_RETURN_IF_ERROR(UpdateBranch(branch, *tip, *commit, *tree, message, objects));
  tracker::v1::WriteResult result;
  result.set_commit(OidHex(*commit));
  result.set_branch(branch);
  return result;
}

}  // namespace tracker::repo
