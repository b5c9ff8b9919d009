#ifndef SERVICES_SCHEDULER_START_PROTOCOL_H_
#define SERVICES_SCHEDULER_START_PROTOCOL_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/config.h"
#include "proto/tracker/v1/repo.pb.h"
#include "proto/tracker/v1/scheduler.pb.h"
#include "proto/tracker/v1/wes.grpc.pb.h"
#include "services/scheduler/notifier.h"
#include "services/scheduler/repo_client.h"
#include "services/scheduler/rpc.h"

namespace tracker::scheduler {

// Starting a job, in three steps so that a crash at any point neither loses
// the job nor starts it twice:
//   1. commit the intent: backlog -> queued with a pending marker for
//      attempt N (tracking/run_marker.h);
//   2. POST the run through wes-poller;
//   3. commit the run's marker in place of the pending one.
// A pending marker found at the start of a cycle (a crash between 1 and 3,
// or a POST whose outcome is unknown) is resolved by looking the job's runs
// up by its params (FindRunsOfJob: study_id and analysis_id, which ARGO
// keeps and searches; it keeps no run tags). A run of the job that none of
// its markers names is this attempt's: it is recorded. None: ARGO's search
// shows a run only once its indexer has seen an event of it, so the start
// is made again for the same attempt only when the intent is older than
// `reconcile_grace` and the search was exhaustive; otherwise it waits (and
// a search that could not be exhaustive is alerted: a person decides). A
// start that surely did not happen (refused, or the service unreachable)
// goes back to backlog.
//
// A job with an earlier run on the environment is resumed with that run's
// Nextflow session (a UUID) and directories. A run the service no longer
// knows, or one without a session UUID, is started afresh in new
// directories, saying why (log, the action's detail, an INFO alert); a run
// that cannot be read now is not started this cycle. Keeps only each
// environment's workflow version from the runtime settings; thread-safe;
// owns nothing it is given.
class StartProtocol {
 public:
  // `concurrency`: jobs read and POSTed at once.
  StartProtocol(RepoClient* repo, tracker::v1::WesPoller::StubInterface* wes,
                RpcCaller* upstream, Alerter* alerts, Clock* clock, WorkflowConfig workflow,
                int concurrency, absl::Duration reconcile_grace);

  struct Reconciled {
    // queued -> queued: the found run's marker in place of the pending one.
    std::vector<tracker::v1::Transition> records;
    // No run of the attempt, and its intent older than the grace: to be
    // POSTed again.
    std::vector<tracker::v1::JobSummary> restart;
  };
  // `pending`: jobs queued on `env` whose current marker is a pending one.
  // A second live run of the same attempt is cancelled (not in a dry run).
  // A job whose runs cannot be looked up, or not surely, waits for the
  // next cycle (CYCLE_ACTION_AMBIGUOUS, nothing started).
  Reconciled Reconcile(const std::string& env, const std::vector<tracker::v1::JobSummary>& pending,
                       bool dry_run, tracker::v1::EnvironmentCycle* out);

  // Steps 1-3 for `fresh` backlog jobs, steps 2-3 for `restart` (from
  // Reconcile). A dry run reads but writes and POSTs nothing. Adds an
  // action per job to `out`; answers the change in the number of jobs
  // queued on `env`.
  int Start(const std::string& env, const std::vector<tracker::v1::JobSummary>& fresh,
            const std::vector<tracker::v1::JobSummary>& restart, bool dry_run,
            tracker::v1::EnvironmentCycle* out);

  // `env` is paused or stopped: starts interrupted earlier are not made
  // now, they go back to backlog. Answers how many did.
  int RollBack(const std::string& env, const std::vector<tracker::v1::JobSummary>& restart,
               tracker::v1::EnvironmentCycle* out);

  // The workflow version (`revision`) of `env`'s next starts, from the
  // runtime settings; "" = the config's workflow.version.
  void SetWorkflowVersion(const std::string& env, const std::string& version)
      ABSL_LOCKS_EXCLUDED(versions_mu_);

 private:
  struct Attempt;

  // One pending job of Reconcile.
  void ReconcileJob(const std::string& env, int64_t now, const tracker::v1::JobSummary& job,
                    bool dry_run, Reconciled* result, tracker::v1::EnvironmentCycle* out);
  // Step 1's plan: an attempt per restart (its intent renewed, so that the
  // grace counts from this POST), then per fresh job with its intent; stops
  // at a marker that cannot be formed.
  void Plan(const std::string& env, int64_t now,
            const std::vector<tracker::v1::JobSummary>& fresh,
            const std::vector<tracker::v1::JobSummary>& restart, std::vector<Attempt>* attempts,
            std::vector<tracker::v1::Transition>* intents, tracker::v1::EnvironmentCycle* out);
  // Each job's params and, when it ran on `env` before, what to resume.
  void ReadJobs(const std::string& env, std::vector<Attempt>* attempts);
  void Post(const std::string& env, std::vector<Attempt>* attempts);
  // Step 3: answers the change in queued jobs.
  int Record(const std::string& env, int64_t now, const std::vector<Attempt>& attempts,
             size_t restarts, tracker::v1::EnvironmentCycle* out);

  RepoClient* const repo_;
  tracker::v1::WesPoller::StubInterface* const wes_;
  RpcCaller* const upstream_;
  Alerter* const alerts_;
  Clock* const clock_;
  const WorkflowConfig workflow_;
  const int concurrency_;
  const absl::Duration reconcile_grace_;
  absl::Mutex versions_mu_;
  std::map<std::string, std::string> versions_ ABSL_GUARDED_BY(versions_mu_);
};

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_START_PROTOCOL_H_
