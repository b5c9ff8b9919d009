#ifndef AUTH_TOKEN_FILE_H_
#define AUTH_TOKEN_FILE_H_

// Static bearer tokens for small set-ups without an OIDC issuer: a YAML file
// maps the SHA-256 of each token to a name and a role. The file holds only
// hashes, so reading it does not let anyone act as an admin.
//
//   tokens:
//     - sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
//       name: alice
//       email: alice@example.org   # optional
//       role: admin                # viewer | operator | admin

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "auth/identity.h"
#include "auth/watched_file.h"

namespace tracker::auth {

// Thread safety: Find may be called from any number of threads.
class TokenFile {
 public:
  // Reads and checks the file. INVALID_ARGUMENT "<path>:<line>: <what>" for
  // a bad entry (a hash that is not 64 hex digits, an unknown role, a name
  // or a hash given twice, an unknown key); never shows a hash.
  static absl::StatusOr<std::unique_ptr<TokenFile>> Load(std::string path);

  // Who `token` belongs to, or nullopt. Re-reads the file first when it
  // changed (so adding an admin needs no restart); a bad new version is
  // logged and the entries read before are kept.
  std::optional<Identity> Find(absl::string_view token);

 private:
  struct Entry {
    std::array<unsigned char, 32> sha256;
    Identity identity;
  };
  explicit TokenFile(std::string path) : path_(std::move(path)) {}
  // Reads the file if its stamp differs from stamp_.
  absl::Status Reload() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string path_;
  absl::Mutex mu_;
  std::vector<Entry> entries_ ABSL_GUARDED_BY(mu_);
  FileStamp stamp_ ABSL_GUARDED_BY(mu_);
};

// Hex SHA-256 of a token (lower case), as the file stores it: the same as
// `printf %s "$TOKEN" | sha256sum`.
std::string HashToken(absl::string_view token);

}  // namespace tracker::auth

#endif  // AUTH_TOKEN_FILE_H_
