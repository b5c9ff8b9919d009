#include "services/repo_service/snapshot.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "services/repo_service/git_util.h"
#include "tracking/batch_summary.h"
#include "tracking/flags.h"
#include "tracking/runtime_settings.h"
#include "tracking/ids.h"
#include "tracking/layout.h"
#include "tracking/run_marker.h"

namespace tracker::repo {

using ::tracker::tracking::ParseBatchSummary;
using ::tracker::tracking::ParseFlagFileName;
using ::tracker::tracking::ParseMarker;
using ::tracker::tracking::State;
using ::tracker::tracking::StateFolder;
using ::tracker::tracking::ValidateStudyId;
using ::tracker::tracking::kAllStates;
using ::tracker::tracking::kGitkeep;
using ::tracker::tracking::kJobsDir;
using ::tracker::tracking::kParamsFile;
using ::tracker::tracking::kSummaryFile;
namespace {

bool MarkerOlder(const std::string& a, const std::string& b) {
  auto ma = ParseMarker(a);
  auto mb = ParseMarker(b);
  int64_t ea = ma ? ma->epoch_seconds : 0;
  int64_t eb = mb ? mb->epoch_seconds : 0;
  if (ea != eb) return ea < eb;
  return a < b;
}

absl::StatusOr<JobEntry> LoadJob(git_repository* repo, const std::string& id,
                                 const git_oid& tree_oid) {
  JobEntry job;
  job.id = id;
  job.tree = tree_oid;
  auto tree = LookupTree(repo, tree_oid);
  if (!tree.ok()) return tree.status();
  size_t n = git_tree_entrycount(tree->get());
  for (size_t i = 0; i < n; ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(tree->get(), i);
    const char* name = git_tree_entry_name(e);
    if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
      job.nested_folders.emplace_back(name);
      continue;
    }
    if (git_tree_entry_type(e) != GIT_OBJECT_BLOB) continue;
    if (std::strcmp(name, kParamsFile) == 0) {
      job.has_params = true;
      job.params = *git_tree_entry_id(e);
    } else if (ParseMarker(name).has_value()) {
      job.markers.emplace_back(name);
    } else if (std::strcmp(name, kGitkeep) != 0) {
      job.other_files.emplace_back(name);
    }
  }
  std::sort(job.markers.begin(), job.markers.end(), MarkerOlder);
  return job;
}

// Where an unchanged job directory may be found in the previous snapshots.
const JobEntry* FindPreviousJob(const std::vector<const Batch*>& prev_batches,
                                const std::string& id, const git_oid& tree) {
  for (const Batch* batch : prev_batches) {
    for (const auto& [name, folder] : batch->folders) {
      const JobEntry* job = folder->Find(id);
      if (job != nullptr && OidEqual(job->tree, tree)) return job;
    }
  }
  return nullptr;
}

absl::StatusOr<std::shared_ptr<const Folder>> LoadFolder(
    git_repository* repo, const git_oid& oid, const std::string& name,
    const std::vector<const Batch*>& prev_batches, TreeCache* cache) {
  for (const Batch* batch : prev_batches) {
    auto it = batch->folders.find(name);
    if (it != batch->folders.end() && OidEqual(it->second->tree, oid)) return it->second;
  }
  // The folder's previous version: after a write nearly all of its jobs are
  // still there, so it is asked first, with one search instead of one per
  // folder of both branches.
  const Folder* before = nullptr;
  for (const Batch* batch : prev_batches) {
    auto it = batch->folders.find(name);
    if (it != batch->folders.end()) {
      before = it->second.get();
      break;
    }
  }
  auto folder = std::make_shared<Folder>();
  folder->tree = oid;
  auto tree = LookupTree(repo, oid, cache);
  if (!tree.ok()) return tree.status();
  size_t n = git_tree_entrycount(tree->get());
  folder->jobs.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(tree->get(), i);
    if (git_tree_entry_type(e) != GIT_OBJECT_TREE) continue;  // .gitkeep
    std::string id = git_tree_entry_name(e);
    const git_oid* job_oid = git_tree_entry_id(e);
    const JobEntry* prev = before != nullptr ? before->Find(id) : nullptr;
    if (prev == nullptr || !OidEqual(prev->tree, *job_oid)) {
      prev = FindPreviousJob(prev_batches, id, *job_oid);
    }
    if (prev != nullptr) {
      folder->jobs.push_back(*prev);
      continue;
    }
    auto job = LoadJob(repo, id, *job_oid);
    if (!job.ok()) return job.status();
    folder->jobs.push_back(*std::move(job));
  }
  // git's order is byte order except where an id is a prefix of another
  // ("job.1" sorts after "job.1-a" in git, as "job.1/"): rarely re-sorted.
  const auto by_id = [](const JobEntry& a, const JobEntry& b) { return a.id < b.id; };
  if (!std::is_sorted(folder->jobs.begin(), folder->jobs.end(), by_id)) {
    std::sort(folder->jobs.begin(), folder->jobs.end(), by_id);
  }
  return std::shared_ptr<const Folder>(std::move(folder));
}

