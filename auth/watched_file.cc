#include "auth/watched_file.h"

#include <sys/stat.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "common/file_util.h"

namespace tracker::auth {

absl::StatusOr<FileStamp> StatFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::NotFoundError(absl::StrCat(path, ": no such file"));
    return ErrnoError("stat", path);
  }
  FileStamp stamp;
  stamp.device = st.st_dev;
  stamp.inode = st.st_ino;
  stamp.size = st.st_size;
  stamp.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return stamp;
}

absl::StatusOr<std::string> ReadSmallFile(const std::string& path, int64_t max_bytes) {
  absl::StatusOr<FileStamp> stamp = StatFile(path);
  if (!stamp.ok()) return stamp.status();
  if (stamp->size > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is ", stamp->size, " bytes, more than the ", max_bytes, " allowed"));
  }
  return ReadFile(path);
}

}  // namespace tracker::auth
