#include "services/repo_service/credentials.h"

#include <fstream>
#include <iterator>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/repo_service/known_hosts.h"
#include "services/repo_service/store_options.h"

namespace tracker::repo {

int CredentialCallback(git_credential** out, const char* /*url*/,
                       const char* username_from_url, unsigned int allowed_types,
                       void* payload) {
  auto* p = static_cast<CredentialPayload*>(payload);
  if (p == nullptr || ++p->attempts > 3) return GIT_EAUTH;
  const StoreOptions& o = *p->options;
  if ((allowed_types & GIT_CREDENTIAL_SSH_KEY) && !o.ssh_private_key_path.empty()) {
    const char* user = username_from_url != nullptr ? username_from_url : "git";
    return git_credential_ssh_key_new(
        out, user, o.ssh_public_key_path.empty() ? nullptr : o.ssh_public_key_path.c_str(),
        o.ssh_private_key_path.c_str(), nullptr);
  }
  if ((allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && !o.https_token.empty()) {
    return git_credential_userpass_plaintext_new(out, o.https_username.c_str(),
                                                 o.https_token.c_str());
  }
  return GIT_PASSTHROUGH;
}

namespace {

// The port of an ssh remote: ssh://[user@]host:port/path, else 22 (also
// for the scp-like user@host:path form).
int SshPort(const std::string& url) {
  if (url.rfind("ssh://", 0) != 0) return 22;
  std::string rest = url.substr(6);
  rest = rest.substr(0, rest.find('/'));
  rest = rest.substr(rest.find('@') == std::string::npos ? 0 : rest.find('@') + 1);
  size_t colon = rest.rfind(':');
  int port = 22;
  if (colon != std::string::npos && !absl::SimpleAtoi(rest.substr(colon + 1), &port)) port = 22;
  return port;
}

}  // namespace

int CertificateCheckCallback(git_cert* cert, int valid, const char* host, void* payload) {
  auto* p = static_cast<CredentialPayload*>(payload);
  if (cert == nullptr || cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2) {
    (void)valid;
    return GIT_PASSTHROUGH;  // TLS: libgit2's (OpenSSL's) verification decides
  }
  if (p == nullptr || p->options->ssh_known_hosts_path.empty()) return GIT_PASSTHROUGH;
  const auto* key = reinterpret_cast<const git_cert_hostkey*>(cert);
  if ((key->type & GIT_CERT_SSH_RAW) == 0 || key->hostkey == nullptr) {
    git_error_set_str(GIT_ERROR_SSH, "the ssh server's raw host key is not available to check");
    return GIT_ECERTIFICATE;
  }
  // Read at every connection (a small file, once per fetch or push): a
  // rotated Secret is honoured without a restart.
  std::ifstream in(p->options->ssh_known_hosts_path);
  if (!in) {
    git_error_set_str(GIT_ERROR_SSH, absl::StrCat("cannot read known_hosts file ",
                                                  p->options->ssh_known_hosts_path).c_str());
    return GIT_ECERTIFICATE;
  }
  std::string known((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  absl::Status ok = CheckKnownHost(
      known, host == nullptr ? "" : host, SshPort(p->options->remote_url),
      absl::Base64Escape(absl::string_view(reinterpret_cast<const char*>(key->hostkey), key->hostkey_len)));
  if (!ok.ok()) {
    git_error_set_str(GIT_ERROR_SSH, std::string(ok.message()).c_str());
    return GIT_ECERTIFICATE;
  }
  return 0;
}

}  // namespace tracker::repo
