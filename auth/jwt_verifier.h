#ifndef AUTH_JWT_VERIFIER_H_
#define AUTH_JWT_VERIFIER_H_

// Verification of OIDC bearer tokens (signed JWTs, RFC 7519) against the
// issuer's published key set.

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "auth/identity.h"
#include "auth/watched_file.h"
#include "common/clock.h"
#include "common/http_client.h"

namespace tracker::auth {

class JwkSet;  // auth/jwks.h

struct OidcOptions {
  std::string issuer;     // exact match of "iss"
  std::string audience;   // must be "aud" (string) or one element of it (array)
  std::string jwks_file;  // one of jwks_file / jwks_url
  std::string jwks_url;   // fetched with the HttpClient given to Create
  std::string groups_claim = "groups";
  absl::Duration leeway = absl::Seconds(60);  // for exp / nbf / iat
  // URL re-fetch period; a file is re-read when its mtime/size changes.
  absl::Duration jwks_refresh = absl::Minutes(10);
};

// Checks a token's signature (RS256 or ES256 only, the key chosen by the
// header's kid), issuer, audience and validity period, and returns who it
// names.
//
// Keys: a file is re-read when it changes; a URL is fetched again every
// `jwks_refresh`, and at once (at most every 30 s) when a token names a key
// id the set does not hold, which is how issuers rotate keys. A failed
// reload keeps the keys held so far. While one thread fetches, the others
// go on with the keys held (no caller waits on a slow issuer but the one
// that fetches).
//
// Errors name the key source but never the token or any part of it.
//
// Thread safety: Verify may be called from any number of threads. `http`
// and `clock` must outlive the verifier.
class JwtVerifier {
 public:
  // Loads the key set now. INVALID_ARGUMENT for bad options; a missing or
  // bad key set is an error naming the file or the URL (without its query
  // or credentials).
  static absl::StatusOr<std::unique_ptr<JwtVerifier>> Create(OidcOptions options, HttpClient* http,
                                                             Clock* clock);

  // The caller the token names, or UNAUTHENTICATED with a short reason
  // ("token expired", "wrong audience", "signature does not verify",
  // "algorithm none is not accepted", "unknown key id", ...).
  absl::StatusOr<Identity> Verify(absl::string_view token);

 private:
  JwtVerifier(OidcOptions options, HttpClient* http, Clock* clock);

  // The key set to use, reloaded first when the file changed or the URL is
  // due; `unknown_kid` asks for an early (rate-limited) URL fetch.
  std::shared_ptr<const JwkSet> Keys(bool unknown_kid) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status LoadFile() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // One GET of the URL; touches no member that changes.
  absl::StatusOr<std::shared_ptr<const JwkSet>> FetchUrl() const;
  absl::StatusOr<Identity> CheckClaims(absl::string_view payload);

  const OidcOptions options_;
  HttpClient* const http_;
  Clock* const clock_;
  const std::string source_;  // the file, or the redacted URL, for messages

  absl::Mutex mu_;
  std::shared_ptr<const JwkSet> keys_ ABSL_GUARDED_BY(mu_);
  FileStamp stamp_ ABSL_GUARDED_BY(mu_);                                 // of the file last read
  absl::Time fetched_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();    // last good URL fetch
  absl::Time attempted_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();  // any URL fetch
  bool fetching_ ABSL_GUARDED_BY(mu_) = false;  // a thread is fetching the URL
};

}  // namespace tracker::auth

#endif  // AUTH_JWT_VERIFIER_H_
