#ifndef SERVICES_SCHEDULER_CYCLE_RECORDS_H_
#define SERVICES_SCHEDULER_CYCLE_RECORDS_H_

// What a cycle writes down: the moves it asks of repo-service (each names
// the state the job must be in, so a move decided on a stale read is
// refused, never applied) and the action it reports for each job.

#include <cstdint>
#include <string>

#include "proto/tracker/v1/repo.pb.h"
#include "proto/tracker/v1/scheduler.pb.h"

namespace tracker::scheduler {

tracker::v1::Transition Move(const tracker::v1::JobKey& key, tracker::v1::JobState from,
                             tracker::v1::JobState to);

// queued -> queued: the run's marker replaces the pending one of its start.
tracker::v1::Transition RecordRun(const tracker::v1::JobKey& key, int64_t epoch_seconds,
                                  const std::string& environment, const std::string& run_id,
                                  const std::string& pending_file);

tracker::v1::JobAction* AddAction(tracker::v1::EnvironmentCycle* out,
                                  const tracker::v1::JobKey& key,
                                  tracker::v1::CycleAction action,
                                  const std::string& run_id = "",
                                  const std::string& detail = "");

// A start under way: the marker written before the POST (run_marker.h).
bool IsPending(const tracker::v1::RunMarker& marker);
// The attempt a pending marker stands for; 0 for any other marker.
int AttemptOf(const tracker::v1::RunMarker& marker);

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_CYCLE_RECORDS_H_
