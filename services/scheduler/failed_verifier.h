#ifndef SERVICES_SCHEDULER_FAILED_VERIFIER_H_
#define SERVICES_SCHEDULER_FAILED_VERIFIER_H_

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "proto/tracker/v1/scheduler.pb.h"
#include "services/scheduler/notifier.h"
#include "services/scheduler/repo_client.h"
#include "services/scheduler/verification.h"

namespace tracker::scheduler {

// Failed jobs whose data arrived anyway: a run can fail after its last
// upload, or be retried by hand outside the tracker. The real history has
// 16 hand commits moving such jobs to completed/ once an admin found their
// analyses PUBLISHED. Each cycle this checks up to `per_cycle` failed jobs
// in SONG (through azure-verifier), round robin over the failed/ folders
// in key order so that every failed job is checked in turn however many
// there are; those whose analyses are all PUBLISHED move to completed/ in
// one commit that says why, and Slack is told (INFO). A job that cannot be
// verified (SONG down, params.json without a destination) stays and is
// checked again on its next turn. `per_cycle` 0 turns it off. The turn
// lives in memory: a restart begins again at the first failed job.
// Thread-safe; owns nothing it is given.
class FailedVerifier {
 public:
  FailedVerifier(RepoClient* repo, JobVerifier* verifier, Alerter* alerts, int per_cycle);

  struct Result {
    std::vector<tracker::v1::JobAction> checked;  // PUBLISHED or WAITING, with why
    int completed = 0;      // moved to completed/
    int not_published = 0;  // a verdict: not every analysis PUBLISHED
    int unverifiable = 0;   // no verdict (SONG down, params.json incomplete)
    std::string error;  // the failed jobs could not be listed, or the commit failed
  };
  // A dry run verifies and answers, but neither moves nor advances the turn.
  Result Run(bool dry_run) ABSL_LOCKS_EXCLUDED(mu_);

  // The commit message of the moves (tracking/layout.h's subject first, as
  // every job move of the scheduler).
  static std::string CommitMessage(const std::vector<tracker::v1::JobAction>& completed);

 private:
  RepoClient* const repo_;
  JobVerifier* const verifier_;
  Alerter* const alerts_;
  const int per_cycle_;
  absl::Mutex mu_;
  std::string last_checked_ ABSL_GUARDED_BY(mu_);  // job key text; "" = from the start
};

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_FAILED_VERIFIER_H_
