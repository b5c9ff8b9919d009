#ifndef SERVICES_SCHEDULER_CYCLE_METRICS_H_
#define SERVICES_SCHEDULER_CYCLE_METRICS_H_

// The scheduler's Prometheus metrics. Labels are environments, studies,
// states, outcomes and actions: all bounded; never a job or run id.
//   tracker_scheduler_cycles_total{environment, outcome}
//   tracker_scheduler_cycle_duration_seconds{environment}
//   tracker_scheduler_last_cycle_timestamp_seconds{environment}
//   tracker_scheduler_job_actions_total{environment, action}  started, resumed,
//       completed, failed, ... (the cycle's actions)
//   tracker_scheduler_queued_jobs{environment}, tracker_scheduler_max_parallel_runs{environment},
//   tracker_scheduler_backlog_waiting{environment},
//   tracker_scheduler_environment_paused{environment}, ..._stopped{environment}  (0 or 1)
//   tracker_scheduler_failed_checks_total{result}  failed jobs checked in SONG:
//       published (moved to completed/), not_published, unverifiable
//   tracker_scheduler_lost_runs_released_total  lost runs moved to failed/
//   tracker_jobs{study, state}, tracker_job_bytes{study, state}   per study and
//       state folder, from the report (bytes from the batch summaries)
//   tracker_scheduler_run_failures_total{environment, reason}  reason: the run's
//       final state (EXECUTOR_ERROR, SYSTEM_ERROR, FAILED, CANCELED, ...)
//   tracker_scheduler_cycle_interval_seconds, tracker_scheduler_push_interval_seconds
//       the configured intervals, so alert rules need no copy of the config
//   tracker_scheduler_verifications_total{environment, result}  verified,
//       not_published (some analysis not PUBLISHED yet), error (SONG or the
//       job unreadable)

#include <string>

#include "absl/time/time.h"
#include "proto/tracker/v1/repo.pb.h"
#include "proto/tracker/v1/scheduler.pb.h"
#include "proto/tracker/v1/wes.pb.h"

namespace tracker::scheduler {

void RecordCycle(const tracker::v1::EnvironmentCycle& cycle, absl::Duration took, absl::Time now);

struct EnvironmentGauges {
  int queued = 0;
  int max_parallel_runs = 0;
  int backlog_waiting = 0;
  bool paused = false;
  bool stopped = false;
};
void RecordEnvironment(const std::string& environment, const EnvironmentGauges& gauges);

void RecordJobCounts(const tracker::v1::ReportResponse& report);

// The push interval exposed is the least time between two pushes: pushes
// happen at cycles, so never less than one cycle interval.
void RecordIntervals(absl::Duration cycle, absl::Duration push);

void RecordRunFailure(const std::string& environment, tracker::v1::RunState final_state);

enum class VerificationResult { kVerified, kNotPublished, kError };
void RecordVerification(const std::string& environment, VerificationResult result);
// The failed jobs one cycle checked in SONG, by result.
void RecordFailedChecks(int published, int not_published, int unverifiable);
void RecordLostReleased(int count);

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_CYCLE_METRICS_H_
