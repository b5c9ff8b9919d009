// Merges between branches and exchanges with the remote. Merges happen in
// memory (git_merge_trees): no work tree, never conflict markers. Pushes are
// never forced: a rejected push is fetched, merged and retried.

#include <fstream>
#include <map>
#include <set>
#include <random>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/file_util.h"
#include "common/log.h"
#include "common/status.h"
#include "common/url.h"
#include "services/repo_service/credentials.h"
#include "services/repo_service/repo_store.h"
#include "tracking/layout.h"

namespace tracker::repo {

using ::tracker::tracking::State;
using ::tracker::tracking::ValidateBranch;
using ::tracker::tracking::kJobsDir;
using ::tracker::tracking::kMainBranch;
using ::tracker::tracking::kSchedulerBranch;
namespace {

constexpr size_t kMaxListedPaths = 20;

// Paths under some batch's queued/ that differ between two snapshots.
std::vector<std::string> QueuedDifferences(const Snapshot& a, const Snapshot& b) {
  std::vector<std::string> out;
  std::set<std::pair<std::string, std::string>> batches;
  for (const Snapshot* s : {&a, &b}) {
    for (const auto& [sid, study] : s->studies) {
      for (const auto& [bid, batch] : study->batches) batches.emplace(sid, bid);
    }
  }
  static const Folder kEmpty;
  for (const auto& [sid, bid] : batches) {
    const Batch* x = a.FindBatch(sid, bid);
    const Batch* y = b.FindBatch(sid, bid);
    const Folder* fx = x ? x->StateFolderOf(State::kQueued) : nullptr;
    const Folder* fy = y ? y->StateFolderOf(State::kQueued) : nullptr;
    if (fx == nullptr) fx = &kEmpty;
    if (fy == nullptr) fy = &kEmpty;
    if (fx != &kEmpty && fy != &kEmpty && OidEqual(fx->tree, fy->tree)) continue;
    std::map<std::string, const JobEntry*> jobs;
    for (const JobEntry& j : fx->jobs) jobs[j.id] = &j;
    for (const JobEntry& j : fy->jobs) {
      auto it = jobs.find(j.id);
      if (it != jobs.end() && OidEqual(it->second->tree, j.tree)) {
        jobs.erase(it);
      } else {
        jobs[j.id] = &j;
      }
    }
    for (const auto& [id, job] : jobs) {
      out.push_back(absl::StrCat(kJobsDir, "/", sid, "/", bid, "/queued/", id));
    }
  }
  return out;
}

std::string ListPaths(const std::vector<std::string>& paths) {
  std::vector<std::string> head(paths.begin(),
                                paths.begin() + std::min(paths.size(), kMaxListedPaths));
  std::string out = absl::StrJoin(head, ", ");
  if (paths.size() > head.size()) absl::StrAppend(&out, " and ", paths.size() - head.size(), " more");
  return out;
}

// Which ref a merge source names.
absl::StatusOr<std::string> SourceRef(const std::string& source) {
  if (source == kMainBranch || source == kSchedulerBranch) {
    return absl::StrCat("refs/heads/", source);
  }
  if (source == tracking::kRemoteMainRef || source == tracking::kRemoteSchedulerRef) {
    return absl::StrCat("refs/remotes/", source);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "merge source '", source, "' must be main, scheduler, origin/main or origin/scheduler"));
}

// The origin remote, built from its configured URL as an anonymous remote.
// Not git_remote_lookup: in libgit2 1.5 with PCRE2 every lookup (and the
// lookup inside update_tips of a named remote) leaks its regex match data,
// ~20 KB a call; a scheduler fetching every cycle grew repo-service by
// 8 MB a second in the campaign benchmark. Fetches name their refspec, and
// pushes update refs/remotes/origin/<branch> themselves.
absl::StatusOr<RemotePtr> LookupOrigin(git_repository* repo) {
  git_config* raw_config = nullptr;
  GIT_RETURN_IF_ERROR(git_repository_config_snapshot(&raw_config, repo), "read config");
  std::unique_ptr<git_config, GitDeleter<git_config, git_config_free>> config(raw_config);
  const char* url = nullptr;
  if (git_config_get_string(&url, config.get(), "remote.origin.url") != 0 || url == nullptr) {
    git_error_clear();
    return absl::FailedPreconditionError(
        "the clone has no remote 'origin'; start repo-service with --remote");
  }
  git_remote_create_options opts = GIT_REMOTE_CREATE_OPTIONS_INIT;
  opts.repository = repo;
  opts.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
  git_remote* raw = nullptr;
  GIT_RETURN_IF_ERROR(git_remote_create_with_opts(&raw, url, &opts), "open remote origin");
  return RemotePtr(raw);
}

// libgit2 passes one payload to every callback of a push.
struct PushPayload {
  CredentialPayload cred;
  std::string rejection;  // set when the remote refused the update
};

int OnPushCredential(git_credential** out, const char* url, const char* user,
                     unsigned int types, void* data) {
  return CredentialCallback(out, url, user, types, &static_cast<PushPayload*>(data)->cred);
}

int OnPushCertificate(git_cert* cert, int valid, const char* host, void* data) {
  return CertificateCheckCallback(cert, valid, host, &static_cast<PushPayload*>(data)->cred);
}

int OnPushUpdate(const char* refname, const char* status, void* data) {
  if (status != nullptr) {
    static_cast<PushPayload*>(data)->rejection = absl::StrCat(refname, ": ", status);
  }
  return 0;
}

}  // namespace

