#ifndef COMMON_FILE_UTIL_H_
#define COMMON_FILE_UTIL_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tracker {

// Writes `content` to `path` through a temporary file, fsync and rename, so
// a reader (or a restart after a crash) sees the old file or the new one,
// never a part. INTERNAL names the path on failure.
absl::Status WriteFileAtomically(const std::string& path, const std::string& content);

// The whole file. NOT_FOUND when it does not exist, INTERNAL "<path>:
// <strerror>" when it cannot be read.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// INTERNAL "<what> <path>: <strerror(errno)>", for a system call that just
// failed on `path`.
absl::Status ErrnoError(const std::string& what, const std::string& path);

// fsync() of a directory: makes the names created, renamed or removed in it
// durable.
absl::Status SyncDirectory(const std::string& dir);

// syncfs() of the file system holding `path`: everything written to it so far
// is durable after one disk flush, where an fsync of each file would flush
// once per file.
absl::Status SyncFileSystemOf(const std::string& path);

}  // namespace tracker

#endif  // COMMON_FILE_UTIL_H_
