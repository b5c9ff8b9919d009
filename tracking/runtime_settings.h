#ifndef TRACKING_RUNTIME_SETTINGS_H_
#define TRACKING_RUNTIME_SETTINGS_H_

// The scheduler's runtime settings, kept in the tracking repository on
// `main` as one small YAML file, `jobs/scheduler-settings.yaml`: the real
// history changed max_parallel_runs (23 times), the failure threshold (2),
// the workflow version (3) and turned environments on and off (6) by
// editing the config file in the repository. The file holds only what
// admins changed; the config file gives every other value.
//
//   # Runtime settings of the scheduler: jobctl set ENV KEY VALUE.
//   rdpc_prod:
//     max_parallel_runs: 20
//   rdpc_qa:
//     enabled: false
//     workflow_version: azure-transfer-wf.v0.12.1
//
// The format is this subset of YAML, so that a hand edit is read the same by
// every YAML reader: `#` comments and blank lines; an environment name
// (tracking/ids.h) followed by `:` at the start of a line; under it,
// indented, `key: value` lines with a known key and a valid value (a value
// may be quoted with ' or "). Anything else is refused with its line
// number. The file is written back in one canonical form (environments and
// keys sorted), so a change is a one-line diff.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tracker::tracking {

// Its name under jobs/ and its path.
inline constexpr char kSettingsFile[] = "scheduler-settings.yaml";
inline constexpr char kSettingsPath[] = "jobs/scheduler-settings.yaml";

// The keys, each with its rule:
//   max_parallel_runs            integer 0..10000
//   excessive_failure_threshold  integer 0..1000000 (0: the rule is off)
//   workflow_version             1-128 of [A-Za-z0-9._+/-] (a git revision)
//   enabled                      true | false (false: the environment's
//                                cycle does not run, as when the original's
//                                config had it commented out)
inline constexpr char kMaxParallelRunsKey[] = "max_parallel_runs";
inline constexpr char kExcessiveFailureThresholdKey[] = "excessive_failure_threshold";
inline constexpr char kWorkflowVersionKey[] = "workflow_version";
inline constexpr char kEnabledKey[] = "enabled";
const std::vector<std::string>& RuntimeSettingKeys();

// One environment's settings; unset = the config's value.
struct EnvironmentSettings {
  std::optional<int> max_parallel_runs;
  std::optional<int> excessive_failure_threshold;
  std::optional<std::string> workflow_version;
  std::optional<bool> enabled;
  bool operator==(const EnvironmentSettings& o) const;
};

// By environment name, sorted.
using RuntimeSettings = std::map<std::string, EnvironmentSettings>;

// INVALID_ARGUMENT naming the key and what it takes for an unknown key or a
// bad value; answers the value in its canonical text ("07" -> "7",
// "False" -> "false").
absl::StatusOr<std::string> CanonicalSettingValue(absl::string_view key, absl::string_view value);

// Sets `key` of `environment` (validated), answering the previous value's
// text ("" when unset). INVALID_ARGUMENT for a bad environment name, key or
// value; nothing changes then.
absl::StatusOr<std::string> SetRuntimeSetting(RuntimeSettings* settings,
                                              absl::string_view environment,
                                              absl::string_view key, absl::string_view value);

// The value's text of `key` for `environment`, "" when unset.
std::string RuntimeSettingText(const RuntimeSettings& settings, absl::string_view environment,
                               absl::string_view key);

// INVALID_ARGUMENT "jobs/scheduler-settings.yaml line N: ..." for text
// outside the format.
absl::StatusOr<RuntimeSettings> ParseRuntimeSettings(absl::string_view text);

// The canonical text (a header comment, environments and keys sorted).
std::string RuntimeSettingsText(const RuntimeSettings& settings);

}  // namespace tracker::tracking

#endif  // TRACKING_RUNTIME_SETTINGS_H_
