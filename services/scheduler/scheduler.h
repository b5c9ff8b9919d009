#ifndef SERVICES_SCHEDULER_SCHEDULER_H_
#define SERVICES_SCHEDULER_SCHEDULER_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/config.h"
#include "proto/tracker/v1/repo.grpc.pb.h"
#include "proto/tracker/v1/scheduler.pb.h"
#include "proto/tracker/v1/verifier.grpc.pb.h"
#include "proto/tracker/v1/wes.grpc.pb.h"
#include "services/scheduler/backlog_picker.h"
#include "services/scheduler/circuit_breaker.h"
#include "services/scheduler/failed_verifier.h"
#include "services/scheduler/lost_runs.h"
#include "services/scheduler/notifier.h"
#include "services/scheduler/pacer.h"
#include "services/scheduler/push_summary.h"
#include "services/scheduler/repo_client.h"
#include "services/scheduler/reporter.h"
#include "services/scheduler/rpc.h"
#include "services/scheduler/run_checker.h"
#include "services/scheduler/runtime_settings.h"
#include "services/scheduler/start_protocol.h"
#include "services/scheduler/verification.h"

namespace tracker::scheduler {

struct SchedulerOptions {
  // Studies taken first, in this order; then every other study by id
  // (BacklogPicker).
  std::vector<std::string> studies;
  // When not empty, only these studies are taken.
  std::vector<std::string> only_studies;
  std::set<std::string> exclude;
  RpcPolicy rpc;  // calls to repo-service
  // wes-poller and azure-verifier retry their HTTP calls themselves; one
  // more layer of retries here would only multiply the wait.
  RpcPolicy upstream{absl::Seconds(60), 1};
  int start_concurrency = 8;   // jobs read and StartRun calls in flight
  int verify_concurrency = 8;  // COMPLETE jobs verified at once
};

// The scheduling cycle of SPEC.md section 3 over the three other services,
// composed of its parts: the repository (RepoClient), the queued runs
// (RunChecker, JobVerifier), the circuit breaker, the backlog order
// (BacklogPicker) and the start protocol. It keeps no durable state: every
// decision is rebuilt from the repository and the workflow services each
// cycle.
//
// Thread-safe. One cycle, report or max_parallel_runs change runs at a
// time; Status() never waits for them. Does not own the stubs, the notifier
// or the clock.
class Scheduler {
 public:
  Scheduler(TrackerConfig config, SchedulerOptions options,
            tracker::v1::RepoService::StubInterface* repo,
            tracker::v1::WesPoller::StubInterface* wes,
            tracker::v1::AzureVerifier::StubInterface* verifier, Notifier* notifier,
            Clock* clock = RealClock::Get());

  // One cycle for `environment` ("" = every one), then a push when due.
  // NOT_FOUND for an environment that is not configured.
  absl::StatusOr<tracker::v1::RunCycleResponse> RunCycle(const std::string& environment,
                                                         bool dry_run) ABSL_LOCKS_EXCLUDED(cycle_mu_);
  tracker::v1::GetStatusResponse Status() ABSL_LOCKS_EXCLUDED(status_mu_);
  // See Reporter::Send.
  absl::StatusOr<tracker::v1::SendReportResponse> SendReport(bool dry_run)
      ABSL_LOCKS_EXCLUDED(cycle_mu_);
  // INVALID_ARGUMENT outside 0-10000, NOT_FOUND for an unknown environment.
  // Written to the runtime settings on main (so it survives restarts) and
  // in effect from the next cycle; a cycle in flight finishes first.
  // `admin` (who asks) is the commit's author when set.
  absl::StatusOr<tracker::v1::SetMaxParallelRunsResponse> SetMaxParallelRuns(
      const std::string& environment, int max_parallel_runs, const std::string& admin = "")
      ABSL_LOCKS_EXCLUDED(cycle_mu_);

  // scheduler_recovery.cc: the admins' fixes that need the scheduler.
  // One runtime setting of a configured environment (NOT_FOUND otherwise),
  // written on main through repo-service; max_parallel_runs is in effect at
  // once, every setting from the next cycle on.
  absl::StatusOr<tracker::v1::SetSchedulerSettingResponse> SetRuntimeSetting(
      const tracker::v1::SetSchedulerSettingRequest& req) ABSL_LOCKS_EXCLUDED(cycle_mu_);
  // Each job's analyses in SONG; one answer per job, in order.
  tracker::v1::VerifyJobsResponse VerifyJobs(const tracker::v1::VerifyJobsRequest& req);
  // See Scheduler.ReleaseLostRuns in scheduler.proto.
  absl::StatusOr<tracker::v1::ReleaseLostRunsResponse> ReleaseLostRuns(
      const tracker::v1::ReleaseLostRunsRequest& req) ABSL_LOCKS_EXCLUDED(cycle_mu_);

