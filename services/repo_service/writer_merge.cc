// StoreWriter::Merge: merges between branches, in memory (git_merge_trees):
// no work tree, never conflict markers. A merge into scheduler must leave
// queued/ alone: the scheduler owns it.

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "common/status.h"
#include "services/repo_service/writer.h"
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
  if (paths.size() > head.size()) {
    absl::StrAppend(&out, " and ", paths.size() - head.size(), " more");
  }
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

absl::StatusOr<TreePtr> TreeOfCommit(git_repository* repo, const git_oid& commit_oid) {
  git_commit* raw_commit = nullptr;
  GIT_RETURN_IF_ERROR(git_commit_lookup(&raw_commit, repo, &commit_oid), "read commit");
  CommitPtr commit(raw_commit);
  git_tree* raw_tree = nullptr;
  GIT_RETURN_IF_ERROR(git_commit_tree(&raw_tree, commit.get()), "read tree");
  return TreePtr(raw_tree);
}

}  // namespace

absl::StatusOr<MergeResult> StoreWriter::Merge(const WriteOptions& options,
                                               const std::string& source) {
  const std::string& target = options.branch;
  TRACKER_RETURN_IF_ERROR(ValidateBranch(target));
  TRACKER_RETURN_IF_ERROR(CheckBranchAccess(options, target));
  TRACKER_ASSIGN_OR_RETURN(std::string source_ref, SourceRef(source));
  if (source_ref == absl::StrCat("refs/heads/", target)) {
    return absl::InvalidArgumentError("a branch cannot be merged into itself");
  }
  absl::MutexLock write(&locks_.write);
  return MergeLocked(source_ref, target, options);
}

absl::StatusOr<git_oid> StoreWriter::MergedTree(const git_oid& ours, const git_oid& theirs,
                                                const std::string& target,
                                                const std::string& source_ref) {
  git_repository* repo = repo_.get();
  git_oid base;
  GIT_RETURN_IF_ERROR(git_merge_base(&base, repo, &ours, &theirs),
                      absl::StrCat("find the common ancestor of ", target, " and ", source_ref));
  TRACKER_ASSIGN_OR_RETURN(TreePtr base_tree, TreeOfCommit(repo, base));
  TRACKER_ASSIGN_OR_RETURN(TreePtr our_tree, TreeOfCommit(repo, ours));
  TRACKER_ASSIGN_OR_RETURN(TreePtr their_tree, TreeOfCommit(repo, theirs));
  // Rename detection on, as `git merge` does: a job the scheduler moved
  // (queued -> completed) and an admin edited on main (markers removed)
  // must merge into the moved job, as it did in the real history.
  git_merge_options merge_opts = GIT_MERGE_OPTIONS_INIT;
  git_index* raw_index = nullptr;
  GIT_RETURN_IF_ERROR(git_merge_trees(&raw_index, repo, base_tree.get(), our_tree.get(),
                                      their_tree.get(), &merge_opts),
                      "merge trees");
  IndexPtr index(raw_index);
  if (git_index_has_conflicts(index.get())) {
    std::set<std::string> paths;
    git_index_conflict_iterator* raw_it = nullptr;
    GIT_RETURN_IF_ERROR(git_index_conflict_iterator_new(&raw_it, index.get()),
                        "list merge conflicts");
    IndexConflictIteratorPtr it(raw_it);
    const git_index_entry *a, *o, *t;
    while (git_index_conflict_next(&a, &o, &t, it.get()) == 0) {
      paths.insert(a ? a->path : o ? o->path : t->path);
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "merging ", source_ref, " into ", target, " conflicts in ",
        ListPaths(std::vector<std::string>(paths.begin(), paths.end())),
        "; nothing was merged, resolve on ", source_ref));
  }
  // libgit2 writes the new trees as loose objects, each synced (its fsync
  // option stays on): a merge is rare, and the trees must be on disk before
  // the ref names them.
  git_oid merged_tree;
  GIT_RETURN_IF_ERROR(git_index_write_tree_to(&merged_tree, index.get(), repo),
                      "write merged tree");
  return merged_tree;
}

absl::StatusOr<MergeResult> StoreWriter::MergeLocked(const std::string& source_ref,
                                                     const std::string& target,
                                                     const WriteOptions& options) {
  MergeResult out;
  out.result.branch = target;
  git_repository* repo = repo_.get();
  TRACKER_ASSIGN_OR_RETURN(git_oid ours, ResolveRef(repo, absl::StrCat("refs/heads/", target)));
  TRACKER_ASSIGN_OR_RETURN(git_oid theirs, ResolveRef(repo, source_ref));
  if (!options.expected_tip.empty()) {
    git_oid expected;
    TRACKER_RETURN_IF_ERROR(ParseOid(options.expected_tip, &expected));
    if (!OidEqual(expected, ours)) {
      return absl::AbortedError(absl::StrCat("branch ", target, " is at ", OidHex(ours),
                                             ", not the expected ", options.expected_tip));
    }
  }
  out.result.commit = OidHex(ours);
  if (OidEqual(ours, theirs) || git_graph_descendant_of(repo, &ours, &theirs) == 1) {
    out.up_to_date = true;
    return out;
  }
  const bool fast_forward = git_graph_descendant_of(repo, &theirs, &ours) == 1;
  git_oid merged_tree;
  if (fast_forward) {
    git_commit* raw = nullptr;
    GIT_RETURN_IF_ERROR(git_commit_lookup(&raw, repo, &theirs), "read source commit");
    CommitPtr commit(raw);
    merged_tree = *git_commit_tree_id(commit.get());
  } else {
    TRACKER_ASSIGN_OR_RETURN(merged_tree, MergedTree(ours, theirs, target, source_ref));
  }

  // The scheduler alone owns queued/: a merge into scheduler must not touch
  // it. Compared on parsed snapshots, which skip unchanged subtrees.
  if (target == kSchedulerBranch && source_ref != "refs/remotes/origin/scheduler") {
    std::shared_ptr<const Snapshot> current = snapshots_.Get(kSchedulerBranch);
    TRACKER_ASSIGN_OR_RETURN(auto merged, LoadTreeSnapshot(repo, merged_tree, {current.get()}));
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

  objects::ObjectWrite objects;
  git_oid next = theirs;
  if (!fast_forward) {
    std::string short_source = source_ref.substr(source_ref.rfind("refs/heads/") == 0 ? 11 : 13);
    std::string message = options.message.empty()
                              ? absl::StrCat("Merge branch '", short_source, "' into ", target)
                              : options.message;
    TRACKER_ASSIGN_OR_RETURN(next, AddCommit(options, message, merged_tree, {ours, theirs},
                                             objects));
  }
  TRACKER_RETURN_IF_ERROR(
      UpdateBranch(target, ours, next, merged_tree, absl::StrCat("merge ", source_ref), objects));
  out.fast_forward = fast_forward;
  out.result.commit = OidHex(next);
  LogInfo("merged")
      .Kv("source", source_ref)
      .Kv("target", target)
      .Kv("fast_forward", fast_forward ? "true" : "false")
      .Kv("commit", OidHex(next));
  LogWritten(options, target, OidHex(next));
  return out;
}

}  // namespace tracker::repo
