#ifndef AUTH_WATCHED_FILE_H_
#define AUTH_WATCHED_FILE_H_

// A configuration file re-read when it changes, so an admin's edit (or a
// Kubernetes Secret update, which swaps a symlink) takes effect without a
// restart.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace tracker::auth {

// What tells one version of a file from the next: device and inode (a
// replaced file or swapped symlink), size and modification time in
// nanoseconds (an edit in place).
struct FileStamp {
  uint64_t device = 0;
  uint64_t inode = 0;
  int64_t size = -1;
  int64_t mtime_ns = 0;

  bool operator==(const FileStamp& o) const {
    return device == o.device && inode == o.inode && size == o.size && mtime_ns == o.mtime_ns;
  }
  bool operator!=(const FileStamp& o) const { return !(*this == o); }
};

// The stamp of `path` (symlinks followed). NOT_FOUND or INTERNAL naming the
// path.
absl::StatusOr<FileStamp> StatFile(const std::string& path);

// The whole file, at most `max_bytes`; INVALID_ARGUMENT naming the path when
// larger, NOT_FOUND/INTERNAL when it cannot be read.
absl::StatusOr<std::string> ReadSmallFile(const std::string& path, int64_t max_bytes);

}  // namespace tracker::auth

#endif  // AUTH_WATCHED_FILE_H_
