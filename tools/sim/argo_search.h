#ifndef TOOLS_SIM_ARGO_SEARCH_H_
#define TOOLS_SIM_ARGO_SEARCH_H_

// ARGO's run search as the RDPC serves it at /graphql, for the simulator:
// workflow-relay indexes each run into a document
// (icgc-argo/workflow-relay model/index/WorkflowDocument.java: Instants as
// epoch milliseconds, parameters with api_token replaced by its md5,
// util/Sanitize.java), and workflow-api answers the `runs` query over the
// documents (icgc-argo/workflow-api src/main/resources/schema.graphqls,
// repository/RunRepository.java, service/graphql/RunService.java).

#include <string>
#include <vector>

#include <google/protobuf/struct.pb.h>

namespace tracker::sim {

// What the index knows of one run.
struct IndexedRun {
  std::string run_id;
  std::string session_id;
  std::string state;  // workflow-relay WorkflowState names
  std::string repository;
  google::protobuf::Struct parameters;  // the workflow_params as posted
  google::protobuf::Struct engine;      // workflow_engine_params as posted (snake_case)
  int64_t start_ms = 0;                 // 0: not started
  int64_t complete_ms = 0;              // 0: not finished
  std::string error_report;
  int exit_status = -1;  // -1: none yet
};

// The `Run` object of the schema for `run`: every field, null where the
// index has nothing; api_token hashed as workflow-relay's Sanitize does.
google::protobuf::Struct RunObject(const IndexedRun& run);

// md5 of `text` as workflow-relay's Sanitize.md5 writes it: hex per byte
// with Integer.toHexString, so a byte under 0x10 loses its leading zero.
std::string RelayMd5(const std::string& text);

// Answers a GraphQL POST body over `runs` (newest last) as workflow-api
// would: {"data": ...} or {"errors": [...]} (graphql-java's validation
// messages), always with HTTP 200.
std::string AnswerGraphql(const std::string& body, const std::vector<IndexedRun>& runs);

}  // namespace tracker::sim

#endif  // TOOLS_SIM_ARGO_SEARCH_H_
