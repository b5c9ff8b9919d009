#ifndef SERVICES_REPO_SERVICE_KNOWN_HOSTS_H_
#define SERVICES_REPO_SERVICE_KNOWN_HOSTS_H_

// SSH host key verification against an OpenSSH known_hosts file. Debian's
// libgit2 1.5 does not read known_hosts itself and accepts any host key
// unless a certificate callback says otherwise; a tracking repository
// pushed to over ssh must not be open to a man in the middle.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace tracker::repo {

// OK when `known_hosts` (the file's text) has a line for `host` (on `port`;
// 22 is written as the plain name, others as `[host]:port`) whose key, in
// the file's base64, is `key_base64`. Lines may list several hosts
// separated by commas; `#` comments, blank lines and `@revoked`/
// `@cert-authority` markers are honoured (a revoked key is refused).
// Hashed host names (`|1|...`) are not supported: write plain names
// (`ssh-keyscan host`, not `-H`).
// UNAVAILABLE naming the host and the key type when the key is not known:
// the push or fetch fails and nothing is sent.
absl::Status CheckKnownHost(absl::string_view known_hosts, absl::string_view host, int port,
                            absl::string_view key_base64);

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_KNOWN_HOSTS_H_
