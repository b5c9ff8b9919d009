#ifndef SERVICES_WES_POLLER_ENVIRONMENT_CLIENT_H_
#define SERVICES_WES_POLLER_ENVIRONMENT_CLIENT_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/config.h"
#include "common/http_client.h"
#include "common/token_provider.h"
#include "proto/tracker/v1/wes.pb.h"
#include "services/wes_poller/argo_graphql.h"

namespace tracker::wes {

struct RunPage {
  std::vector<tracker::v1::RunStatus> runs;  // run_id and state only
  std::string next_page_token;               // "" on the last page
};

// Everything a run's detail tells: state, times, error, resume data,
// and the study and analyses of its params.
using RunDetail = GraphqlRun;

// One compute environment's workflow service: GA4GH WES over HTTP, and
// ARGO's RDPC GraphQL for status and resume data when `graphql_url` is set.
// One call each, no fan-out; `http` carries the retry policy (only
// idempotent requests are retried). Thread-safe.
class EnvironmentClient {
 public:
  // `api_token` is the value of the variable `api_token_env` names ("" when
  // none is configured): it goes into every started run's params.
  EnvironmentClient(ComputeEnvironment env, std::shared_ptr<HttpClient> http,
                    std::shared_ptr<TokenProvider> tokens, std::string api_token,
                    absl::Duration request_timeout = absl::Seconds(30));

  const ComputeEnvironment& env() const { return env_; }
  bool uses_graphql() const { return !env_.graphql_url.empty(); }

  // State (and, for finished runs, times and error) of one run.
  absl::StatusOr<tracker::v1::RunStatus> GetStatus(const std::string& run_id);
  // GraphQL only: the states of many runs in one request, in their order.
  // The call fails as a whole only when the request does.
  absl::StatusOr<std::vector<absl::StatusOr<tracker::v1::RunStatus>>> GetStatuses(
      const std::vector<std::string>& run_ids);
  // The run's full detail (WES GET /runs/{id}, or GraphQL).
  absl::StatusOr<RunDetail> GetDetail(const std::string& run_id);
  // WES GET /runs/{id}: request, state, run_log.
  absl::StatusOr<RunDetail> GetWesRunLog(const std::string& run_id);
  // GraphQL only: one page of the runs started with `analysis_id`.
  absl::StatusOr<GraphqlPage> FindRunsByAnalysis(const std::string& analysis_id, int from,
                                                 int size);
  // POST /runs, once, with the original's body (directories under the next
  // of the environment's NFS roots, in turn). See WesPoller.StartRun for
  // the meaning of the codes. `started_with` gets the directories.
  absl::StatusOr<std::string> StartRun(const tracker::v1::StartRunRequest& request,
                                       tracker::v1::ResumeInfo* started_with);
  absl::StatusOr<RunPage> ListRuns(const std::string& page_token, int page_size);
  absl::Status CancelRun(const std::string& run_id);

 private:
  absl::StatusOr<HttpResponse> Call(HttpRequest request);
  absl::StatusOr<std::string> GetOk(const std::string& path, absl::string_view what);
  absl::StatusOr<std::map<std::string, GraphqlPage>> Graphql(const GraphqlRequest& query);
  // Each run's detail through one aliased `runs` query; per run NOT_FOUND
  // while ARGO's index does not show it.
  absl::StatusOr<std::vector<absl::StatusOr<RunDetail>>> GraphqlRuns(
      const std::vector<std::string>& run_ids);
  absl::StatusOr<std::string> PostRun(const tracker::v1::StartRunRequest& request,
                                      tracker::v1::ResumeInfo* started_with);
  std::string NextNfsRoot();

  ComputeEnvironment env_;
  std::string base_;  // wes_url without a trailing '/'
  std::shared_ptr<HttpClient> http_;
  std::shared_ptr<TokenProvider> tokens_;
  const std::string api_token_;
  absl::Duration timeout_;
  absl::Mutex mu_;
  size_t next_root_ ABSL_GUARDED_BY(mu_) = 0;  // spreads fresh runs over the NFS roots
};

}  // namespace tracker::wes

#endif  // SERVICES_WES_POLLER_ENVIRONMENT_CLIENT_H_
