#ifndef CLIENTS_JOBCTL_BATCH_H_
#define CLIENTS_JOBCTL_BATCH_H_

// A new batch as `add-batch` builds it before sending it to repo-service:
// the summary TSV as given, and one params.json per job, either written
// from a template (the admins' way in the real history: the same workflow
// parameters for every job, with the job's own ids filled in) or read from
// a folder laid out like a batch.
//
// Everything here is local and pure: repo-service checks the batch again,
// including the repository-wide uniqueness of every analysis id.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace jobctl {

struct PlannedJob {
  std::string job_id;
  std::vector<std::string> analysis_ids;  // summary order
  int64_t bytes = 0;
  // Members of the template whose value this job writes instead (member ->
  // raw JSON): a generated job's own sizing. Members the template does not
  // have are not added.
  std::map<std::string, std::string> template_overrides;
};

struct BatchPlan {
  std::string summary_tsv;                         // exactly as read
  std::vector<PlannedJob> jobs;                    // first-appearance order
  std::map<std::string, std::string> params_json;  // job id -> text
  int analysis_count = 0;
  int64_t total_bytes = 0;
};

// Reads the summary (strictly, with line numbers in errors) into jobs.
absl::StatusOr<BatchPlan> PlanFromSummary(absl::string_view summary_tsv);

// params.json of every job from `template_json`: `_job_id`, `study_id` and
// `analysis_id` (the job's analyses from the summary) first, then every
// other member of the template in its order and as written. A template that
// names another study is refused (a template copied from another study is
// the likely mistake).
absl::Status FillFromTemplate(const std::string& study_id, absl::string_view template_json,
                              BatchPlan* plan);

}  // namespace jobctl

#endif  // CLIENTS_JOBCTL_BATCH_H_
