#include "services/scheduler/cycle_metrics.h"

#include <algorithm>

#include "common/metrics.h"
#include "proto/tracker/v1/run_states.h"
#include "proto/tracker/v1/scheduler_names.h"

namespace tracker::scheduler {
namespace {

using tracker::v1::CycleActionName;
using tracker::v1::CycleOutcomeName;

metrics::Registry& R() { return metrics::Registry::Default(); }

metrics::GaugeFamily& EnvGauge(const char* name, const char* help) {
  return R().Gauge(name, help, {"environment"});
}

}  // namespace

void RecordCycle(const tracker::v1::EnvironmentCycle& cycle, absl::Duration took, absl::Time now) {
  static auto& cycles = R().Counter("tracker_scheduler_cycles_total",
                                    "Scheduling cycles, by environment and outcome",
                                    {"environment", "outcome"});
  static auto& duration = R().Histogram("tracker_scheduler_cycle_duration_seconds",
                                        "Time of one environment's cycle", {"environment"});
  static auto& last = EnvGauge("tracker_scheduler_last_cycle_timestamp_seconds",
                               "When the environment's last cycle ended (Unix seconds)");
  static auto& actions = R().Counter("tracker_scheduler_job_actions_total",
                                     "What cycles did to jobs, by environment and action",
                                     {"environment", "action"});
  const std::string& env = cycle.environment();
  cycles.Add({env, CycleOutcomeName(cycle.outcome())});
  duration.Observe({env}, absl::ToDoubleSeconds(took));
  last.Set({env}, static_cast<double>(absl::ToUnixSeconds(now)));
  for (const auto& action : cycle.actions()) {
    actions.Add({env, CycleActionName(action.action())});
  }
}

void RecordEnvironment(const std::string& environment, const EnvironmentGauges& gauges) {
  static auto& queued = EnvGauge("tracker_scheduler_queued_jobs", "Jobs in queued/ on the environment");
  static auto& max = EnvGauge("tracker_scheduler_max_parallel_runs",
                              "Jobs the environment may have in queued/");
  static auto& waiting = EnvGauge("tracker_scheduler_backlog_waiting",
                                  "Backlog jobs only this environment may start");
  static auto& paused = EnvGauge("tracker_scheduler_environment_paused", "1 while paused by a flag");
  static auto& stopped = EnvGauge("tracker_scheduler_environment_stopped",
                                  "1 while stopped by the circuit breaker");
  queued.Set({environment}, gauges.queued);
  max.Set({environment}, gauges.max_parallel_runs);
  waiting.Set({environment}, gauges.backlog_waiting);
  paused.Set({environment}, gauges.paused ? 1 : 0);
  stopped.Set({environment}, gauges.stopped ? 1 : 0);
}

void RecordJobCounts(const tracker::v1::ReportResponse& report) {
  static auto& jobs = R().Gauge("tracker_jobs", "Jobs per study and state folder",
                                {"study", "state"});
  static auto& bytes = R().Gauge("tracker_job_bytes",
                                 "Bytes of the jobs per study and state folder (batch summaries)",
                                 {"study", "state"});
  for (const auto& s : report.studies()) {
    bytes.Set({s.study_id(), "backlog"}, static_cast<double>(s.backlog_bytes()));
    bytes.Set({s.study_id(), "queued"}, static_cast<double>(s.queued_bytes()));
    bytes.Set({s.study_id(), "failed"}, static_cast<double>(s.failed_bytes()));
    bytes.Set({s.study_id(), "completed"}, static_cast<double>(s.completed_bytes()));
    jobs.Set({s.study_id(), "backlog"}, s.backlog());
    jobs.Set({s.study_id(), "queued"}, s.queued());
    jobs.Set({s.study_id(), "failed"}, s.failed());
    jobs.Set({s.study_id(), "completed"}, s.completed());
  }
}

void RecordIntervals(absl::Duration cycle, absl::Duration push) {
  R().Gauge("tracker_scheduler_cycle_interval_seconds", "The scheduling interval", {})
      .Set({}, absl::ToDoubleSeconds(cycle));
  R().Gauge("tracker_scheduler_push_interval_seconds",
            "Least time between two pushes of the tracking repository", {})
      .Set({}, absl::ToDoubleSeconds(std::max(cycle, push)));
}

void RecordRunFailure(const std::string& environment, tracker::v1::RunState final_state) {
  static auto& failures = R().Counter("tracker_scheduler_run_failures_total",
                                      "Runs that ended in failure, by environment and final state",
                                      {"environment", "reason"});
  failures.Add({environment, tracker::v1::RunStateName(final_state)});
}

void RecordVerification(const std::string& environment, VerificationResult result) {
  static auto& verifications = R().Counter(
      "tracker_scheduler_verifications_total",
      "Destination checks of COMPLETE runs' analyses, by environment and result",
      {"environment", "result"});
  const char* name = result == VerificationResult::kVerified       ? "verified"
                     : result == VerificationResult::kNotPublished ? "not_published"
                                                                   : "error";
  verifications.Add({environment, name});
}

void RecordFailedChecks(int published, int not_published, int unverifiable) {
  static auto& checks = R().Counter("tracker_scheduler_failed_checks_total",
                                    "Failed jobs checked in SONG, by result", {"result"});
  checks.Add({"published"}, published);
  checks.Add({"not_published"}, not_published);
  checks.Add({"unverifiable"}, unverifiable);
}

void RecordLostReleased(int count) {
  static auto& released = R().Counter("tracker_scheduler_lost_runs_released_total",
                                      "Queued jobs whose lost run was released to failed/", {});
  released.Add({}, count);
}

}  // namespace tracker::scheduler
