#ifndef TRACKING_IDS_H_
#define TRACKING_IDS_H_

// The ids of the tracking repository (SPEC.md section 1) and the rules they
// follow. Every id that becomes part of a path, a file name or a URL is
// checked here first, so no id can escape its folder; every service and
// client uses these rules and no other.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tracker::tracking {

// Each returns INVALID_ARGUMENT naming the field and the accepted form.
absl::Status ValidateStudyId(absl::string_view id);       // PACA-CA
absl::Status ValidateBatchId(absl::string_view id);       // 2021-07-12, 2021-07-12a
absl::Status ValidateJobId(absl::string_view id);         // job.0001
absl::Status ValidateEnvironment(absl::string_view env);  // rdpc_qa, rdpc-prod
// A workflow run id: wes-<32 hex> on ARGO, a UUID elsewhere. No dots: run
// markers are dot-separated file names; safe in a URL path.
absl::Status ValidateRunId(absl::string_view id);
absl::Status ValidateSessionId(absl::string_view id);  // a Nextflow session UUID
// A SONG analysis id (a UUID, or an EGA accession like EGAZ00001315257).
absl::Status ValidateAnalysisId(absl::string_view id);

// A job's identity: the path jobs/<study>/<batch>/<state>/<job> minus the
// state. Its text form, study/batch/job, names the job in commit messages,
// logs, run tags and on jobctl's command line.
struct JobKey {
  std::string study_id;
  std::string batch_id;
  std::string job_id;

  bool operator==(const JobKey& o) const {
    return study_id == o.study_id && batch_id == o.batch_id && job_id == o.job_id;
  }
  bool operator<(const JobKey& o) const {
    if (study_id != o.study_id) return study_id < o.study_id;
    if (batch_id != o.batch_id) return batch_id < o.batch_id;
    return job_id < o.job_id;
  }
};

// "PACA-CA/2021-07-12/job.0001" (no validation: for display of any key).
std::string JobKeyText(absl::string_view study, absl::string_view batch,
                       absl::string_view job);
inline std::string JobKeyText(const JobKey& key) {
  return JobKeyText(key.study_id, key.batch_id, key.job_id);
}
// Parses and validates the text form; INVALID_ARGUMENT naming the part that
// is wrong.
absl::StatusOr<JobKey> ParseJobKey(absl::string_view text);
absl::Status ValidateJobKey(const JobKey& key);

// Shows an id safely in a message: at most 80 characters, control
// characters escaped.
std::string QuoteId(absl::string_view id);

}  // namespace tracker::tracking

#endif  // TRACKING_IDS_H_
