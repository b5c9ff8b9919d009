#ifndef AUTH_AUTHENTICATOR_H_
#define AUTH_AUTHENTICATOR_H_

// Turns a call's credentials into a principal with a role: a bearer token
// (the static token file, then an OIDC JWT) or, without one, the verified
// client certificate of a service.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "auth/auth_config.h"
#include "auth/jwt_verifier.h"
#include "auth/principal.h"
#include "auth/token_file.h"
#include "common/clock.h"
#include "common/http_client.h"

namespace tracker::auth {

class Authenticator {
 public:
  // Loads the token file and the issuer's key set now, so a bad one stops
  // the service at start. `http` fetches a jwks_url (may be null without).
  static absl::StatusOr<std::unique_ptr<Authenticator>> Create(AuthConfig config,
                                                               HttpClient* http, Clock* clock);

  // `bearer`: the token of an "authorization: Bearer" header, "" when none.
  // `certificate_names`: the verified client certificate's DNS names and
  // common name, empty when none was sent. UNAUTHENTICATED when nothing
  // proves who calls, PERMISSION_DENIED when a proven caller has no role.
  // Messages never hold the token.
  absl::StatusOr<Principal> Authenticate(absl::string_view bearer,
                                         const std::vector<std::string>& certificate_names);

 private:
  Authenticator() = default;
  absl::StatusOr<Principal> FromToken(absl::string_view bearer);
  absl::StatusOr<Principal> FromJwt(absl::string_view bearer);

  AuthConfig config_;
  std::unique_ptr<TokenFile> token_file_;
  std::unique_ptr<JwtVerifier> jwt_;
};

}  // namespace tracker::auth

#endif  // AUTH_AUTHENTICATOR_H_
