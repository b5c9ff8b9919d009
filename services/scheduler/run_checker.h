#ifndef SERVICES_SCHEDULER_RUN_CHECKER_H_
#define SERVICES_SCHEDULER_RUN_CHECKER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "proto/tracker/v1/repo.pb.h"
#include "proto/tracker/v1/scheduler.pb.h"
#include "proto/tracker/v1/wes.grpc.pb.h"
#include "services/scheduler/lost_runs.h"
#include "services/scheduler/notifier.h"
#include "services/scheduler/rpc.h"
#include "services/scheduler/verification.h"

namespace tracker::scheduler {

// Steps 1-3 of the cycle (SPEC.md section 3) for the jobs queued on one
// environment whose current run is a real one (not a pending start): their
// states from wes-poller in one call; COMPLETE and verified goes to
// completed/, EXECUTOR_ERROR, SYSTEM_ERROR, CANCELED and PREEMPTED to
// failed/, everything else stays; a run the service does not know, or
// UNKNOWN for long, is recorded as lost (LostRuns). Infrastructure trouble never fails a job:
// an unreachable workflow service changes nothing this cycle, and a run
// that cannot be read or verified waits.
//
// Remembers since when a COMPLETE run has waited for its analyses, to warn
// after `unverified_alert_after`. Thread-safe; owns nothing it is given.
class RunChecker {
 public:
  // `lost`: where runs the workflow service does not know are recorded
  // (null: such a job only waits, with a WARNING).
  RunChecker(tracker::v1::WesPoller::StubInterface* wes, RpcCaller* upstream,
             JobVerifier* verifier, Alerter* alerts, Clock* clock,
             absl::Duration unverified_alert_after, LostRuns* lost = nullptr);

  struct Result {
    std::vector<tracker::v1::Transition> moves;  // queued -> completed / failed
    bool wes_down = false;  // no state was read: nothing may move this cycle
  };
  // Adds an action per job that moves or waits, and the completed and
  // failed counts, to `out`; when the workflow service is down, the
  // outcome UNAVAILABLE and why.
  Result Check(const std::string& env, const std::vector<tracker::v1::JobSummary>& running,
               tracker::v1::EnvironmentCycle* out);

 private:
  // A COMPLETE run: to completed/ once verified, else it waits.
  void Complete(const tracker::v1::JobSummary& job, const tracker::v1::RunStatus& run,
                const absl::StatusOr<tracker::v1::VerifyAnalysesResponse>& verdict,
                Result* result, tracker::v1::EnvironmentCycle* out);

  tracker::v1::WesPoller::StubInterface* const wes_;
  RpcCaller* const upstream_;
  JobVerifier* const verifier_;
  Alerter* const alerts_;
  Clock* const clock_;
  const absl::Duration unverified_alert_after_;
  LostRuns* const lost_;

  absl::Mutex mu_;
  // Job key -> when its run was first seen COMPLETE and not yet verified.
  std::map<std::string, absl::Time> unverified_since_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_RUN_CHECKER_H_
