#ifndef SERVICES_REPO_SERVICE_CREDENTIALS_H_
#define SERVICES_REPO_SERVICE_CREDENTIALS_H_

#include <git2.h>

#include <string>

namespace tracker::repo {

struct StoreOptions;

// What libgit2 hands back to CredentialCallback. `attempts` stops libgit2
// from asking forever when the server keeps refusing the same credential.
struct CredentialPayload {
  const StoreOptions* options;
  int attempts = 0;
};

// git_credential_acquire_cb: an SSH key for ssh:// remotes, a token for
// https:// remotes, nothing otherwise (local paths and file:// need none).
int CredentialCallback(git_credential** out, const char* url,
                       const char* username_from_url, unsigned int allowed_types,
                       void* payload);

// git_transport_certificate_check_cb: the SSH host key must be in the
// known_hosts file of the options (`payload` is a CredentialPayload); TLS
// certificates keep libgit2's own verdict. Install it only when
// ssh_known_hosts_path is set.
int CertificateCheckCallback(git_cert* cert, int valid, const char* host, void* payload);

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_CREDENTIALS_H_
