#include "services/repo_service/objects/ref_update.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/file_util.h"
#include "common/status.h"
#include "services/repo_service/git_util.h"

namespace tracker::repo::objects {
namespace {

namespace fs = std::filesystem;

// `<ref>.lock`, held from creation until renamed over the ref or removed.
class RefLock {
 public:
  explicit RefLock(std::string ref_path)
      : ref_path_(std::move(ref_path)), lock_path_(ref_path_ + ".lock") {}
  ~RefLock() {
    if (fd_ >= 0) ::close(fd_);
    if (held_) ::unlink(lock_path_.c_str());
  }

  absl::Status Acquire() {
    fd_ = ::open(lock_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ < 0 && errno == ENOENT) {
      // A fresh clone keeps its refs in packed-refs only: no refs/heads yet.
      std::error_code ec;
      fs::create_directories(fs::path(ref_path_).parent_path(), ec);
      fd_ = ::open(lock_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    }
    if (fd_ < 0 && errno == EEXIST) {
      return absl::UnavailableError(absl::StrCat(
          lock_path_, " exists: another process is updating the ref; nothing was written"));
    }
    if (fd_ < 0) return ErrnoError("create", lock_path_);
    held_ = true;
    return absl::OkStatus();
  }

  absl::Status Write(const std::string& content) {
    if (::write(fd_, content.data(), content.size()) != static_cast<ssize_t>(content.size())) {
      return ErrnoError("write", lock_path_);
    }
    int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? absl::OkStatus() : ErrnoError("close", lock_path_);
  }

  absl::Status Commit() {
    if (::rename(lock_path_.c_str(), ref_path_.c_str()) != 0) return ErrnoError("rename", lock_path_);
    held_ = false;
    return absl::OkStatus();
  }

 private:
  std::string ref_path_;
  std::string lock_path_;
  int fd_ = -1;
  bool held_ = false;
};

}  // namespace

absl::StatusOr<bool> WritesReflog(git_repository* repo) {
  git_config* raw = nullptr;
  GIT_RETURN_IF_ERROR(git_repository_config_snapshot(&raw, repo), "read config");
  ConfigPtr config(raw);
  const char* value = nullptr;
  if (git_config_get_string(&value, config.get(), "core.logAllRefUpdates") != 0) {
    git_error_clear();
    return git_repository_is_bare(repo) == 0;
  }
  if (absl::EqualsIgnoreCase(value, "always")) return true;
  int enabled = 0;
  if (git_config_parse_bool(&enabled, value) != 0) {
    git_error_clear();
    return absl::FailedPreconditionError(
        absl::StrCat("core.logAllRefUpdates has the value '", value, "', not a boolean"));
  }
  return enabled != 0;
}

absl::Status UpdateBranchRef(git_repository* repo, const std::string& ref_name,
                             const git_oid& expected, const git_oid& next,
                             const std::string& reflog_message, bool write_reflog,
                             DeferredObjectSync& objects,
                             const std::function<void()>& meanwhile) {
  const auto moved = [&] {
    return absl::AbortedError(absl::StrCat("branch ", absl::StripPrefix(ref_name, "refs/heads/"),
                                           " moved while this write was prepared; nothing was "
                                           "written, read again and retry"));
  };
  if (write_reflog) {
    TRACKER_RETURN_IF_ERROR(objects.Flush(meanwhile));
    git_reference* raw = nullptr;
    int rc = git_reference_create_matching(&raw, repo, ref_name.c_str(), &next, 1, &expected,
                                           reflog_message.c_str());
    ReferencePtr ref(raw);
    if (rc == GIT_EMODIFIED) {
      git_error_clear();
      return moved();
    }
    GIT_RETURN_IF_ERROR(rc, absl::StrCat("update ", ref_name));
    return absl::OkStatus();
  }

  const std::string ref_path = absl::StrCat(git_repository_path(repo), ref_name);
  RefLock lock(ref_path);
  TRACKER_RETURN_IF_ERROR(lock.Acquire());
  // Read under the lock: no other writer can move the ref until we let go.
  git_oid current;
  GIT_RETURN_IF_ERROR(git_reference_name_to_id(&current, repo, ref_name.c_str()),
                      absl::StrCat("resolve ", ref_name));
  if (git_oid_cmp(&current, &expected) != 0) return moved();
  TRACKER_RETURN_IF_ERROR(lock.Write(absl::StrCat(OidHex(next), "\n")));
  TRACKER_RETURN_IF_ERROR(objects.Flush(meanwhile));
  TRACKER_RETURN_IF_ERROR(lock.Commit());
  if (!objects.durable()) return absl::OkStatus();
  return SyncDirectory(fs::path(ref_path).parent_path().string());
}

}  // namespace tracker::repo::objects
