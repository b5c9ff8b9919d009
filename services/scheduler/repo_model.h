#ifndef SERVICES_SCHEDULER_REPO_MODEL_H_
#define SERVICES_SCHEDULER_REPO_MODEL_H_

// For tests: repo-service as a small in-memory model (jobs with their run
// markers, flags, sync status) behind a gMock stub, applying TransitionJobs
// the way repo-service does (a job not in the move's from_state refuses the
// whole commit). Tests set the fields between calls and read what got
// written; the stub's handlers take `mu`, since the scheduler reads jobs
// from several threads at once.

#include <gmock/gmock.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "proto/tracker/v1/repo_mock.grpc.pb.h"
#include "services/scheduler/rpc.h"
#include "tracking/runtime_settings.h"

namespace tracker::scheduler {

// One attempt per call: a model answers at once, and a retry would only
// hide a wrong answer.
RpcPolicy OneAttempt();

// The batch every model job is in.
inline constexpr char kModelBatch[] = "2021-07-01";

struct ModelJob {
  tracker::v1::JobKey key;
  tracker::v1::JobState state = tracker::v1::JOB_STATE_BACKLOG;
  std::vector<std::string> markers;  // file names, oldest first
  std::string params = R"({"study_id":"S","analysis_id":["a1"],"upload_song_url":"http://song"})";
};

// A marker's file name as repo-service writes it, through tracking/.
std::string MarkerName(int64_t epoch, const std::string& env, const std::string& run_id);
// A marker file name as repo-service answers it.
tracker::v1::RunMarker ParseRunMarker(const std::string& file_name);

class RepoModel {
 public:
  RepoModel();  // wires every method of `stub`

  ModelJob& AddJob(const std::string& study, const std::string& job, tracker::v1::JobState state,
                   std::vector<std::string> markers = {});
  ModelJob& Get(const std::string& study, const std::string& job);
  int InState(tracker::v1::JobState state) const;
  void AddFlag(const std::string& env, tracker::v1::FlagKind kind) { flags.emplace(env, kind); }

  ::testing::NiceMock<tracker::v1::MockRepoServiceStub> stub;
  absl::Mutex mu;

  std::map<std::string, ModelJob> jobs;  // by job key text
  std::set<std::pair<std::string, tracker::v1::FlagKind>> flags;
  std::string flag_content;            // of the excessive-failure flags
  std::vector<std::string> messages;   // of every commit TransitionJobs made
  std::vector<std::string> failed_since_push;  // job keys ListTransitions answers
  int ahead = 0;                       // scheduler branch commits not pushed
  int64_t last_push = 0;
  std::string remote_tip = "r0";
  std::string report_commit = "c1";
  std::vector<tracker::v1::ListTransitionsRequest> transitions_asked;
  tracking::RuntimeSettings settings;         // jobs/scheduler-settings.yaml on main
  std::vector<std::string> settings_authors;  // of every SetRuntimeSetting written
};

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_REPO_MODEL_H_
