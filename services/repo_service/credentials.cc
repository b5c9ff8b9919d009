#include "services/repo_service/credentials.h"

#include "services/repo_service/repo_store.h"

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

std::string RedactUrl(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t at = url.find('@', scheme + 3);
  size_t slash = url.find('/', scheme + 3);
  if (at == std::string::npos || (slash != std::string::npos && at > slash)) return url;
  return url.substr(0, scheme + 3) + "***@" + url.substr(at + 1);
}

}  // namespace tracker::repo