  absl::Duration interval() const;

  // At shutdown: a pause between starts (start_interval_seconds) ends at
  // once and the starts after it wait for the next cycle, so that the cycle
  // in flight finishes within the grace period.
  void Stop();

 private:
  // What GetStatus answers per environment.
  struct EnvState {
    absl::Time last_cycle;
    tracker::v1::CycleOutcome last_outcome = tracker::v1::CYCLE_OUTCOME_UNSPECIFIED;
    std::string last_message;
    int queued = 0;
    int max_parallel_runs = 0;  // from the config; SetMaxParallelRuns changes it
    bool paused = false;
    bool stopped = false;
    std::string stopped_reason;
    int backlog_waiting = 0;  // backlog jobs whose latest run was here
    bool disabled = false;    // runtime settings: enabled false
    std::vector<std::string> settings;  // "key=value" from the settings file
  };

  // After the cycle's sync: the runtime settings read afresh and applied
  // to every environment. Answers a note when they could not be used.
  std::string ApplySettings() ABSL_EXCLUSIVE_LOCKS_REQUIRED(cycle_mu_);
  // The failed jobs' turn in SONG (FailedVerifier), into `out`.
  void CheckFailedJobs(bool dry_run, tracker::v1::RunCycleResponse* out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(cycle_mu_);

  // Step 0: fetch, merge origin/main into main and main into scheduler.
  // Returns a note when the merge was refused.
  std::string SyncBranches() ABSL_EXCLUSIVE_LOCKS_REQUIRED(cycle_mu_);
  // Steps 1-7 for one environment (environment_cycle.cc). `claimed`: the
  // backlog jobs this dry run has planned so far (null outside dry runs).
  void RunEnvironment(const std::string& env, bool dry_run, std::set<std::string>* claimed,
                      tracker::v1::EnvironmentCycle* out) ABSL_EXCLUSIVE_LOCKS_REQUIRED(cycle_mu_);
  // Step 7 with start_interval_seconds > 0: one start at a time, pausing
  // between two starts. `active`: jobs queued on `env` so far; answers it
  // after the starts.
  int StartPaced(const std::string& env, const std::vector<tracker::v1::JobSummary>& fresh,
                 const std::vector<tracker::v1::JobSummary>& restart, int active,
                 tracker::v1::EnvironmentCycle* out) ABSL_EXCLUSIVE_LOCKS_REQUIRED(cycle_mu_);
  absl::Status PushIfDue(tracker::v1::RunCycleResponse* out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(cycle_mu_);
  int MaxParallelRuns(const std::string& env) ABSL_LOCKS_EXCLUDED(status_mu_);

  // Read-only after construction: max_parallel_runs lives in EnvState
  // (from the config, then the runtime settings each cycle).
  const TrackerConfig config_;
  Clock* const clock_;
  tracker::v1::WesPoller::StubInterface* const wes_;  // not owned
  Alerter alerts_;
  RpcCaller upstream_;  // wes-poller and azure-verifier
  RepoClient repo_;
  JobVerifier verifier_;
  RuntimeSettingsReader settings_;
  LostRuns lost_;
  FailedVerifier failed_;
  RunChecker checker_;
  CircuitBreaker breaker_;
  BacklogPicker backlog_;
  StartProtocol starts_;
  Reporter reporter_;
  PushAnnouncer announcer_;
  Pacer pacer_;

  absl::Mutex cycle_mu_;
  // A new excessive-failure flag: push at once.
  bool push_now_ ABSL_GUARDED_BY(cycle_mu_) = false;
  // Cycles run per environment: a paced start that released cycle_mu_ sees
  // whether another cycle of its environment ran meanwhile.
  std::map<std::string, int64_t> env_cycles_ ABSL_GUARDED_BY(cycle_mu_);
  // Taken inside cycle_mu_, never the other way round; held only to copy.
  absl::Mutex status_mu_ ABSL_ACQUIRED_AFTER(cycle_mu_);
  std::map<std::string, EnvState> env_state_ ABSL_GUARDED_BY(status_mu_);
};

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_SCHEDULER_H_
