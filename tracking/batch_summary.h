#ifndef TRACKING_BATCH_SUMMARY_H_
#define TRACKING_BATCH_SUMMARY_H_

// jobs/<study>/<batch>/batch-summary.tsv: one line per analysis, no header,
// '#' starts a comment. Two shapes are in the real repository:
//   job_id  analyses_in_job  job_bytes  analysis_id  analysis_bytes
//       (every batch under jobs/, written by gen-transfer-jobs.py)
//   job_id  analyses_in_job  job_GB  analysis_id  analysis_GB  label
//       (the original's first demo batch: sizes in decimal GB such as
//       0.012, and a label such as "non-PCAWG")
// Both parse to the same lines, sizes in bytes.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tracker::tracking {

struct SummaryLine {
  std::string job_id;
  int analyses_in_job = 0;
  int64_t job_bytes = 0;
  std::string analysis_id;
  int64_t analysis_bytes = 0;
  std::string label;  // the 6-column shape's last column; empty otherwise
};

struct BatchSummary {
  std::vector<SummaryLine> lines;  // file order
};

// Parses the TSV strictly: INVALID_ARGUMENT names the line number and what
// is wrong (column count, a number that is not one, a bad id, an analysis
// listed twice).
absl::StatusOr<BatchSummary> ParseBatchSummary(absl::string_view text);

// What gen-transfer-jobs.py wrote: the first line of a generated summary,
// naming the SONG payload dump its analyses came from (a file name, no
// folder), with its newline:
//   "# SONG analysis objects retrieved from payload dump: LAML-KR.payloads.2021-07-12.json.gz\n"
std::string PayloadDumpComment(absl::string_view dump_file_name);

// One line of the 5-column shape (job_id, analyses_in_job, job_bytes,
// analysis_id, analysis_bytes), tab-separated, with its newline; what
// ParseBatchSummary reads back.
std::string FormatSummaryLine(const SummaryLine& line);

// The job id of the n-th job of a generated batch, n from 1: "job.0001"
// (four digits, as the generator wrote them; a batch holds at most 9999).
std::string GeneratedJobId(int n);

// Returns `text` without the line(s) of `analysis_id`, every other byte kept
// as it was; NOT_FOUND when the analysis is not in it.
absl::StatusOr<std::string> RemoveAnalysisLine(absl::string_view text,
                                               absl::string_view analysis_id);

// Returns `text` without every line of job `job_id` (a job removed from the
// batch), every other byte kept; `removed` counts them (0 is not an error:
// the real repository has jobs whose lines were removed by hand).
std::string RemoveJobLines(absl::string_view text, absl::string_view job_id, int* removed);

}  // namespace tracker::tracking

#endif  // TRACKING_BATCH_SUMMARY_H_
