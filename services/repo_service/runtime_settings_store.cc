#include "services/repo_service/runtime_settings_store.h"

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status.h"
#include "services/repo_service/git_util.h"
#include "tracking/layout.h"

namespace tracker::repo {
namespace {

// The stored settings of a snapshot; a file outside the format is the
// admins' to fix on main, never guessed at.
absl::StatusOr<tracking::RuntimeSettings> Parsed(const Snapshot& snap) {
  if (!snap.has_settings) return tracking::RuntimeSettings();
  auto parsed = tracking::ParseRuntimeSettings(snap.settings_text);
  if (!parsed.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat(parsed.status().message(), " (fix the file on main)"));
  }
  return parsed;
}

}  // namespace

absl::StatusOr<SettingsRead> ReadRuntimeSettings(const StoreReader& reader,
                                                 const std::string& branch) {
  TRACKER_ASSIGN_OR_RETURN(auto snap,
                           reader.Read(branch.empty() ? tracking::kMainBranch : branch));
  SettingsRead out;
  out.present = snap->has_settings;
  out.commit = OidHex(snap->commit);
  TRACKER_ASSIGN_OR_RETURN(out.settings, Parsed(*snap));
  return out;
}

absl::StatusOr<SettingChange> SetRuntimeSetting(const StoreReader& reader, StoreWriter& writer,
                                                const WriteOptions& options,
                                                const std::string& environment,
                                                const std::string& key, const std::string& value,
                                                bool dry_run) {
  if (!options.branch.empty() && options.branch != tracking::kMainBranch) {
    return absl::InvalidArgumentError(absl::StrCat(
        "runtime settings live on main (admins' branch), not on ", options.branch.substr(0, 64)));
  }
  // Validated against the tip as it is now; the commit below applies the
  // same change to the tip it writes on.
  TRACKER_ASSIGN_OR_RETURN(SettingsRead now, ReadRuntimeSettings(reader, tracking::kMainBranch));
  SettingChange out;
  TRACKER_ASSIGN_OR_RETURN(out.previous,
                           tracking::SetRuntimeSetting(&now.settings, environment, key, value));
  out.value = tracking::RuntimeSettingText(now.settings, environment, key);
  out.changed = out.previous != out.value;
  if (dry_run || !out.changed) return out;
  const std::string message =
      absl::StrCat("set ", environment, " ", key, " ", out.value, " (was ",
                   out.previous.empty() ? "the config's value" : out.previous, ")");
  TRACKER_ASSIGN_OR_RETURN(
      out.result,
      writer.Commit(options, tracking::kMainBranch, message,
                    [&](const Snapshot& tip, objects::TreeEditor& editor) -> absl::Status {
                      TRACKER_ASSIGN_OR_RETURN(tracking::RuntimeSettings settings, Parsed(tip));
                      TRACKER_ASSIGN_OR_RETURN(out.previous, tracking::SetRuntimeSetting(
                                                                 &settings, environment, key, value));
                      return editor.PutBlob(tracking::kSettingsPath,
                                            tracking::RuntimeSettingsText(settings));
                    }));
  LogInfo("runtime_setting_set")
      .Kv("env", environment)
      .Kv("key", key)
      .Kv("from", out.previous)
      .Kv("to", out.value)
      .Kv("commit", out.result.commit);
  return out;
}

}  // namespace tracker::repo
