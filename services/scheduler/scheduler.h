#ifndef SERVICES_SCHEDULER_SCHEDULER_H_
#define SERVICES_SCHEDULER_SCHEDULER_H_

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/config.h"
#include "proto/tracker/v1/repo.grpc.pb.h"
#include "proto/tracker/v1/scheduler.pb.h"
#include "proto/tracker/v1/verifier.grpc.pb.h"
#include "proto/tracker/v1/wes.grpc.pb.h"
#include "services/scheduler/notifier.h"
#include "services/scheduler/rpc.h"

namespace tracker::scheduler {

struct SchedulerOptions {
  // Studies in priority order; empty: every study, in byte order.
  std::vector<std::string> studies;
  std::set<std::string> exclude;
  RpcPolicy rpc;
  // wes-poller and azure-verifier retry their HTTP calls themselves; one
  // more layer of retries here would only multiply the wait.
  RpcPolicy upstream{absl::Seconds(60), 1};
  int start_concurrency = 8;  // StartRun calls in flight
};

// Tags of every run we start, to find it again after a crash.
constexpr char kJobTag[] = "tracker_job";
constexpr char kAttemptTag[] = "tracker_attempt";

// The scheduling cycle of SPEC.md section 3 over the three other services.
// It keeps no durable state: every decision is rebuilt from the repository
// and the workflow services each cycle. One cycle runs at a time.
class Scheduler {
 public:
  Scheduler(TrackerConfig config, SchedulerOptions options,
            tracker::v1::RepoService::StubInterface* repo,
            tracker::v1::WesPoller::StubInterface* wes,
            tracker::v1::AzureVerifier::StubInterface* verifier, Notifier* notifier,
            Clock* clock = RealClock::Get());

  // One cycle for `environment` ("" = every one), then a push when due.
  absl::StatusOr<tracker::v1::RunCycleResponse> RunCycle(const std::string& environment,
                                                         bool dry_run);
  tracker::v1::GetStatusResponse Status();
  absl::StatusOr<tracker::v1::SendReportResponse> SendReport(bool dry_run);
  absl::StatusOr<tracker::v1::SetMaxParallelRunsResponse> SetMaxParallelRuns(
      const std::string& environment, int max_parallel_runs);

  absl::Duration interval() const;
  const TrackerConfig& config() const { return config_; }

 private:
  struct EnvState {
    absl::Time last_cycle;
    std::string last_outcome = "never run";
    std::string last_message;
    int queued = 0;
    bool paused = false;
    bool stopped = false;
    std::string stopped_reason;
  };

  // Step 0: fetch, merge origin/main into main and main into scheduler.
  // Returns a note when the merge was refused.
  std::string SyncBranches();
  void RunEnvironment(const std::string& env, bool dry_run, tracker::v1::EnvironmentCycle* out);
  absl::Status PushIfDue(bool force, tracker::v1::RunCycleResponse* out);

  // Reads.
  absl::StatusOr<std::vector<tracker::v1::JobSummary>> ListJobs(
      std::vector<tracker::v1::JobState> states, const std::string& environment,
      int64_t min_run_epoch, const std::string& study = "", int limit = 0);
  absl::StatusOr<tracker::v1::Job> GetJob(const tracker::v1::JobKey& key);
  absl::StatusOr<std::vector<std::string>> StudiesInOrder();

  // Steps 1-3 for the jobs queued on `env`.
  void CheckQueued(const std::string& env, const std::vector<tracker::v1::JobSummary>& queued,
                   std::vector<tracker::v1::Transition>* moves, tracker::v1::EnvironmentCycle* out,
                   bool* wes_down);
  // Pending start records: the run found by tag is recorded, else the job
  // is returned to start again.
  void Reconcile(const std::string& env, const std::vector<tracker::v1::JobSummary>& pending,
                 bool dry_run, std::vector<tracker::v1::Transition>* moves,
                 std::vector<tracker::v1::JobSummary>* restart, tracker::v1::EnvironmentCycle* out);
  // Step 4. Returns the reason when the environment must stop now.
  std::string CheckFailures(const std::string& env, std::vector<std::string>* failed_runs);
  // Steps 5-7. Returns the change in this environment's queued jobs.
  int StartJobs(const std::string& env, int capacity, bool dry_run,
                 const std::vector<tracker::v1::JobSummary>& restart,
                 tracker::v1::EnvironmentCycle* out);
  absl::Status Commit(std::vector<tracker::v1::Transition> moves, const std::string& message);

  TrackerConfig config_;
  SchedulerOptions options_;
  tracker::v1::RepoService::StubInterface* repo_;
  tracker::v1::WesPoller::StubInterface* wes_;
  tracker::v1::AzureVerifier::StubInterface* verifier_;
  Notifier* notifier_;
  Alerter alerts_;
  Clock* clock_;

  std::mutex cycle_mu_;  // one cycle (or report) at a time
  std::mutex status_mu_;
  std::map<std::string, EnvState> env_state_;
  std::map<std::string, absl::Time> unverified_since_;  // job key -> first seen COMPLETE
  bool push_now_ = false;  // a new excessive-failure flag: push at once
  std::string last_report_commit_;
  // Per environment, the failed runs an excessive-failure flag has named:
  // once an admin clears the flag they are not counted again. Rebuilt from
  // the flag's content while it is present.
  std::map<std::string, std::set<std::string>> acknowledged_failures_;
  // Backlog jobs a dry run has planned to start (reset per dry run).
  std::set<std::string> dry_run_claimed_;
};

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_SCHEDULER_H_
