#ifndef TRACKING_PROTO_H_
#define TRACKING_PROTO_H_

// The format's names for the API's messages: a tracker.v1.JobKey's text
// form and the mapping between JobState and the state folders. Kept apart
// from the rest of the package so that users of the format alone need
// abseil only.

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/tracker/v1/repo.pb.h"
#include "tracking/layout.h"

namespace tracker::tracking {

// "PACA-CA/2021-07-12/job.0001".
std::string JobKeyText(const v1::JobKey& key);
// INVALID_ARGUMENT naming the part that is wrong.
absl::Status ValidateJobKey(const v1::JobKey& key);
// The text form, parsed and validated.
absl::StatusOr<v1::JobKey> ParseJobKeyMessage(absl::string_view text);

v1::JobState ToJobState(State state);
// nullopt for JOB_STATE_UNSPECIFIED and values outside the enum.
std::optional<State> FromJobState(v1::JobState state);
// The folder name of a state ("backlog"; "onhold" for ONHOLD, the held
// jobs' folder, which FromJobState does not map: it is no State), "?" for
// UNSPECIFIED.
const char* JobStateName(v1::JobState state);

}  // namespace tracker::tracking

#endif  // TRACKING_PROTO_H_
