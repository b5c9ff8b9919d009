#ifndef AUTH_JWKS_H_
#define AUTH_JWKS_H_

// An issuer's published key set (RFC 7517 JWK Set), reduced to the keys that
// can verify the algorithms we accept: RSA keys for RS256 and P-256 EC keys
// for ES256. Symmetric ("oct") keys, encryption keys ("use": "enc") and keys
// restricted to another "alg" are left out, so no token can make us use them.

#include <cjose/jwk.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tracker::auth {

// The signature algorithms accepted; everything else is refused before a key
// is looked at.
enum class JwsAlgorithm { kRs256, kEs256 };

class JwkSet {
 public:
  // Parses a JWKS document ({"keys": [...]}). `source` (a path or a
  // redacted URL) names it in errors. INVALID_ARGUMENT when the text is not
  // a key set or holds no usable key; a single key that cannot be read is
  // skipped with a warning, as issuers publish keys of kinds we do not use.
  static absl::StatusOr<std::shared_ptr<const JwkSet>> Parse(absl::string_view json,
                                                             absl::string_view source);

  // The key for a token signed with `alg` whose header names `kid` (empty
  // when it names none: then the one key of the right type, if there is
  // exactly one). Null when there is none; `*reason` then says why without
  // repeating the kid, which comes from the token.
  const cjose_jwk_t* Find(JwsAlgorithm alg, absl::string_view kid, std::string* reason) const;

  size_t size() const { return keys_.size(); }

 private:
  struct Key {
    std::string kid;
    JwsAlgorithm alg;
    std::shared_ptr<cjose_jwk_t> jwk;
  };
  std::vector<Key> keys_;
};

}  // namespace tracker::auth

#endif  // AUTH_JWKS_H_
