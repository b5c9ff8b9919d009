#ifndef TRACKING_LAYOUT_H_
#define TRACKING_LAYOUT_H_

// Where things are in the tracking repository (SPEC.md section 1):
//   jobs/<study_id>/<batch_id>/{backlog,queued,failed,completed}/<job_id>/
//       params.json
//       run.<epoch>.<env>.<run_id>[.<session_id>]     (run_marker.h)
//   jobs/<study_id>/<batch_id>/batch-summary.tsv       (batch_summary.h)
//   jobs/pause.<env>, jobs/excessive_failure.<env>.txt (flags.h)
// and its two branches. Callers validate ids (ids.h) before building paths.

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "tracking/ids.h"

namespace tracker::tracking {

inline constexpr char kJobsDir[] = "jobs";
inline constexpr char kSummaryFile[] = "batch-summary.tsv";
inline constexpr char kParamsFile[] = "params.json";
inline constexpr char kGitkeep[] = ".gitkeep";

// Admins edit `main`; only the scheduler writes `scheduler`.
inline constexpr char kMainBranch[] = "main";
inline constexpr char kSchedulerBranch[] = "scheduler";
// The remote-tracking names of both, merge sources after a fetch.
inline constexpr char kRemoteMainRef[] = "origin/main";
inline constexpr char kRemoteSchedulerRef[] = "origin/scheduler";
// INVALID_ARGUMENT unless "main" or "scheduler".
absl::Status ValidateBranch(absl::string_view branch);

// The scheduler's commits on its branch begin with this tag, as the
// original scheduler's did; its job moves are "<tag> update job status...".
// The real history is read (and searched by admins) that way.
inline constexpr char kSchedulerCommitTag[] = "[scheduler]";
inline constexpr char kJobStatusCommitSubject[] = "[scheduler] update job status";

enum class State { kBacklog = 0, kQueued = 1, kFailed = 2, kCompleted = 3 };
inline constexpr int kStateCount = 4;
inline constexpr State kAllStates[] = {State::kBacklog, State::kQueued,
                                       State::kFailed, State::kCompleted};

// "backlog", "queued", "failed", "completed".
const char* StateFolder(State state);
std::optional<State> StateFromFolder(absl::string_view folder);

// A batch's folder of held jobs: the real repository's admins moved jobs
// there by hand to keep the scheduler off them. It is not a state: the
// scheduler never lists, starts or moves a job in it; only an admin's hold
// and release (on main) move jobs in and out.
inline constexpr char kOnholdFolder[] = "onhold";
// True for the four state folders and onhold/: the folders a job may be in.
bool IsJobFolder(absl::string_view folder);

// jobs/<study>/<batch>
std::string BatchDir(absl::string_view study, absl::string_view batch);
// jobs/<study>/<batch>/batch-summary.tsv
std::string SummaryPath(absl::string_view study, absl::string_view batch);
// jobs/<study>/<batch>/<state>/<job>
std::string JobDir(absl::string_view study, absl::string_view batch, State state,
                   absl::string_view job);
// jobs/<study>/<batch>/<folder>/<job>, for any folder (onhold/ too).
std::string JobDirIn(absl::string_view study, absl::string_view batch, absl::string_view folder,
                     absl::string_view job);

// The job a path is in (jobs/<study>/<batch>/<folder>/<job>[/...], any
// job folder, a valid job id); nullopt for any other path.
std::optional<JobKey> JobOfPath(absl::string_view path);

// True for a repository path only the scheduler may change: anything under
// a batch's queued/ (its live runs) and the excessive-failure flags it
// writes. An admin's revert of a commit touching one is refused.
bool IsSchedulerOwnedPath(absl::string_view path);

}  // namespace tracker::tracking

#endif  // TRACKING_LAYOUT_H_
