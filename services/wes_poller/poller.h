#ifndef SERVICES_WES_POLLER_POLLER_H_
#define SERVICES_WES_POLLER_POLLER_H_

#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/status/statusor.h"
#include "common/config.h"
#include "common/http_client.h"
#include "proto/tracker/v1/wes.pb.h"
#include "services/wes_poller/environment_client.h"

namespace tracker::wes {

struct PollerOptions {
  int max_concurrency = 32;       // requests in flight per call
  int max_runs_per_call = 10000;  // larger GetRunStates are refused
  int list_page_size = 100;
  // Run ids per GraphQL request (one aliased `runs` query each).
  int graphql_batch_size = 50;
  // FindRunsOfJob: GraphQL page size and pages at most; without GraphQL,
  // the newest runs the WES lists that are read at most.
  int find_page_size = 50;
  int find_max_pages = 4;
  int max_runs_scanned = 200;
  absl::Duration request_timeout = absl::Seconds(30);
};

// The wes-poller's logic, one EnvironmentClient per compute environment.
// Thread-safe.
class Poller {
 public:
  // Builds the environments of `config`; a missing credential variable is
  // FAILED_PRECONDITION naming it. `http` is shared by all environments.
  static absl::StatusOr<std::unique_ptr<Poller>> Create(const TrackerConfig& config,
                                                        std::shared_ptr<HttpClient> http,
                                                        PollerOptions options = {});

  absl::StatusOr<tracker::v1::GetRunStatesResponse> GetRunStates(
      const tracker::v1::GetRunStatesRequest& req);
  absl::StatusOr<tracker::v1::GetResumeInfoResponse> GetResumeInfo(
      const tracker::v1::GetResumeInfoRequest& req);
  absl::StatusOr<tracker::v1::StartRunResponse> StartRun(const tracker::v1::StartRunRequest& req);
  absl::StatusOr<tracker::v1::FindRunsOfJobResponse> FindRunsOfJob(
      const tracker::v1::FindRunsOfJobRequest& req);
  absl::StatusOr<tracker::v1::CancelRunResponse> CancelRun(const tracker::v1::CancelRunRequest& req);
  tracker::v1::ListEnvironmentsResponse ListEnvironments() const;

 private:
  explicit Poller(PollerOptions options) : options_(options) {}
  absl::StatusOr<EnvironmentClient*> Env(const std::string& name);
  // The states of `ids` (indexes into `out`) of a GraphQL environment, in
  // batches of graphql_batch_size, `errors` set per run.
  void BatchedStates(EnvironmentClient* env, const tracker::v1::GetRunStatesRequest& req,
                     tracker::v1::GetRunStatesResponse* out, std::vector<absl::Status>* errors);
  // FindRunsOfJob without GraphQL: the newest listed runs, read one by one.
  absl::StatusOr<tracker::v1::FindRunsOfJobResponse> ScanRunsOfJob(
      EnvironmentClient* env, const tracker::v1::FindRunsOfJobRequest& req);

  PollerOptions options_;
  std::map<std::string, std::unique_ptr<EnvironmentClient>> envs_;
};

}  // namespace tracker::wes

#endif  // SERVICES_WES_POLLER_POLLER_H_
