#ifndef COMMON_FILE_UTIL_H_
#define COMMON_FILE_UTIL_H_

#include <string>

#include "absl/status/status.h"

namespace tracker {

// Writes `content` to `path` through a temporary file, fsync and rename, so
// a reader (or a restart after a crash) sees the old file or the new one,
// never a part. INTERNAL names the path on failure.
absl::Status WriteFileAtomically(const std::string& path, const std::string& content);

}  // namespace tracker

#endif  // COMMON_FILE_UTIL_H_
