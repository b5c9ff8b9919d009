#ifndef SERVICES_REPO_SERVICE_RUNTIME_SETTINGS_STORE_H_
#define SERVICES_REPO_SERVICE_RUNTIME_SETTINGS_STORE_H_

// The scheduler's runtime settings file, jobs/scheduler-settings.yaml
// (its format: tracking/runtime_settings.h), read from a branch's snapshot
// and changed one key at a time on main.

#include <string>

#include "absl/status/statusor.h"
#include "services/repo_service/reader.h"
#include "services/repo_service/store_types.h"
#include "services/repo_service/writer.h"
#include "tracking/runtime_settings.h"

namespace tracker::repo {

struct SettingsRead {
  bool present = false;
  tracking::RuntimeSettings settings;
  std::string commit;
};

// `branch` "" = main. FAILED_PRECONDITION when the file is outside the
// format (the message names the line: fix it on main).
absl::StatusOr<SettingsRead> ReadRuntimeSettings(const StoreReader& reader,
                                                 const std::string& branch);

struct SettingChange {
  std::string previous;  // "" = it was not set
  std::string value;     // canonical
  bool changed = false;
  WriteResult result;    // empty on a dry run or when unchanged
};

// One key of one environment, on main only (INVALID_ARGUMENT for another
// branch), one commit whose default message names the change. A value
// equal to the stored one writes nothing. INVALID_ARGUMENT for a bad
// environment name, key or value; FAILED_PRECONDITION when the stored file
// is outside the format; ABORTED as every write.
absl::StatusOr<SettingChange> SetRuntimeSetting(const StoreReader& reader, StoreWriter& writer,
                                                const WriteOptions& options,
                                                const std::string& environment,
                                                const std::string& key, const std::string& value,
                                                bool dry_run);

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_RUNTIME_SETTINGS_STORE_H_
