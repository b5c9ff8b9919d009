#ifndef TRACKING_RUN_MARKER_H_
#define TRACKING_RUN_MARKER_H_

// Run markers: an empty file per attempt in the job's folder,
//   run.<epoch_seconds>.<env>.<run_id>              (every real marker since June 2021)
//   run.<epoch_seconds>.<env>.<run_id>.<session_id> (the original's first weeks)
// The newest epoch is the job's current run. Markers are history: the
// scheduler never deletes one, except its own pending marker below once the
// run it stood for is recorded.
//
// A pending marker, run.<epoch>.<env>.pending-<attempt>, is the scheduler's
// record that attempt N of a start is under way (written before the POST to
// WES), so that a crash between the POST and the record neither loses the
// job nor starts it twice.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tracker::tracking {

struct Marker {
  int64_t epoch_seconds = 0;
  std::string environment;
  std::string run_id;
  std::string session_id;  // empty unless the file name carries one

  bool operator==(const Marker& o) const {
    return epoch_seconds == o.epoch_seconds && environment == o.environment &&
           run_id == o.run_id && session_id == o.session_id;
  }
};

// Parses a marker file name; nullopt when it is not one.
std::optional<Marker> ParseMarker(absl::string_view file_name);
// Validates the parts (epoch > 0, ids per ids.h), then builds the file name.
absl::StatusOr<std::string> FormatMarker(const Marker& marker);

// "pending-<attempt>": the run id of a pending marker.
std::string PendingRunId(int attempt);
bool IsPendingRunId(absl::string_view run_id);
// The attempt of a pending run id; 0 when `run_id` is not one.
int PendingAttempt(absl::string_view run_id);
// The whole pending marker's file name for attempt N on `environment`.
absl::StatusOr<std::string> FormatPendingMarker(int64_t epoch_seconds,
                                                absl::string_view environment,
                                                int attempt);

}  // namespace tracker::tracking

#endif  // TRACKING_RUN_MARKER_H_
