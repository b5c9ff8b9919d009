#include "services/scheduler/cycle_records.h"

#include "tracking/run_marker.h"

namespace tracker::scheduler {

using namespace tracker::v1;  // NOLINT: generated message names

Transition Move(const JobKey& key, JobState from, JobState to) {
  Transition t;
  *t.mutable_key() = key;
  t.set_from_state(from);
  t.set_to_state(to);
  return t;
}

Transition RecordRun(const JobKey& key, int64_t epoch_seconds, const std::string& environment,
                     const std::string& run_id, const std::string& pending_file) {
  Transition t = Move(key, JOB_STATE_QUEUED, JOB_STATE_QUEUED);
  t.mutable_add_run()->set_epoch_seconds(epoch_seconds);
  t.mutable_add_run()->set_environment(environment);
  t.mutable_add_run()->set_run_id(run_id);
  t.set_remove_run_file(pending_file);
  return t;
}

JobAction* AddAction(EnvironmentCycle* out, const JobKey& key, CycleAction action,
                     const std::string& run_id, const std::string& detail) {
  auto* a = out->add_actions();
  *a->mutable_key() = key;
  a->set_action(action);
  a->set_run_id(run_id);
  a->set_detail(detail);
  return a;
}

bool IsPending(const RunMarker& marker) { return tracking::IsPendingRunId(marker.run_id()); }

int AttemptOf(const RunMarker& marker) { return tracking::PendingAttempt(marker.run_id()); }

}  // namespace tracker::scheduler
