#ifndef SERVICES_SCHEDULER_CIRCUIT_BREAKER_H_
#define SERVICES_SCHEDULER_CIRCUIT_BREAKER_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "services/scheduler/notifier.h"
#include "services/scheduler/repo_client.h"

namespace tracker::scheduler {

// Which stop rules apply to an environment (its config, common/config.h).
struct StopRules {
  // Every job started within the last two scheduling windows failed (at
  // least one started): the seed's rule.
  bool two_windows = true;
  // Failures since the last push reach this; <= 0 turns the rule off (the
  // original scheduler's excessive_failure_threshold).
  int excessive_failure_threshold = 0;
};

// Step 4 of the cycle (SPEC.md section 3): an environment whose recent runs
// all fail is stopped before it eats the backlog. It trips on either rule
// of StopRules that is on. Tripping writes the excessive-failure flag
// (tracking/flags.h: the failed runs) on the scheduler branch and sends one
// CRITICAL alert; the environment stays stopped until an admin clears the
// flag.
//
// Failures an admin has answered by clearing a flag are not counted again:
// the breaker remembers the runs every flag it saw named, rebuilt from the
// flag's content after a restart. Thread-safe; owns nothing it is given.
class CircuitBreaker {
 public:
  CircuitBreaker(RepoClient* repo, Alerter* alerts, Clock* clock,
                 absl::Duration scheduling_interval);

  // `env`'s excessive-failure flag is present with this content.
  void Acknowledge(const std::string& env, absl::string_view flag_content);

  struct Trip {
    std::string reason;
    std::vector<std::string> failed_runs;  // run marker file names
  };
  // Whether `env` must stop now under `rules`. A repository that cannot be
  // read trips nothing.
  std::optional<Trip> Check(const std::string& env, const StopRules& rules);

  // Writes the flag and alerts. True when the flag was written (it is to
  // be pushed at once); the alert goes out either way.
  bool Stop(const std::string& env, const Trip& trip);
  // `env` is not stopped: a later trip alerts again.
  void Resolve(const std::string& env);

 private:
  std::optional<Trip> CheckWindow(const std::string& env);
  std::optional<Trip> CheckSincePush(const std::string& env, int threshold);
  bool Acknowledged(const std::string& env, const std::string& run);

  RepoClient* const repo_;
  Alerter* const alerts_;
  Clock* const clock_;
  const absl::Duration scheduling_interval_;

  absl::Mutex mu_;
  // Per environment, the failed runs an excessive-failure flag has named.
  std::map<std::string, std::set<std::string>> acknowledged_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_CIRCUIT_BREAKER_H_
