#ifndef SERVICES_SCHEDULER_LOST_RUNS_H_
#define SERVICES_SCHEDULER_LOST_RUNS_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "proto/tracker/v1/repo.pb.h"
#include "proto/tracker/v1/scheduler.pb.h"
#include "proto/tracker/v1/wes.pb.h"
#include "services/scheduler/notifier.h"

namespace tracker::scheduler {

// Queued jobs whose run is lost: the real history has 16 hand moves of
// queued jobs after outages, their runs gone. A run is lost when
//   - the workflow service does not know it (WES 404, or not in ARGO's
//     index) although its marker is older than `not_found_grace` (ARGO's
//     index shows a run only once workflow-relay has seen an event of it,
//     the same lag the start protocol waits for), or
//   - it has stayed UNKNOWN for `unknown_after` since the scheduler first
//     saw it so (ARGO's REST status says UNKNOWN for every state it does
//     not list).
// Each lost run is alerted once (WARNING) and listed (GetStatus) until the
// job leaves queued/ or its run is readable again; jobctl release-lost
// moves it to failed/ only when it is recorded here. The record lives in
// memory: after a restart the next cycle finds a 404 again at once, and an
// UNKNOWN run after `unknown_after` again (never sooner). Thread-safe.
class LostRuns {
 public:
  LostRuns(Alerter* alerts, Clock* clock, absl::Duration not_found_grace,
           absl::Duration unknown_after);

  // `job` queued on `env` and what the workflow service answered for its
  // run (error_code set when it could not be read). Answers the record
  // when the run is lost now.
  std::optional<tracker::v1::LostRun> Observe(const std::string& env,
                                              const tracker::v1::JobSummary& job,
                                              const tracker::v1::RunStatus& status)
      ABSL_LOCKS_EXCLUDED(mu_);
  // The jobs queued on `env` whose runs were read this cycle: every other
  // record of `env` is dropped (the job left queued/).
  void Keep(const std::string& env, const std::vector<tracker::v1::JobSummary>& queued)
      ABSL_LOCKS_EXCLUDED(mu_);
  std::vector<tracker::v1::LostRun> List() const ABSL_LOCKS_EXCLUDED(mu_);
  std::optional<tracker::v1::LostRun> Find(const tracker::v1::JobKey& key) const
      ABSL_LOCKS_EXCLUDED(mu_);
  void Forget(const tracker::v1::JobKey& key) ABSL_LOCKS_EXCLUDED(mu_);

  // Whether `status` still says lost for a run recorded so (a second
  // read before releasing it): NOT_FOUND, or UNKNOWN.
  static bool StillLost(const tracker::v1::RunStatus& status);

 private:
  struct Entry {
    std::string env, run_id;
    absl::Time unknown_since = absl::InfiniteFuture();
    std::optional<tracker::v1::LostRun> lost;
  };

  Alerter* const alerts_;
  Clock* const clock_;
  const absl::Duration not_found_grace_;
  const absl::Duration unknown_after_;
  mutable absl::Mutex mu_;
  std::map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);  // by job key text
};

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_LOST_RUNS_H_
