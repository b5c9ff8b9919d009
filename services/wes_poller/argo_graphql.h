#ifndef SERVICES_WES_POLLER_ARGO_GRAPHQL_H_
#define SERVICES_WES_POLLER_ARGO_GRAPHQL_H_

// ARGO's RDPC GraphQL `runs` query (icgc-argo/workflow-api,
// src/main/resources/schema.graphqls):
//
//   runs(filter: RunsFilter, page: Page, sorts: [RunSort!]): RunsSearchResult!
//   RunsSearchResult { content: [Run!], info: SearchResultInfo! }
//
// RunsFilter's fields (runId, sessionId, state, repository, analysisId,
// studyId) are single strings, ANDed. To read many runs in one request the
// query repeats `runs` under aliases, one per run id (GraphQL spec, 2.7
// Field Alias). Building the query text and reading the answer are here;
// sending it is EnvironmentClient's.

#include <map>
#include <string>
#include <vector>

#include <google/protobuf/struct.pb.h>

#include "absl/status/statusor.h"
#include "proto/tracker/v1/wes.pb.h"

namespace tracker::wes {

// One run as the `runs` query gives it.
struct GraphqlRun {
  tracker::v1::RunStatus status;  // run_id, state, times, error summary
  tracker::v1::ResumeInfo resume;  // session id, directories, revision
  // From `parameters` (the workflow_params it was started with; ARGO's
  // indexer replaces api_token by its md5, and it is never read here).
  std::string study_id;
  std::vector<std::string> analysis_ids;
};

// A request body: {"query": ..., "variables": {...}} as JSON.
struct GraphqlRequest {
  std::string body;
  std::vector<std::string> aliases;  // the response keys, in order
};

// One `runs(filter: {runId})` per id, under aliases r0, r1, ...
GraphqlRequest RunsByIdRequest(const std::vector<std::string>& run_ids);
// Runs whose parameters hold `analysis_id` (workflow-api matches it in
// parameters.analysis_id and the alignment ids), newest first.
GraphqlRequest RunsByAnalysisRequest(const std::string& analysis_id, int from, int size);

// What one alias answered.
struct GraphqlPage {
  absl::Status status;  // an error GraphQL reported for this alias
  std::vector<GraphqlRun> runs;
  bool has_next = false;  // info.hasNextFrom
};

// Reads an answer to a request above. A body that is not GraphQL, or
// `errors` with no data, fails as a whole: a validation error (the service
// does not know a field we ask for: another schema version) is
// FAILED_PRECONDITION, anything else UNAVAILABLE. An error on one alias
// only marks that alias's page.
absl::StatusOr<std::map<std::string, GraphqlPage>> ParseRunsAnswer(
    const std::string& body, const std::vector<std::string>& aliases);

// study_id and the analysis_id list (or single id) of a run's params, as
// both GraphQL's `parameters` and WES's `request.workflow_params` hold them.
void ReadRunParams(const google::protobuf::Struct* params, GraphqlRun* out);

// The end of a failed run's error report, as much as a person reads.
std::string ErrorTail(const std::string& text);

// Epoch milliseconds (how the schema gives startTime and completeTime) as
// ISO 8601 UTC; any other text is kept as the service wrote it.
std::string IsoFromEpochMillis(const std::string& text);

}  // namespace tracker::wes

#endif  // SERVICES_WES_POLLER_ARGO_GRAPHQL_H_
