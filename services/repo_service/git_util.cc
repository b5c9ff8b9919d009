#include "services/repo_service/git_util.h"

#include <mutex>

#include "absl/strings/str_cat.h"

namespace tracker::repo {

void InitLibgit2() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    // A crash right after a ref update must not leave a ref that points at
    // objects still in the page cache.
    git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
    // Objects we need stay parsed in our own snapshot; libgit2's cache only
    // has to cover one operation. Its default (256 MiB) would dominate RSS;
    // 8 MiB measured 138 MB resident at 100,000 jobs against 160 MB at 32.
    git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, static_cast<ssize_t>(8) << 20);
  });
}

absl::Status GitStatus(int error, absl::string_view context) {
  const git_error* last = git_error_last();
  std::string message = absl::StrCat(context, ": ",
                                     last != nullptr && last->message != nullptr
                                         ? last->message
                                         : "libgit2 error");
  git_error_clear();
  switch (error) {
    case GIT_ELOCKED:
      return absl::UnavailableError(message);
    case GIT_EMODIFIED:
    case GIT_ENONFASTFORWARD:
      return absl::AbortedError(message);
    case GIT_EMERGECONFLICT:
    case GIT_ECONFLICT:
      return absl::FailedPreconditionError(message);
    case GIT_ENOTFOUND:
      return absl::NotFoundError(message);
    case GIT_EAUTH:
    case GIT_ECERTIFICATE:
      return absl::PermissionDeniedError(message);
    default:
      return absl::InternalError(message);
  }
}

std::string OidHex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof(buf), &oid);
  return std::string(buf);
}

absl::Status ParseOid(absl::string_view hex, git_oid* out) {
  if (hex.size() != GIT_OID_HEXSZ ||
      git_oid_fromstrn(out, hex.data(), hex.size()) != 0) {
    git_error_clear();
    return absl::InvalidArgumentError(
        absl::StrCat("'", hex.substr(0, 64), "' is not a full 40-hex commit id"));
  }
  return absl::OkStatus();
}

}  // namespace tracker::repo
