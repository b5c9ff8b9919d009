#ifndef SERVICES_REPO_SERVICE_BATCH_SUMMARY_H_
#define SERVICES_REPO_SERVICE_BATCH_SUMMARY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tracker::repo {

// One line of batch-summary.tsv: no header, '#' starts a comment, columns
// job_id, analyses_in_job, job_bytes, analysis_id, analysis_bytes.
struct SummaryLine {
  std::string job_id;
  int analyses_in_job = 0;
  int64_t job_bytes = 0;
  std::string analysis_id;
  int64_t analysis_bytes = 0;
};

struct BatchSummary {
  std::vector<SummaryLine> lines;  // file order
};

// Parses the TSV strictly: INVALID_ARGUMENT names the line number and what
// is wrong (column count, a number that is not one, a bad id, an analysis
// listed twice).
absl::StatusOr<BatchSummary> ParseBatchSummary(absl::string_view text);

// Returns `text` without the line(s) of `analysis_id`, every other byte kept
// as it was; NOT_FOUND when the analysis is not in it.
absl::StatusOr<std::string> RemoveAnalysisLine(absl::string_view text,
                                               absl::string_view analysis_id);

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_BATCH_SUMMARY_H_
