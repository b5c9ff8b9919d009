#ifndef SERVICES_REPO_SERVICE_REMOTE_H_
#define SERVICES_REPO_SERVICE_REMOTE_H_

#include <git2.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tracker::repo {

struct StoreOptions;  // store_options.h

// What one push attempt did.
struct PushAttempt {
  // The remote refused the update (someone else pushed first, or a hook
  // declined it); `reason` says what it answered.
  bool rejected = false;
  std::string reason;
  // When not rejected: the commit the remote's branch now points at.
  git_oid pushed{};
};

// The exchange with the tracking repository's remote "origin": one call, no
// retry policy (StoreSync has that). Calls may take seconds; they run with no
// store lock but the sync lock held. `repo` is a handle the caller uses for
// nothing else meanwhile. Implementations are thread-compatible.
class Remote {
 public:
  virtual ~Remote() = default;
  // Brings refs/remotes/origin/* of `repo` to the remote's branches.
  // UNAVAILABLE when the remote cannot be reached; FAILED_PRECONDITION when
  // the clone has no remote "origin".
  virtual absl::Status Fetch(git_repository* repo) = 0;
  // Pushes refs/heads/<branch> to the remote's <branch>, never forced. A
  // refusal is a PushAttempt, not an error; UNAVAILABLE when the remote
  // cannot be reached.
  virtual absl::StatusOr<PushAttempt> Push(git_repository* repo, const std::string& branch) = 0;
};

// The remote "origin" of the clone over libgit2, with the credentials and
// known_hosts of `options` (which must outlive it).
std::unique_ptr<Remote> NewLibgit2Remote(const StoreOptions& options);

// The URL of the clone's remote "origin" without credentials; "" when there
// is none.
std::string OriginUrlForDisplay(git_repository* repo);

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_REMOTE_H_
