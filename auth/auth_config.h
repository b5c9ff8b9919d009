#ifndef AUTH_AUTH_CONFIG_H_
#define AUTH_AUTH_CONFIG_H_

// Who may call a service (--auth_config): the OIDC issuer whose tokens are
// accepted and how their groups map to roles, an optional file of static
// tokens, and the certificate identities of the services. One file for
// every service; each reads what it needs.
//
//   oidc:
//     issuer: https://keycloak.example.org/realms/argo
//     audience: transfer-tracker
//     jwks_url: https://keycloak.example.org/realms/argo/protocol/openid-connect/certs
//     groups_claim: groups            # default "groups"
//     group_roles: {tracker-admins: admin, tracker-operators: operator}
//     subject_roles: {"0b7c...": viewer}   # single people, by "sub"
//   token_file: /etc/tracker/auth/tokens.yaml
//   certificates:                     # a client certificate's DNS name or CN
//     - identity: scheduler-service
//       role: scheduler

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "auth/jwt_verifier.h"
#include "auth/principal.h"

namespace tracker::auth {

struct CertificateIdentity {
  std::string identity;  // matched against the SAN DNS names, then the CN
  Role role = Role::kViewer;
  std::string email;  // the commit author's email; "" = <identity>@tracker
};

struct AuthConfig {
  std::optional<OidcOptions> oidc;
  std::map<std::string, Role> group_roles;    // OIDC group -> role
  std::map<std::string, Role> subject_roles;  // OIDC "sub" -> role
  std::string token_file;
  std::vector<CertificateIdentity> certificates;
};

// INVALID_ARGUMENT naming the key for a bad value; NOT_FOUND for a missing
// file. Relative token_file and jwks_file paths are taken from the
// config's directory (a mounted ConfigMap holds them side by side).
absl::StatusOr<AuthConfig> ParseAuthConfig(const std::string& yaml_text,
                                           const std::string& base_dir);
absl::StatusOr<AuthConfig> LoadAuthConfig(const std::string& path);

}  // namespace tracker::auth

#endif  // AUTH_AUTH_CONFIG_H_