absl::StatusOr<std::shared_ptr<const ParsedSummary>> LoadSummary(
    git_repository* repo, const git_oid& blob_oid,
    const std::vector<const Batch*>& prev_batches) {
  for (const Batch* batch : prev_batches) {
    if (batch->has_summary && OidEqual(batch->summary_blob, blob_oid)) return batch->summary;
  }
  git_blob* raw = nullptr;
  GIT_RETURN_IF_ERROR(git_blob_lookup(&raw, repo, &blob_oid), "read batch-summary.tsv");
  BlobPtr blob(raw);
  absl::string_view text(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                         static_cast<size_t>(git_blob_rawsize(blob.get())));
  auto parsed = std::make_shared<ParsedSummary>();
  auto summary = ParseBatchSummary(text);
  if (summary.ok()) {
    parsed->summary = *std::move(summary);
  } else {
    parsed->error = std::string(summary.status().message());
  }
  return std::shared_ptr<const ParsedSummary>(std::move(parsed));
}

// A flag file's bytes, from a previous snapshot when it has the same blob.
absl::StatusOr<std::string> LoadFlagContent(git_repository* repo, const git_oid& blob_oid,
                                            const std::vector<const Snapshot*>& previous) {
  for (const Snapshot* prev : previous) {
    if (prev == nullptr) continue;
    for (const FlagFile& f : prev->flags) {
      if (OidEqual(f.blob, blob_oid)) return f.content;
    }
  }
  return ReadBlob(repo, blob_oid);
}

// The settings file's bytes, from a previous snapshot when it has the same
// blob (every write loads a snapshot; the file rarely changes).
absl::StatusOr<std::string> LoadSettingsText(git_repository* repo, const git_oid& blob_oid,
                                             const std::vector<const Snapshot*>& previous) {
  for (const Snapshot* prev : previous) {
    if (prev != nullptr && prev->has_settings && OidEqual(prev->settings_blob, blob_oid)) {
      return prev->settings_text;
    }
  }
  return ReadBlob(repo, blob_oid);
}

absl::StatusOr<std::shared_ptr<const Batch>> LoadBatch(
    git_repository* repo, const std::string& id, const git_oid& oid,
    const std::vector<const Batch*>& prev_batches, TreeCache* cache) {
  auto batch = std::make_shared<Batch>();
  batch->id = id;
  batch->tree = oid;
  static const auto kEmpty = std::make_shared<const ParsedSummary>();
  batch->summary = kEmpty;
  auto tree = LookupTree(repo, oid, cache);
  if (!tree.ok()) return tree.status();
  size_t n = git_tree_entrycount(tree->get());
  for (size_t i = 0; i < n; ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(tree->get(), i);
    std::string name = git_tree_entry_name(e);
    if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
      auto folder = LoadFolder(repo, *git_tree_entry_id(e), name, prev_batches, cache);
      if (!folder.ok()) return folder.status();
      batch->folders.emplace(name, *std::move(folder));
    } else if (name == kSummaryFile) {
      batch->has_summary = true;
      batch->summary_blob = *git_tree_entry_id(e);
      auto summary = LoadSummary(repo, batch->summary_blob, prev_batches);
      if (!summary.ok()) return summary.status();
      batch->summary = *std::move(summary);
    }
  }
  return std::shared_ptr<const Batch>(std::move(batch));
}

}  // namespace

const JobEntry* Folder::Find(const std::string& job_id) const {
  auto it = std::lower_bound(jobs.begin(), jobs.end(), job_id,
                             [](const JobEntry& j, const std::string& id) { return j.id < id; });
  return it != jobs.end() && it->id == job_id ? &*it : nullptr;
}

const Folder* Batch::StateFolderOf(State state) const {
  auto it = folders.find(StateFolder(state));
  return it == folders.end() ? nullptr : it->second.get();
}

const Folder* Batch::HeldFolder() const {
  auto it = folders.find(tracking::kOnholdFolder);
  return it == folders.end() ? nullptr : it->second.get();
}

const Batch* Snapshot::FindBatch(const std::string& study,
                                 const std::string& batch) const {
  auto s = studies.find(study);
  if (s == studies.end()) return nullptr;
  auto b = s->second->batches.find(batch);
  return b == s->second->batches.end() ? nullptr : b->second.get();
}

absl::StatusOr<std::shared_ptr<const Snapshot>> LoadSnapshot(
    git_repository* repo, const git_oid& commit_oid,
    const std::vector<const Snapshot*>& previous) {
  git_commit* raw_commit = nullptr;
  GIT_RETURN_IF_ERROR(git_commit_lookup(&raw_commit, repo, &commit_oid), "read commit");
  CommitPtr commit(raw_commit);
  return LoadSnapshot(repo, commit_oid, *git_commit_tree_id(commit.get()), previous);
}

