#ifndef SERVICES_REPO_SERVICE_LAYOUT_H_
#define SERVICES_REPO_SERVICE_LAYOUT_H_

// The tracking repository's on-disk format (SPEC.md section 1), as names:
//   jobs/<study_id>/<batch_id>/{backlog,queued,failed,completed}/<job_id>/
//       params.json
//       run.<epoch>.<env>.<run_id>[.<session_id>]
//   jobs/<study_id>/<batch_id>/batch-summary.tsv
//   jobs/pause.<env>, jobs/excessive_failure.<env>.txt
// Everything that turns a request string into a path goes through the
// validators here first, so no id can escape its folder.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace tracker::repo {

inline constexpr char kJobsDir[] = "jobs";
inline constexpr char kSummaryFile[] = "batch-summary.tsv";
inline constexpr char kParamsFile[] = "params.json";
inline constexpr char kGitkeep[] = ".gitkeep";
inline constexpr char kMainBranch[] = "main";
inline constexpr char kSchedulerBranch[] = "scheduler";

enum class State { kBacklog = 0, kQueued = 1, kFailed = 2, kCompleted = 3 };
inline constexpr int kStateCount = 4;
inline constexpr State kAllStates[] = {State::kBacklog, State::kQueued,
                                       State::kFailed, State::kCompleted};

const char* StateFolder(State state);
std::optional<State> StateFromFolder(absl::string_view folder);

// Each returns INVALID_ARGUMENT naming the field and the accepted form.
absl::Status ValidateStudyId(absl::string_view id);    // PACA-CA
absl::Status ValidateBatchId(absl::string_view id);    // 2021-07-12, 2021-07-12a
absl::Status ValidateJobId(absl::string_view id);      // job.0001
absl::Status ValidateEnvironment(absl::string_view env);  // rdpc_qa, rdpc-prod
absl::Status ValidateRunId(absl::string_view id);      // wes-<hex>
absl::Status ValidateSessionId(absl::string_view id);  // a UUID
absl::Status ValidateAnalysisId(absl::string_view id);
// "main" or "scheduler".
absl::Status ValidateBranch(absl::string_view branch);

struct Marker {
  int64_t epoch_seconds = 0;
  std::string environment;
  std::string run_id;
  std::string session_id;  // empty unless the file name carries one
};

// Parses a marker file name; nullopt when it is not one.
std::optional<Marker> ParseMarker(absl::string_view file_name);
// Validates the parts, then builds the file name.
absl::Status FormatMarker(const Marker& marker, std::string* file_name);

enum class FlagKind { kPause, kExcessiveFailure };
struct FlagName {
  FlagKind kind;
  std::string environment;
};
// File name under jobs/ for a flag (environment already validated).
std::string FlagFileName(FlagKind kind, absl::string_view environment);
// Parses a file name under jobs/; nullopt when it is not a flag.
std::optional<FlagName> ParseFlagFileName(absl::string_view file_name);

std::string JobDir(absl::string_view study, absl::string_view batch, State state,
                   absl::string_view job);

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_LAYOUT_H_
