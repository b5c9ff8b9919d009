#include "services/repo_service/analysis_index.h"

#include "absl/strings/str_cat.h"
#include "services/repo_service/git_util.h"
#include "tracking/layout.h"
#include "tracking/params.h"

namespace tracker::repo {

using ::tracker::tracking::SummaryLine;
using ::tracker::tracking::kParamsFile;

std::string AnalysisSource::Path() const {
  if (folder == nullptr) return tracking::SummaryPath(study, batch);
  return absl::StrCat(tracking::BatchDir(study, batch), "/", *folder, "/", job, "/", kParamsFile);
}

absl::StatusOr<std::shared_ptr<const AnalysisIndex::Entry>> AnalysisIndex::Get(
    git_repository* repo, const git_oid& blob) {
  std::string key(reinterpret_cast<const char*>(blob.id), GIT_OID_RAWSZ);
  {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(key);
    if (it != entries_.end()) return it->second;
  }
  // Read and parsed outside the lock: two callers may both parse a new
  // blob; the first entry stored wins, and both are the same.
  auto text = ReadBlob(repo, blob);
  if (!text.ok()) return text.status();
  auto entry = std::make_shared<Entry>();
  auto ids = tracking::ParamsAnalysisIds(*text);
  if (ids.ok()) {
    entry->analyses = *std::move(ids);
  } else {
    entry->error = std::string(ids.status().message());
  }
  absl::MutexLock lock(&mu_);
  return entries_.emplace(std::move(key), std::move(entry)).first->second;
}

absl::Status AnalysisIndex::ForEach(git_repository* repo, const Snapshot& snapshot,
                                    const AnalysisFn& fn, const BadParamsFn& bad_params) {
  for (const auto& [sid, study] : snapshot.studies) {
    for (const auto& [bid, batch] : study->batches) {
      for (const SummaryLine& line : batch->summary->summary.lines) {
        if (!fn(line.analysis_id, AnalysisSource{sid, bid, line.job_id, nullptr})) {
          return absl::OkStatus();
        }
      }
      for (const auto& [name, folder] : batch->folders) {
        for (const JobEntry& job : folder->jobs) {
          if (!job.has_params) continue;
          auto entry = Get(repo, job.params);
          if (!entry.ok()) return entry.status();
          AnalysisSource source{sid, bid, job.id, &name};
          if (!(*entry)->error.empty()) {
            if (bad_params) bad_params(source, (*entry)->error);
            continue;
          }
          for (const std::string& id : (*entry)->analyses) {
            if (!fn(id, source)) return absl::OkStatus();
          }
        }
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace tracker::repo
