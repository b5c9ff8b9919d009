#ifndef SERVICES_REPO_SERVICE_STORE_OPTIONS_H_
#define SERVICES_REPO_SERVICE_STORE_OPTIONS_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "common/clock.h"

namespace tracker::repo {

class Remote;  // remote.h

struct StoreOptions {
  std::string path;        // the service's own clone; bare is fine
  std::string remote_url;  // cloned from when `path` does not exist yet
  // Credentials for ssh:// and https:// remotes. Values, already read from
  // files or the environment by main(); never logged.
  std::string ssh_private_key_path;
  std::string ssh_public_key_path;
  // OpenSSH known_hosts; when set, an ssh remote whose host key is not in it
  // is refused (libgit2 1.5 checks none by itself).
  std::string ssh_known_hosts_path;
  std::string https_username = "git";
  std::string https_token;
  std::string author_name = "Transfer Job Tracker";
  std::string author_email = "tracker@localhost";
  int push_max_attempts = 5;
  // First cap of the push's backoff (full jitter, doubling per attempt, at
  // most push_max_backoff); the whole push gives up after push_deadline.
  int push_backoff_ms = 200;
  absl::Duration push_max_backoff = absl::Seconds(30);
  absl::Duration push_deadline = absl::Minutes(10);
  // false: no fsync at all, as git's defaults. Only for benchmarks that
  // compare against git; a crash may then lose acknowledged writes.
  bool durable_writes = true;

  // For tests. What push backoff sleeps on (null: real time), and the
  // exchange with the remote (null: libgit2 with the credentials above).
  Clock* clock = nullptr;
  std::shared_ptr<Remote> remote;
};

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_STORE_OPTIONS_H_
