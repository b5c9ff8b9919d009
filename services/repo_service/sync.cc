// StoreSync: fetch, push and the branches' standing against the remote.

#include "services/repo_service/sync.h"

#include <fstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/file_util.h"
#include "common/log.h"
#include "common/status.h"
#include "services/repo_service/git_util.h"
#include "services/repo_service/store_metrics.h"
#include "tracking/layout.h"

namespace tracker::repo {

using ::tracker::tracking::ValidateBranch;
using ::tracker::tracking::kMainBranch;
using ::tracker::tracking::kSchedulerBranch;
namespace {

std::string RemoteRef(const std::string& branch) {
  return absl::StrCat("refs/remotes/origin/", branch);
}

}  // namespace

StoreSync::StoreSync(const StoreOptions& options, StoreLocks& locks, StoreWriter& writer,
                     RepositoryPool& repos)
    : options_(options),
      locks_(locks),
      writer_(writer),
      repos_(repos),
      remote_(options.remote != nullptr ? options.remote : NewLibgit2Remote(options)),
      clock_(options.clock != nullptr ? options.clock : RealClock::Get()) {}

std::string StoreSync::LastPushPath(git_repository* repo, const std::string& branch) const {
  return absl::StrCat(git_repository_path(repo), "tracker-last-push-", branch);
}

absl::Status StoreSync::FetchLocked(git_repository* repo) { return remote_->Fetch(repo); }

absl::Status StoreSync::MergeRemote(git_repository* repo, const std::string& branch,
                                    const std::string& message) {
  if (!ResolveRef(repo, RemoteRef(branch)).ok()) {
    git_error_clear();
    return absl::OkStatus();
  }
  WriteOptions options;
  options.branch = branch;
  options.message = message;
  return writer_.Merge(options, absl::StrCat("origin/", branch)).status();
}

absl::StatusOr<std::vector<BranchStatus>> StoreSync::Fetch() {
  absl::MutexLock sync(&locks_.sync);
  TRACKER_ASSIGN_OR_RETURN(RepositoryPool::Lease repo, repos_.Acquire());
  TRACKER_RETURN_IF_ERROR(FetchLocked(repo.get()));
  // Bring each local branch up to its remote: fast-forward, or merge when
  // both moved (admins pushed while local admin work was unpushed).
  std::vector<BranchStatus> out;
  for (const std::string branch : {kMainBranch, kSchedulerBranch}) {
    TRACKER_RETURN_IF_ERROR(MergeRemote(
        repo.get(), branch,
        absl::StrCat("Merge remote-tracking branch 'origin/", branch, "' into ", branch)));
    TRACKER_ASSIGN_OR_RETURN(BranchStatus status, StatusOf(repo.get(), branch));
    out.push_back(std::move(status));
  }
  LogInfo("fetched").Kv("main", out[0].tip).Kv("scheduler", out[1].tip);
  return out;
}

absl::StatusOr<PushResult> StoreSync::Push(const std::string& requested, int max_attempts) {
  const std::string branch = requested.empty() ? kSchedulerBranch : requested;
  TRACKER_RETURN_IF_ERROR(ValidateBranch(branch));
  RetryPolicy policy;
  policy.max_attempts = max_attempts > 0 ? max_attempts : options_.push_max_attempts;
  policy.initial_backoff = absl::Milliseconds(options_.push_backoff_ms);
  policy.max_backoff = options_.push_max_backoff;
  policy.deadline = options_.push_deadline;
  Retrier retrier(policy, clock_);

  absl::MutexLock sync(&locks_.sync);
  TRACKER_ASSIGN_OR_RETURN(RepositoryPool::Lease repo, repos_.Acquire());
  absl::StatusOr<PushResult> result = absl::UnknownError("no push attempt was made");
  std::string last_rejection;
  int attempts = 0;
  // Each attempt holds only the sync lock: the network I/O, and the sleep
  // after a rejection, never keep a read or a local write waiting.
  const RetryEnd end = retrier.Run("push", [&](int attempt, absl::Duration) -> AttemptResult {
    attempts = attempt;
    absl::StatusOr<PushAttempt> pushed = remote_->Push(repo.get(), branch);
    if (!pushed.ok()) {
      RecordPush(branch, "failed", 0);
      result = pushed.status();
      return {};
    }
    if (!pushed->rejected) {
      // What the remote now has (an anonymous remote's push does not say).
      git_reference* raw = nullptr;
      const std::string tracking = RemoteRef(branch);
      const int rc = git_reference_create(&raw, repo.get(), tracking.c_str(), &pushed->pushed, 1,
                                          "repo-service: push");
      ReferencePtr updated(raw);
      if (rc < 0) {
        result = GitStatus(rc, absl::StrCat("update ", tracking));
        return {};
      }
      const int64_t now = absl::ToUnixSeconds(clock_->Now());
      absl::Status recorded =
          WriteFileAtomically(LastPushPath(repo.get(), branch), absl::StrCat(now, "\n"));
      if (!recorded.ok()) {
        // The push itself succeeded; only "is a push due" may come early.
        LogWarning("last_push_not_recorded").Kv("error", recorded.ToString());
      }
      const std::string commit = OidHex(pushed->pushed);
      LogInfo("pushed").Kv("branch", branch).Kv("commit", commit).Kv("attempt", attempt);
      RecordPush(branch, "ok", now);
      result = PushResult{commit, attempt, now};
      return {};
    }
    last_rejection = pushed->reason;
    RecordPush(branch, "rejected", 0);
    LogWarning("push_rejected")
        .Kv("branch", branch)
        .Kv("attempt", attempt)
        .Kv("reason", last_rejection);
    // Someone else pushed: take their commits, merge ours on top, retry.
    absl::Status merged = FetchLocked(repo.get());
    if (merged.ok()) merged = MergeRemote(repo.get(), branch, "");
    if (!merged.ok()) {
      result = std::move(merged);
      return {};
    }
    AttemptResult again;
    again.retry = true;
    return again;
  });
  if (end == RetryEnd::kDone) return result;
  return absl::AbortedError(absl::StrCat("push of ", branch, " was rejected ", attempts,
                                         " times (", last_rejection, "); nothing was forced"));
}

absl::StatusOr<BranchStatus> StoreSync::StatusOf(git_repository* repo,
                                                 const std::string& branch) const {
  BranchStatus out;
  out.name = branch;
  TRACKER_ASSIGN_OR_RETURN(git_oid tip, ResolveRef(repo, absl::StrCat("refs/heads/", branch)));
  out.tip = OidHex(tip);
  auto remote = ResolveRef(repo, RemoteRef(branch));
  if (remote.ok()) {
    out.remote_tip = OidHex(*remote);
    size_t ahead = 0, behind = 0;
    if (git_graph_ahead_behind(&ahead, &behind, repo, &tip, &*remote) == 0) {
      out.ahead = static_cast<int>(ahead);
      out.behind = static_cast<int>(behind);
    } else {
      git_error_clear();
    }
  } else {
    git_error_clear();
  }
  std::ifstream in(LastPushPath(repo, branch));
  int64_t last = 0;
  if (in >> last) out.last_push_epoch = last;
  RecordBranchSync(branch, out.ahead, out.last_push_epoch);
  return out;
}

absl::StatusOr<SyncStatus> StoreSync::Status() const {
  // A handle of its own: the status never waits for an exchange in flight.
  TRACKER_ASSIGN_OR_RETURN(RepositoryPool::Lease repo, repos_.Acquire());
  SyncStatus out;
  for (const std::string branch : {kMainBranch, kSchedulerBranch}) {
    TRACKER_ASSIGN_OR_RETURN(BranchStatus status, StatusOf(repo.get(), branch));
    out.branches.push_back(std::move(status));
  }
  out.remote_url = OriginUrlForDisplay(repo.get());
  return out;
}

}  // namespace tracker::repo