absl::StatusOr<std::shared_ptr<const Snapshot>> LoadSnapshot(
    git_repository* repo, const git_oid& commit_oid, const git_oid& root_tree,
    const std::vector<const Snapshot*>& previous, TreeCache* cache) {
  for (const Snapshot* prev : previous) {
    if (prev != nullptr && OidEqual(prev->commit, commit_oid)) {
      return std::make_shared<const Snapshot>(*prev);
    }
  }
  auto loaded = LoadTreeSnapshot(repo, root_tree, previous, cache);
  if (!loaded.ok()) return loaded.status();
  auto snapshot = std::make_shared<Snapshot>(**loaded);
  snapshot->commit = commit_oid;
  return std::shared_ptr<const Snapshot>(std::move(snapshot));
}

absl::StatusOr<std::shared_ptr<const Snapshot>> LoadTreeSnapshot(
    git_repository* repo, const git_oid& root_tree,
    const std::vector<const Snapshot*>& previous, TreeCache* cache) {
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->root_tree = root_tree;
  for (const Snapshot* prev : previous) {
    if (prev != nullptr && OidEqual(prev->root_tree, root_tree)) {
      return std::make_shared<const Snapshot>(*prev);
    }
  }
  auto root = LookupTree(repo, snapshot->root_tree, cache);
  if (!root.ok()) return root.status();
  const git_tree_entry* jobs = git_tree_entry_byname(root->get(), kJobsDir);
  if (jobs == nullptr || git_tree_entry_type(jobs) != GIT_OBJECT_TREE) {
    return std::shared_ptr<const Snapshot>(std::move(snapshot));
  }
  snapshot->jobs_tree = *git_tree_entry_id(jobs);
  auto jobs_tree = LookupTree(repo, snapshot->jobs_tree, cache);
  if (!jobs_tree.ok()) return jobs_tree.status();

  size_t n = git_tree_entrycount(jobs_tree->get());
  for (size_t i = 0; i < n; ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(jobs_tree->get(), i);
    std::string name = git_tree_entry_name(e);
    const git_oid* oid = git_tree_entry_id(e);
    if (git_tree_entry_type(e) != GIT_OBJECT_TREE) {
      if (auto flag = ParseFlagFileName(name)) {
        auto content = LoadFlagContent(repo, *oid, previous);
        if (!content.ok()) return content.status();
        snapshot->flags.push_back({flag->kind, flag->environment, name, *oid, *std::move(content)});
      } else if (name == tracking::kSettingsFile) {
        auto text = LoadSettingsText(repo, *oid, previous);
        if (!text.ok()) return text.status();
        snapshot->has_settings = true;
        snapshot->settings_blob = *oid;
        snapshot->settings_text = *std::move(text);
      } else if (name != ".gitignore" && name != kGitkeep) {
        snapshot->unknown_entries.push_back(name);
      }
      continue;
    }
    if (!ValidateStudyId(name).ok()) {
      snapshot->unknown_entries.push_back(name + "/");
      continue;
    }
    // Reuse the whole study when unchanged; otherwise its batches one by one.
    std::shared_ptr<const Study> reused;
    std::vector<const Study*> prev_studies;
    for (const Snapshot* prev : previous) {
      if (prev == nullptr) continue;
      auto it = prev->studies.find(name);
      if (it == prev->studies.end()) continue;
      if (OidEqual(it->second->tree, *oid)) reused = it->second;
      prev_studies.push_back(it->second.get());
    }
    if (reused == nullptr) {
      auto study = std::make_shared<Study>();
      study->id = name;
      study->tree = *oid;
      auto study_tree = LookupTree(repo, *oid, cache);
      if (!study_tree.ok()) return study_tree.status();
      size_t m = git_tree_entrycount(study_tree->get());
      for (size_t j = 0; j < m; ++j) {
        const git_tree_entry* be = git_tree_entry_byindex(study_tree->get(), j);
        if (git_tree_entry_type(be) != GIT_OBJECT_TREE) continue;
        std::string batch_id = git_tree_entry_name(be);
        const git_oid* batch_oid = git_tree_entry_id(be);
        std::shared_ptr<const Batch> same;
        std::vector<const Batch*> prev_batches;
        for (const Study* ps : prev_studies) {
          auto it = ps->batches.find(batch_id);
          if (it == ps->batches.end()) continue;
          if (OidEqual(it->second->tree, *batch_oid)) same = it->second;
          prev_batches.push_back(it->second.get());
        }
        if (same == nullptr) {
          // Reuses unchanged folders and jobs of the previous versions.
          auto batch = LoadBatch(repo, batch_id, *batch_oid, prev_batches, cache);
          if (!batch.ok()) return batch.status();
          same = *std::move(batch);
        }
        study->batches.emplace(batch_id, std::move(same));
      }
      reused = std::move(study);
    }
    snapshot->studies.emplace(name, std::move(reused));
  }
  for (const auto& [sid, study] : snapshot->studies) {
    for (const auto& [bid, batch] : study->batches) {
      for (State s : kAllStates) {
        if (const Folder* f = batch->StateFolderOf(s)) snapshot->job_count += f->jobs.size();
      }
    }
  }
  return std::shared_ptr<const Snapshot>(std::move(snapshot));
}

}  // namespace tracker::repo