std::string RepoStore::LastPushPath(const std::string& branch) const {
  return absl::StrCat(git_repository_path(repo_.get()), "tracker-last-push-", branch);
}

absl::Status RepoStore::FetchLocked() {
  TRACKER_ASSIGN_OR_RETURN(RemotePtr remote, LookupOrigin(repo_.get()));
  git_fetch_options opts = GIT_FETCH_OPTIONS_INIT;
  CredentialPayload payload{&options_};
  opts.callbacks.credentials = CredentialCallback;
  opts.callbacks.payload = &payload;
  if (!options_.ssh_known_hosts_path.empty()) opts.callbacks.certificate_check = CertificateCheckCallback;
  char spec[] = "+refs/heads/*:refs/remotes/origin/*";
  char* specs[] = {spec};
  git_strarray refspecs = {specs, 1};
  int rc = git_remote_fetch(remote.get(), &refspecs, &opts, "repo-service: fetch");
  if (rc < 0) {
    absl::Status s = GitStatus(rc, absl::StrCat("fetch from ", RedactUrl(git_remote_url(remote.get()))));
    // A remote that cannot be reached is worth retrying, not a bug of ours.
    if (s.code() == absl::StatusCode::kInternal) return absl::UnavailableError(s.message());
    return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<tracker::v1::FetchResponse> RepoStore::Fetch() {
  std::lock_guard<std::mutex> write(write_mu_);
  std::lock_guard<std::mutex> git(git_mu_);
  TRACKER_RETURN_IF_ERROR(FetchLocked());
  tracker::v1::FetchResponse out;
  // Bring each local branch up to its remote: fast-forward, or merge when
  // both moved (admins pushed while local admin work was unpushed).
  for (const char* branch : {kMainBranch, kSchedulerBranch}) {
    std::string remote_ref = absl::StrCat("refs/remotes/origin/", branch);
    if (ResolveRef(remote_ref).ok()) {
      tracker::v1::WriteOptions options;
      options.set_message(absl::StrCat("Merge remote-tracking branch 'origin/", branch,
                                       "' into ", branch));
      auto merged = MergeLocked(remote_ref, branch, options);
      if (!merged.ok()) return merged.status();
    }
    TRACKER_ASSIGN_OR_RETURN(*out.add_branches(), BranchStatusLocked(branch));
  }
  LogInfo("fetched")
      .Kv("main", out.branches(0).tip())
      .Kv("scheduler", out.branches(1).tip());
  return out;
}

absl::StatusOr<tracker::v1::MergeResponse> RepoStore::Merge(const tracker::v1::MergeRequest& req) {
  const std::string target = req.options().branch();
  TRACKER_RETURN_IF_ERROR(ValidateBranch(target));
  TRACKER_ASSIGN_OR_RETURN(std::string source_ref, SourceRef(req.source()));
  if (source_ref == absl::StrCat("refs/heads/", target)) {
    return absl::InvalidArgumentError("a branch cannot be merged into itself");
  }
  std::lock_guard<std::mutex> write(write_mu_);
  std::lock_guard<std::mutex> git(git_mu_);
  return MergeLocked(source_ref, target, req.options());
}

absl::StatusOr<tracker::v1::MergeResponse> RepoStore::MergeLocked(
    const std::string& source_ref, const std::string& target,
    const tracker::v1::WriteOptions& options) {
  tracker::v1::MergeResponse out;
  out.mutable_result()->set_branch(target);
  TRACKER_ASSIGN_OR_RETURN(git_oid ours, ResolveRef(absl::StrCat("refs/heads/", target)));
  TRACKER_ASSIGN_OR_RETURN(git_oid theirs, ResolveRef(source_ref));
  if (!options.expected_tip().empty()) {
    git_oid expected;
    TRACKER_RETURN_IF_ERROR(ParseOid(options.expected_tip(), &expected));
    if (!OidEqual(expected, ours)) {
      return absl::AbortedError(absl::StrCat("branch ", target, " is at ", OidHex(ours),
                                             ", not the expected ", options.expected_tip()));
    }
  }
  out.mutable_result()->set_commit(OidHex(ours));
  if (OidEqual(ours, theirs) || git_graph_descendant_of(repo_.get(), &ours, &theirs) == 1) {
    out.set_up_to_date(true);
    return out;
  }
  const bool fast_forward = git_graph_descendant_of(repo_.get(), &theirs, &ours) == 1;
  DeferredObjectSync objects(repo_.get(), lock_fd_, options_.durable_writes);

  git_oid merged_tree;
  if (fast_forward) {
    git_commit* c = nullptr;
    GIT_RETURN_IF_ERROR(git_commit_lookup(&c, repo_.get(), &theirs), "read source commit");
    merged_tree = *git_commit_tree_id(c);
    git_commit_free(c);
  } else {
    git_oid base;
    GIT_RETURN_IF_ERROR(git_merge_base(&base, repo_.get(), &ours, &theirs),
                        absl::StrCat("find the common ancestor of ", target, " and ", source_ref));
    auto tree_of = [&](const git_oid& commit_oid) -> absl::StatusOr<TreePtr> {
      git_commit* c = nullptr;
      GIT_RETURN_IF_ERROR(git_commit_lookup(&c, repo_.get(), &commit_oid), "read commit");
      CommitPtr commit(c);
      git_tree* t = nullptr;
      GIT_RETURN_IF_ERROR(git_commit_tree(&t, commit.get()), "read tree");
      return TreePtr(t);
    };
    TRACKER_ASSIGN_OR_RETURN(TreePtr base_tree, tree_of(base));
    TRACKER_ASSIGN_OR_RETURN(TreePtr our_tree, tree_of(ours));
    TRACKER_ASSIGN_OR_RETURN(TreePtr their_tree, tree_of(theirs));
    // Rename detection on, as `git merge` does: a job the scheduler moved
    // (queued -> completed) and an admin edited on main (markers removed)
    // must merge into the moved job, as it did in the real history.
    git_merge_options merge_opts = GIT_MERGE_OPTIONS_INIT;
    git_index* raw_index = nullptr;
    GIT_RETURN_IF_ERROR(git_merge_trees(&raw_index, repo_.get(), base_tree.get(), our_tree.get(),
                                        their_tree.get(), &merge_opts),
                        "merge trees");
    IndexPtr index(raw_index);
    if (git_index_has_conflicts(index.get())) {
      std::set<std::string> paths;
      git_index_conflict_iterator* it = nullptr;
      git_index_conflict_iterator_new(&it, index.get());
      const git_index_entry *a, *o, *t;
      while (git_index_conflict_next(&a, &o, &t, it) == 0) {
        paths.insert(a ? a->path : o ? o->path : t->path);
      }
      git_index_conflict_iterator_free(it);
      return absl::FailedPreconditionError(absl::StrCat(
          "merging ", source_ref, " into ", target, " conflicts in ",
          ListPaths(std::vector<std::string>(paths.begin(), paths.end())),
          "; nothing was merged, resolve on ", source_ref));
    }
    GIT_RETURN_IF_ERROR(git_index_write_tree_to(&merged_tree, index.get(), repo_.get()),
                        "write merged tree");
  }

  // The scheduler alone owns queued/: a merge into scheduler must not touch
  // it. Compared on parsed snapshots, which skip unchanged subtrees.
  if (target == kSchedulerBranch && source_ref != "refs/remotes/origin/scheduler") {
    std::shared_ptr<const Snapshot> current = Current().scheduler;
    TRACKER_ASSIGN_OR_RETURN(auto merged, LoadTreeSnapshot(repo_.get(), merged_tree,
                                                           {current.get()}));
    std::vector<std::string> touched = QueuedDifferences(*current, *merged);
    if (!touched.empty()) {
      LogWarning("merge_refused")
          .Kv("source", source_ref)
          .Kv("target", target)
          .Kv("queued_paths", static_cast<int64_t>(touched.size()));
      return absl::FailedPreconditionError(absl::StrCat(
          "merging ", source_ref, " into scheduler would change queued/ (", ListPaths(touched),
          "); queued/ belongs to the scheduler. Undo those changes on main; nothing was merged"));
    }
  }

  git_oid next = theirs;
  if (!fast_forward) {
    std::string short_source = source_ref.substr(source_ref.rfind("refs/heads/") == 0 ? 11 : 13);
    std::string message = options.message().empty()
                              ? absl::StrCat("Merge branch '", short_source, "' into ", target)
                              : options.message();
    TRACKER_ASSIGN_OR_RETURN(next, CreateCommit(options, message, merged_tree, {ours, theirs},
                                               objects.objects()));
  }
  TRACKER_RETURN_IF_ERROR(
      UpdateBranch(target, ours, next, merged_tree, absl::StrCat("merge ", source_ref), objects));
  out.set_fast_forward(fast_forward);
  out.mutable_result()->set_commit(OidHex(next));
  LogInfo("merged")
      .Kv("source", source_ref)
      .Kv("target", target)
      .Kv("fast_forward", fast_forward ? "true" : "false")
      .Kv("commit", OidHex(next));
  return out;
}

absl::StatusOr<tracker::v1::PushResponse> RepoStore::Push(const tracker::v1::PushRequest& req) {
  const std::string branch = req.branch().empty() ? kSchedulerBranch : req.branch();
  TRACKER_RETURN_IF_ERROR(ValidateBranch(branch));
  const int max_attempts = req.max_attempts() > 0 ? req.max_attempts() : options_.push_max_attempts;
  std::lock_guard<std::mutex> write(write_mu_);
  std::lock_guard<std::mutex> git(git_mu_);
  std::mt19937_64 rng(std::random_device{}());
  const std::string refspec = absl::StrCat("refs/heads/", branch, ":refs/heads/", branch);
  std::string last_error;
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    TRACKER_ASSIGN_OR_RETURN(RemotePtr remote, LookupOrigin(repo_.get()));
    git_push_options opts = GIT_PUSH_OPTIONS_INIT;
    PushPayload payload{CredentialPayload{&options_}, ""};
    opts.callbacks.payload = &payload;
    opts.callbacks.credentials = OnPushCredential;
    opts.callbacks.push_update_reference = OnPushUpdate;
    if (!options_.ssh_known_hosts_path.empty()) opts.callbacks.certificate_check = OnPushCertificate;
    char* specs[] = {const_cast<char*>(refspec.c_str())};
    git_strarray refspecs = {specs, 1};
    int rc = git_remote_push(remote.get(), &refspecs, &opts);
    bool rejected = !payload.rejection.empty() || rc == GIT_ENONFASTFORWARD;
    if (rc < 0 && !rejected) {
      absl::Status s = GitStatus(rc, absl::StrCat("push ", branch));
      // libgit2 reports a non-fast-forward from some transports as a plain
      // error; look for it before treating the push as a transport failure.
      if (absl::StrContains(s.message(), "non-fast") ||
          absl::StrContains(s.message(), "fast-forward")) {
        rejected = true;
        last_error = std::string(s.message());
      } else {
        return s.code() == absl::StatusCode::kInternal ? absl::UnavailableError(s.message()) : s;
      }
    }
    if (!rejected) {
      TRACKER_ASSIGN_OR_RETURN(git_oid tip, ResolveRef(absl::StrCat("refs/heads/", branch)));
      // What the remote now has (an anonymous remote's push does not say).
      git_reference* tracking = nullptr;
      std::string tracking_name = absl::StrCat("refs/remotes/origin/", branch);
      GIT_RETURN_IF_ERROR(git_reference_create(&tracking, repo_.get(), tracking_name.c_str(), &tip,
                                               1, "repo-service: push"),
                          absl::StrCat("update ", tracking_name));
      git_reference_free(tracking);
      int64_t now = absl::ToUnixSeconds(absl::Now());
      absl::Status recorded = WriteFileAtomically(LastPushPath(branch), absl::StrCat(now, "\n"));
      if (!recorded.ok()) {
        // The push itself succeeded; only "is a push due" may come early.
        LogWarning("last_push_not_recorded").Kv("error", recorded.ToString());
      }
      LogInfo("pushed").Kv("branch", branch).Kv("commit", OidHex(tip)).Kv("attempt", attempt);
      tracker::v1::PushResponse out;
      out.set_commit(OidHex(tip));
      out.set_attempts(attempt);
      out.set_push_epoch(now);
      return out;
    }
    if (!payload.rejection.empty()) last_error = payload.rejection;
    LogWarning("push_rejected").Kv("branch", branch).Kv("attempt", attempt).Kv("reason", last_error);
    // Someone else pushed: take their commits, merge ours on top, retry.
    TRACKER_RETURN_IF_ERROR(FetchLocked());
    tracker::v1::WriteOptions options;
    auto merged = MergeLocked(absl::StrCat("refs/remotes/origin/", branch), branch, options);
    if (!merged.ok()) return merged.status();
    if (attempt < max_attempts) {
      int64_t cap = static_cast<int64_t>(options_.push_backoff_ms) << (attempt - 1);
      std::uniform_int_distribution<int64_t> jitter(cap / 2, cap);
      std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
    }
  }
  return absl::AbortedError(absl::StrCat("push of ", branch, " was rejected ", max_attempts,
                                         " times (", last_error, "); nothing was forced"));
}

absl::StatusOr<tracker::v1::BranchStatus> RepoStore::BranchStatusLocked(const std::string& branch) {
  tracker::v1::BranchStatus out;
  out.set_name(branch);
  TRACKER_ASSIGN_OR_RETURN(git_oid tip, ResolveRef(absl::StrCat("refs/heads/", branch)));
  out.set_tip(OidHex(tip));
  auto remote = ResolveRef(absl::StrCat("refs/remotes/origin/", branch));
  if (remote.ok()) {
    out.set_remote_tip(OidHex(*remote));
    size_t ahead = 0, behind = 0;
    if (git_graph_ahead_behind(&ahead, &behind, repo_.get(), &tip, &*remote) == 0) {
      out.set_ahead(static_cast<int>(ahead));
      out.set_behind(static_cast<int>(behind));
    }
  }
  std::ifstream in(LastPushPath(branch));
  int64_t last = 0;
  if (in >> last) out.set_last_push_epoch(last);
  return out;
}

absl::StatusOr<tracker::v1::GetSyncStatusResponse> RepoStore::SyncStatus() {
  std::lock_guard<std::mutex> git(git_mu_);
  tracker::v1::GetSyncStatusResponse out;
  for (const char* branch : {kMainBranch, kSchedulerBranch}) {
    TRACKER_ASSIGN_OR_RETURN(*out.add_branches(), BranchStatusLocked(branch));
  }
  auto remote = LookupOrigin(repo_.get());  // not git_remote_lookup: see there
  if (remote.ok()) out.set_remote_url(RedactUrl(git_remote_url(remote->get())));
  return out;
}

}  // namespace tracker::repo
