#ifndef CLIENTS_JOBCTL_BATCH_GENERATOR_H_
#define CLIENTS_JOBCTL_BATCH_GENERATOR_H_

// A new batch from a SONG payload dump, grouped exactly as the original
// generator did (scripts/gen-transfer-jobs.py of
// icgc-argo/icgc-25k-azure-transfer-job-tracking, with its job-gen.conf):
//
//   - analyses in dump order; those of another study stop everything, those
//     not PUBLISHED and those already in a job are left out;
//   - an analysis larger than max_analysis_data_size_to_be_pooled is a job
//     of its own, at once;
//   - smaller ones are pooled; the pool becomes a job when the next small
//     analysis finds it holding max_analyses_per_job, and what is left in
//     it at the end is the last job;
//   - at most `job_count` jobs: generation stops at the job that reaches
//     it (a pool still open then is left for the next batch);
//   - the summary lists a pooled job's analyses in pool order, its
//     params.json sorted (as the original's `sorted(...)`).
//
// Everything here is local and pure; the repository's reads and the import
// are the jobctl command's (generate_command.cc).

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clients/jobctl/batch.h"

namespace jobctl {

// One analysis of the dump: what the generator reads of it.
struct DumpAnalysis {
  std::string analysis_id;
  std::string study;
  std::string state;  // analysisState: PUBLISHED, UNPUBLISHED, SUPPRESSED
  int64_t bytes = 0;  // the sum of its files' fileSize
};

// The JSON array SONG answers to GET /studies/{study}/analysis (every
// analysis with `analysisId`, `study` or `studyId`, `analysisState` and
// `file[].fileSize`). INVALID_ARGUMENT naming `what` and the analysis (by
// index) that does not have that shape.
absl::StatusOr<std::vector<DumpAnalysis>> ParsePayloadDump(absl::string_view json,
                                                           absl::string_view what);

// The dump file as the original read it (gzip.open), or plain JSON.
// NOT_FOUND when it cannot be read, INVALID_ARGUMENT when it is not a
// whole gzip stream of a JSON array of analyses.
absl::StatusOr<std::vector<DumpAnalysis>> ReadPayloadDump(const std::string& path);

// job-gen.conf. The defaults are the values at the end of the campaign.
struct GeneratorConfig {
  int64_t max_pooled_bytes = 2000000000;  // max_analysis_data_size_to_be_pooled
  int max_analyses_per_job = 1;
  int max_jobs_per_batch = 1000;
};

// INVALID_ARGUMENT naming the key when a value is missing or not a whole
// number >= 1 (>= 0 for the byte budget); other keys are ignored.
absl::StatusOr<GeneratorConfig> ParseGeneratorConfig(absl::string_view yaml);

struct GeneratedJob {
  std::vector<std::pair<std::string, int64_t>> analyses;  // pool order
  int64_t bytes = 0;
};

struct Generated {
  std::vector<GeneratedJob> jobs;  // in job-id order
  int already_in_jobs = 0;         // analyses of the dump skipped for that
  int not_published = 0;
  int left_for_later = 0;  // PUBLISHED, new, but past `job_count`
};

// The original's loop. INVALID_ARGUMENT when an analysis is of another
// study (or the dump is empty), FAILED_PRECONDITION when nothing is new.
absl::StatusOr<Generated> GroupAnalyses(const std::string& study,
                                        const std::vector<DumpAnalysis>& dump,
                                        const std::set<std::string>& in_jobs,
                                        const GeneratorConfig& config, int job_count);

// batch-summary.tsv of the jobs: the provenance line naming the dump file
// (no folder), then one line per analysis, jobs numbered job.0001 on.
std::string GeneratedSummary(const std::string& dump_file_name,
                             const std::vector<GeneratedJob>& jobs);

// The summary, planned and filled from the template as add-batch does, with
// each job's analysis_id sorted and, when max_cpus > 0, the original's
// sizing of its transfer (see JobCpus) in the template's download_cpus,
// download_mem, upload_cpus and upload_mem (those the template has).
absl::StatusOr<BatchPlan> PlanGeneratedBatch(const std::string& study, const std::string& summary,
                                             absl::string_view template_json, int max_cpus);

// The original's sizing: a job of one analysis gets one CPU per whole 5 GB
// (at least 1, at most max_cpus), a pooled job 1; memory is 2 GB per CPU.
int JobCpus(size_t analysis_count, int64_t bytes, int max_cpus);

// The next batch id of a study whose batches are `batch_ids` (any order):
// `today` (YYYY-MM-DD), or today with the next letter when the newest batch
// is of today already ("2021-08-27" -> "2021-08-27a" -> "2021-08-27b").
// FAILED_PRECONDITION past "z".
absl::StatusOr<std::string> NextBatchId(std::vector<std::string> batch_ids,
                                        const std::string& today);

// The analysis ids a params.json names (`analysis_id`: a list, or one
// string); none when it has no such member. INVALID_ARGUMENT when it is not
// a JSON object.
absl::StatusOr<std::vector<std::string>> ParamsAnalysisIds(absl::string_view params_json,
                                                           absl::string_view what);

}  // namespace jobctl

#endif  // CLIENTS_JOBCTL_BATCH_GENERATOR_H_
