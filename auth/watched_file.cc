#include "auth/watched_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/file_util.h"

namespace tracker::auth {

absl::StatusOr<FileStamp> StatFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::NotFoundError(absl::StrCat("no file ", path));  // ENOENT
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
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoError("open", path);
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return ErrnoError("read", path);
  return out.str();
}

}  // namespace tracker::auth
