#include "services/scheduler/runtime_settings.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"

namespace tracker::scheduler {

RuntimeSettingsReader::RuntimeSettingsReader(const TrackerConfig* config, RepoClient* repo,
                                             Alerter* alerts)
    : config_(config), repo_(repo), alerts_(alerts) {}

std::string RuntimeSettingsReader::Refresh() {
  auto read = repo_->GetRuntimeSettings();
  if (!read.ok()) {
    std::string note = absl::StrCat("runtime settings not read (", read.status().message(),
                                    "); the last ones read stay in force");
    alerts_->Alert(AlertLevel::kWarning, "runtime_settings", note);
    return note;
  }
  alerts_->Resolve("runtime_settings");
  // repo-service answers canonical values of known keys; applying them
  // again is the format's own check.
  tracking::RuntimeSettings next;
  std::vector<std::string> unknown;
  for (const auto& s : read->settings()) {
    if (config_->compute_environments.count(s.environment()) == 0) {
      unknown.push_back(s.environment());
      continue;
    }
    auto applied = tracking::SetRuntimeSetting(&next, s.environment(), s.key(), s.value());
    if (!applied.ok()) LogWarning("runtime_setting_ignored").Kv("why", applied.status().message());
  }
  {
    absl::MutexLock lock(&mu_);
    settings_ = std::move(next);
  }
  if (unknown.empty()) {
    alerts_->Resolve("runtime_settings_unknown_env");
    return "";
  }
  std::string note = absl::StrCat(tracking::kSettingsPath, " names environments the config does not have: ",
                                  absl::StrJoin(unknown, ", "), " (ignored)");
  alerts_->Alert(AlertLevel::kWarning, "runtime_settings_unknown_env", note);
  return note;
}

EffectiveSettings RuntimeSettingsReader::For(const std::string& env) const {
  EffectiveSettings out;
  const ComputeEnvironment& config = config_->compute_environments.at(env);
  out.max_parallel_runs = config.max_parallel_runs;
  out.excessive_failure_threshold = config.excessive_failure_threshold;
  out.workflow_version = config_->workflow.version;
  absl::MutexLock lock(&mu_);
  auto it = settings_.find(env);
  if (it == settings_.end()) return out;
  const tracking::EnvironmentSettings& s = it->second;
  if (s.max_parallel_runs) out.max_parallel_runs = *s.max_parallel_runs;
  if (s.excessive_failure_threshold) out.excessive_failure_threshold = *s.excessive_failure_threshold;
  if (s.workflow_version) out.workflow_version = *s.workflow_version;
  if (s.enabled) out.enabled = *s.enabled;
  for (const std::string& key : tracking::RuntimeSettingKeys()) {
    std::string value = tracking::RuntimeSettingText(settings_, env, key);
    if (!value.empty()) out.from_file.push_back(absl::StrCat(key, "=", value));
  }
  return out;
}

}  // namespace tracker::scheduler
