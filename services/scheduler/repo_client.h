#ifndef SERVICES_SCHEDULER_REPO_CLIENT_H_
#define SERVICES_SCHEDULER_REPO_CLIENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "proto/tracker/v1/repo.grpc.pb.h"
#include "services/scheduler/rpc.h"

namespace tracker::scheduler {

// Which jobs ListJobs answers.
struct JobQuery {
  std::vector<tracker::v1::JobState> states;
  std::string environment;    // of the current run; "" = any
  int64_t min_run_epoch = 0;  // current run started at or after; 0 = any
  std::string study;          // "" = every study
  int limit = 0;              // 0 = every match
};

// repo-service as the scheduler uses it: reads and writes of the scheduler
// branch (fetch, merge and push name their branches), with the scheduler's
// retry policy. Reads are tried again on UNAVAILABLE; writes are sent once,
// since a write whose answer was lost may have happened, and every write
// names the state it expects, so the next cycle's reads settle it.
//
// Errors are repo-service's codes (common/status.h). Thread-safe; does not
// own the stub.
class RepoClient {
 public:
  RepoClient(tracker::v1::RepoService::StubInterface* stub, const RpcPolicy& policy,
             Clock* clock = RealClock::Get());

  // Every page of the query (repo-service answers at most 10,000 a page).
  absl::StatusOr<std::vector<tracker::v1::JobSummary>> ListJobs(const JobQuery& query);
  absl::StatusOr<tracker::v1::Job> GetJob(const tracker::v1::JobKey& key);
  absl::StatusOr<tracker::v1::ListFlagsResponse> ListFlags();
  // The scheduler branch now, or as it was at `as_of`.
  absl::StatusOr<tracker::v1::ReportResponse> Report(std::optional<absl::Time> as_of = std::nullopt);
  absl::StatusOr<tracker::v1::GetSyncStatusResponse> SyncStatus();
  // The scheduler branch's commit the remote last acknowledged, "" when it
  // has none.
  absl::StatusOr<std::string> PushedSchedulerTip();
  // Jobs moved between `from_commit` and `to_commit` ("" = the tip).
  absl::StatusOr<std::vector<tracker::v1::JobChange>> ListTransitions(
      const std::string& from_commit, const std::string& to_commit = "");

  // One commit with every move; ABORTED / FAILED_PRECONDITION when a job
  // is no longer where the move says.
  absl::Status TransitionJobs(std::vector<tracker::v1::Transition> moves,
                              const std::string& message);
  absl::Status SetFlag(tracker::v1::Flag flag, const std::string& message);

  // The runtime settings file on main (jobs/scheduler-settings.yaml).
  absl::StatusOr<tracker::v1::GetRuntimeSettingsResponse> GetRuntimeSettings();
  // One key of it, on main, as one commit by `admin` ("" = the
  // repository's default author) whose message names the change.
  absl::StatusOr<tracker::v1::SetRuntimeSettingResponse> SetRuntimeSetting(
      const std::string& environment, const std::string& key, const std::string& value,
      bool dry_run, const std::string& admin);

  absl::Status Fetch();
  // Merges `source` into `branch`.
  absl::Status Merge(const std::string& branch, const std::string& source);
  // Pushes `branch`; answers the pushed commit.
  absl::StatusOr<std::string> Push(const std::string& branch);

 private:
  tracker::v1::RepoService::StubInterface* stub_;
  RpcCaller rpc_;
};

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_REPO_CLIENT_H_
