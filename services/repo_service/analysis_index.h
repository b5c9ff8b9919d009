#ifndef SERVICES_REPO_SERVICE_ANALYSIS_INDEX_H_
#define SERVICES_REPO_SERVICE_ANALYSIS_INDEX_H_

#include <git2.h>

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/repo_service/snapshot.h"

namespace tracker::repo {

// Where a snapshot names an analysis: a line of a batch's summary, or a
// job's params.json.
struct AnalysisSource {
  const std::string& study;
  const std::string& batch;
  const std::string& job;
  // The folder holding the job's params.json; null for a summary line.
  const std::string* folder;
  // "jobs/S/B/batch-summary.tsv" or "jobs/S/B/<folder>/<job>/params.json".
  std::string Path() const;
};

// Every analysis id a snapshot names, summaries and params.json alike: a
// SONG analysis belongs to exactly one job (SPEC.md section 1), and the
// real repository ended with 295 of them in the params of two jobs whose
// summary lines said otherwise. Audit and ImportBatch both ask it.
//
// A params.json is read once per process: its blob id is the cache key, and
// moving a job between folders keeps that blob, so after the first call
// only new or edited params are read. Entries are never dropped (a few
// hundred bytes per job ever seen). Thread-safe; git is read through the
// caller's own repository handle.
class AnalysisIndex {
 public:
  // Returns false to stop the walk.
  using AnalysisFn = std::function<bool(const std::string& analysis_id, const AnalysisSource&)>;
  // A params.json whose analyses cannot be read, with the reason.
  using BadParamsFn = std::function<void(const AnalysisSource&, const std::string& error)>;

  // Summary lines first, batch by batch, then params.json of every job in
  // every folder of the batch (onhold/ too; a folder nested in a job's
  // folder is no job). Errors: reading git (NOT_FOUND, INTERNAL).
  absl::Status ForEach(git_repository* repo, const Snapshot& snapshot, const AnalysisFn& fn,
                       const BadParamsFn& bad_params = nullptr) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Entry {
    std::vector<std::string> analyses;
    std::string error;  // non-empty: the file does not parse
  };
  absl::StatusOr<std::shared_ptr<const Entry>> Get(git_repository* repo, const git_oid& blob)
      ABSL_LOCKS_EXCLUDED(mu_);

  absl::Mutex mu_;
  // Raw 20-byte blob id -> the analyses it lists.
  std::unordered_map<std::string, std::shared_ptr<const Entry>> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_ANALYSIS_INDEX_H_
