#ifndef SERVICES_WES_POLLER_ENVIRONMENT_CLIENT_H_
#define SERVICES_WES_POLLER_ENVIRONMENT_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/config.h"
#include "common/http_client.h"
#include "common/token_provider.h"
#include "proto/tracker/v1/wes.pb.h"

namespace tracker::wes {

struct RunPage {
  std::vector<tracker::v1::RunStatus> runs;  // run_id and state only
  std::string next_page_token;               // "" on the last page
};

// Everything a run's detail tells: state, times, error, tags, resume data.
struct RunDetail {
  tracker::v1::RunStatus status;
  tracker::v1::ResumeInfo resume;
};

// One compute environment's workflow service: GA4GH WES over HTTP, and
// ARGO's RDPC GraphQL for status and resume data when `graphql_url` is set.
// One call each, no fan-out; `http` carries the retry policy (only
// idempotent requests are retried). Thread-safe.
class EnvironmentClient {
 public:
  EnvironmentClient(ComputeEnvironment env, std::shared_ptr<HttpClient> http,
                    std::shared_ptr<TokenProvider> tokens,
                    absl::Duration request_timeout = absl::Seconds(30));

  const ComputeEnvironment& env() const { return env_; }
  bool uses_graphql() const { return !env_.graphql_url.empty(); }

  // State (and, for finished runs, times and error) of one run.
  absl::StatusOr<tracker::v1::RunStatus> GetStatus(const std::string& run_id);
  // The run's full detail (WES GET /runs/{id}, or GraphQL).
  absl::StatusOr<RunDetail> GetDetail(const std::string& run_id);
  // WES GET /runs/{id}: the tags are only there, never in GraphQL.
  absl::StatusOr<RunDetail> GetWesRunLog(const std::string& run_id);
  // POST /runs, once. See WesPoller.StartRun for the meaning of the codes.
  absl::StatusOr<std::string> StartRun(const tracker::v1::StartRunRequest& request);
  absl::StatusOr<RunPage> ListRuns(const std::string& page_token, int page_size);
  absl::Status CancelRun(const std::string& run_id);

 private:
  absl::StatusOr<HttpResponse> Call(HttpRequest request);
  absl::StatusOr<std::string> GetOk(const std::string& path, absl::string_view what);
  absl::StatusOr<RunDetail> GraphqlRun(const std::string& run_id);

  ComputeEnvironment env_;
  std::string base_;  // wes_url without a trailing '/'
  std::shared_ptr<HttpClient> http_;
  std::shared_ptr<TokenProvider> tokens_;
  absl::Duration timeout_;
};

}  // namespace tracker::wes

#endif  // SERVICES_WES_POLLER_ENVIRONMENT_CLIENT_H_
