#ifndef SERVICES_SCHEDULER_RUNTIME_SETTINGS_H_
#define SERVICES_SCHEDULER_RUNTIME_SETTINGS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/config.h"
#include "services/scheduler/notifier.h"
#include "services/scheduler/repo_client.h"
#include "tracking/runtime_settings.h"

namespace tracker::scheduler {

// What an environment runs with: the config's values, overlaid by what
// admins set in jobs/scheduler-settings.yaml on main.
struct EffectiveSettings {
  int max_parallel_runs = 0;
  int excessive_failure_threshold = 0;
  std::string workflow_version;
  bool enabled = true;
  // The keys the file set, "key=value", for GetStatus.
  std::vector<std::string> from_file;
};

// The runtime settings as each cycle reads them (after its fetch and
// merge), so a `jobctl set` is obeyed from the next cycle on and survives
// restarts: the file is in the repository, nothing is kept here but the
// last good read. A file that cannot be read (repo-service down) or is
// outside the format (a hand edit) leaves the last good settings in force
// (the config's after a restart) and is alerted; so is an environment the
// config does not have (a typo would silently do nothing). Thread-safe;
// owns nothing it is given.
class RuntimeSettingsReader {
 public:
  RuntimeSettingsReader(const TrackerConfig* config, RepoClient* repo, Alerter* alerts);

  // Reads the file; answers a note when it could not be used ("" when all
  // went well).
  std::string Refresh() ABSL_LOCKS_EXCLUDED(mu_);
  // For a configured environment.
  EffectiveSettings For(const std::string& env) const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const TrackerConfig* const config_;
  RepoClient* const repo_;
  Alerter* const alerts_;
  mutable absl::Mutex mu_;
  tracking::RuntimeSettings settings_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_RUNTIME_SETTINGS_H_
