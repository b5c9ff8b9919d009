#include "auth/authenticator.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/url.h"

namespace tracker::auth {
namespace {

// A JWT is three base64url parts; anything else is not offered to the
// issuer's verifier (whose message would then mislead).
bool LooksLikeJwt(absl::string_view token) {
  int dots = 0;
  for (char c : token) dots += c == '.';
  return dots == 2;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Authenticator>> Authenticator::Create(AuthConfig config,
                                                                     HttpClient* http,
                                                                     Clock* clock) {
  std::unique_ptr<Authenticator> out(new Authenticator());
  if (!config.token_file.empty()) {
    auto tokens = TokenFile::Load(config.token_file);
    if (!tokens.ok()) return tokens.status();
    out->token_file_ = *std::move(tokens);
  }
  if (config.oidc) {
    auto jwt = JwtVerifier::Create(*config.oidc, http, clock);
    if (!jwt.ok()) return jwt.status();
    out->jwt_ = *std::move(jwt);
  }
  out->config_ = std::move(config);
  return out;
}

absl::StatusOr<Principal> Authenticator::Authenticate(
    absl::string_view bearer, const std::vector<std::string>& certificate_names) {
  if (!bearer.empty()) return FromToken(bearer);
  if (certificate_names.empty()) {
    return absl::UnauthenticatedError(
        "no credentials: present a client certificate or a bearer token");
  }
  // SAN DNS names first (as a server's name is checked), then the CN.
  for (const std::string& name : certificate_names) {
    for (const CertificateIdentity& known : config_.certificates) {
      if (known.identity != name) continue;
      Principal p;
      p.name = known.identity;
      p.email = known.email.empty() ? absl::StrCat(known.identity, "@tracker") : known.email;
      p.role = known.role;
      p.method = "certificate";
      return p;
    }
  }
  return absl::UnauthenticatedError(absl::StrCat(
      "the client certificate (", absl::StrJoin(certificate_names, ", "),
      ") is not one this service knows"));
}

absl::StatusOr<Principal> Authenticator::FromToken(absl::string_view bearer) {
  if (token_file_ != nullptr) {
    if (std::optional<Identity> entry = token_file_->Find(bearer)) {
      std::optional<Role> role = ParseRole(entry->role);
      if (!role || *role == Role::kScheduler) {
        return absl::PermissionDeniedError(absl::StrCat(entry->name, " has no role here"));
      }
      Principal p;
      p.name = entry->name;
      p.email = entry->email;
      p.role = *role;
      p.method = "token-file";
      return p;
    }
  }
  if (jwt_ != nullptr && LooksLikeJwt(bearer)) return FromJwt(bearer);
  return absl::UnauthenticatedError("the bearer token is not valid here");
}

absl::StatusOr<Principal> Authenticator::FromJwt(absl::string_view bearer) {
  absl::StatusOr<Identity> identity = jwt_->Verify(bearer);
  if (!identity.ok()) return identity.status();
  // The highest role any of the caller's names gives.
  std::optional<Role> role;
  auto consider = [&](Role r) {
    if (!role || static_cast<int>(r) > static_cast<int>(*role)) role = r;
  };
  if (auto it = config_.subject_roles.find(identity->subject); it != config_.subject_roles.end()) {
    consider(it->second);
  }
  for (const std::string& group : identity->groups) {
    if (auto it = config_.group_roles.find(group); it != config_.group_roles.end()) {
      consider(it->second);
    }
  }
  const std::string who = identity->name.empty() ? identity->subject : identity->name;
  if (!role) {
    return absl::PermissionDeniedError(
        absl::StrCat(who, " is authenticated but in no group with a role here"));
  }
  Principal p;
  p.name = who;
  p.email = identity->email.empty()
                ? absl::StrCat(identity->subject, "@", UrlHost(config_.oidc->issuer))
                : identity->email;
  p.role = *role;
  p.method = "oidc";
  return p;
}

}  // namespace tracker::auth
