#ifndef SERVICES_SCHEDULER_WES_MODEL_H_
#define SERVICES_SCHEDULER_WES_MODEL_H_

// For tests: wes-poller as a small model behind a gMock stub. Runs are
// RUNNING unless `run_states` says otherwise; StartRun records the request
// and answers wes-<n> (or the next scripted status); FindRunsByTag answers
// the `tagged` runs of the job; GetResumeInfo answers a session named after
// the run. Handlers take `mu`: the scheduler POSTs from several threads.

#include <gmock/gmock.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "proto/tracker/v1/wes_mock.grpc.pb.h"

namespace tracker::scheduler {

class WesModel {
 public:
  WesModel();  // wires every method of `stub`

  // A run that FindRunsByTag finds for `job` (key text), attempt `attempt`.
  void Tag(const std::string& run_id, tracker::v1::RunState state, const std::string& job,
           int attempt);

  ::testing::NiceMock<tracker::v1::MockWesPollerStub> stub;
  absl::Mutex mu;

  bool down = false;  // GetRunStates answers UNAVAILABLE
  std::map<std::string, tracker::v1::RunState> run_states;
  std::vector<tracker::v1::StartRunRequest> started;  // every POST, in order
  std::vector<grpc::Status> start_results;  // answers of the next POSTs; then OK
  // Called at each POST, before it answers (under `mu`).
  std::function<void(const tracker::v1::StartRunRequest&)> on_start;
  std::vector<tracker::v1::RunStatus> tagged;
};

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_WES_MODEL_H_
