#include "tracking/proto.h"

#include "tracking/ids.h"

namespace tracker::tracking {

std::string JobKeyText(const v1::JobKey& key) {
  return JobKeyText(key.study_id(), key.batch_id(), key.job_id());
}

absl::Status ValidateJobKey(const v1::JobKey& key) {
  return ValidateJobKey(JobKey{key.study_id(), key.batch_id(), key.job_id()});
}

absl::StatusOr<v1::JobKey> ParseJobKeyMessage(absl::string_view text) {
  absl::StatusOr<JobKey> key = ParseJobKey(text);
  if (!key.ok()) return key.status();
  v1::JobKey out;
  out.set_study_id(key->study_id);
  out.set_batch_id(key->batch_id);
  out.set_job_id(key->job_id);
  return out;
}

v1::JobState ToJobState(State state) {
  switch (state) {
    case State::kBacklog:
      return v1::JOB_STATE_BACKLOG;
    case State::kQueued:
      return v1::JOB_STATE_QUEUED;
    case State::kFailed:
      return v1::JOB_STATE_FAILED;
    case State::kCompleted:
      return v1::JOB_STATE_COMPLETED;
  }
  return v1::JOB_STATE_UNSPECIFIED;
}

std::optional<State> FromJobState(v1::JobState state) {
  for (State s : kAllStates) {
    if (ToJobState(s) == state) return s;
  }
  return std::nullopt;
}

const char* JobStateName(v1::JobState state) {
  if (state == v1::JOB_STATE_ONHOLD) return kOnholdFolder;
  std::optional<State> s = FromJobState(state);
  return s ? StateFolder(*s) : "?";
}

}  // namespace tracker::tracking
