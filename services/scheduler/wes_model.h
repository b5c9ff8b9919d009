#ifndef SERVICES_SCHEDULER_WES_MODEL_H_
#define SERVICES_SCHEDULER_WES_MODEL_H_

// For tests: wes-poller as a small model behind a gMock stub, behaving as
// it does over ARGO's services (services/wes_poller/poller.cc, which follows
// workflow-management's RunsApiController and workflow-api's GraphQL):
//   - StartRun records the request and creates a run wes-<n> of the
//     request's study_id and analysis_id, with a Nextflow session UUID
//     (or the resumed one), its directories in started_with; or answers the
//     next scripted status. No tags: ARGO keeps none.
//   - FindRunsOfJob answers the indexed runs whose params have the same
//     study_id and analysis_id set, newest first; `exhaustive` as set.
//   - GetResumeInfo answers a known run's session and directories; an
//     unknown run is NOT_FOUND; a run without a session FAILED_PRECONDITION.
//   - GetRunStates: RUNNING unless `run_states` says otherwise.
// Handlers take `mu`: the scheduler POSTs from several threads.

#include <gmock/gmock.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "proto/tracker/v1/wes_mock.grpc.pb.h"

namespace tracker::scheduler {

// The study and analyses of ModelJob's default params (repo_model.h).
inline constexpr char kModelStudy[] = "S";
inline constexpr char kModelAnalysis[] = "a1";

class WesModel {
 public:
  struct Run {
    tracker::v1::RunStatus status;
    std::string study_id;
    std::vector<std::string> analysis_ids;
    tracker::v1::ResumeInfo resume;  // session and directories
    bool indexed = true;             // visible to FindRunsOfJob
  };

  WesModel();  // wires every method of `stub`

  // A run that exists on the service, e.g. an earlier attempt's, or one
  // whose start the scheduler never saw answered. Newest last.
  Run& AddRun(const std::string& run_id, tracker::v1::RunState state,
              const std::string& study_id = kModelStudy,
              std::vector<std::string> analysis_ids = {kModelAnalysis});
  // The Nextflow session UUID the model gives `run_id`.
  static std::string SessionOf(const std::string& run_id);

  ::testing::NiceMock<tracker::v1::MockWesPollerStub> stub;
  absl::Mutex mu;

  bool down = false;  // GetRunStates answers UNAVAILABLE
  std::map<std::string, tracker::v1::RunState> run_states;
  std::vector<tracker::v1::StartRunRequest> started;  // every POST, in order
  // Answers of the next POSTs; then OK. A scripted DEADLINE_EXCEEDED still
  // creates the run (the request reached the service, the answer was
  // lost); any other failure creates none.
  std::vector<grpc::Status> start_results;
  // Called at each POST, before it answers (under `mu`).
  std::function<void(const tracker::v1::StartRunRequest&)> on_start;
  // Runs created by StartRun are searchable at once (false: not indexed
  // yet, as a run ARGO's relay has seen no event of).
  bool index_new_runs = true;
  bool exhaustive = true;     // what FindRunsOfJob answers
  std::vector<Run> runs;      // oldest first
  std::vector<tracker::v1::FindRunsOfJobRequest> searches;
};

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_WES_MODEL_H_
