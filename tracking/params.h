#ifndef TRACKING_PARAMS_H_
#define TRACKING_PARAMS_H_

// A job's params.json (SPEC.md section 1): the workflow's parameters. The
// tracker reads only the analyses from it; every other key is the
// workflow's and kept as written. `_job_id` and `_batch_id` are optional
// (the real CLLE-ES/2021-06-21 jobs lack `_job_id`, no job after mid-July
// 2021 has `_batch_id`): a job's key always comes from its path.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tracker::tracking {

inline constexpr char kParamsAnalysisKey[] = "analysis_id";

// The SONG analysis ids of a params.json, in file order: "analysis_id" is a
// list of strings (or, tolerated, one string); absent gives none.
// INVALID_ARGUMENT when the text is not a JSON object, the member has
// another type, or an id is not an analysis id (ids.h).
absl::StatusOr<std::vector<std::string>> ParamsAnalysisIds(absl::string_view params_json);

}  // namespace tracker::tracking

#endif  // TRACKING_PARAMS_H_
