#include "auth/jwks.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/json.h"
#include "common/log.h"

namespace tracker::auth {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

// NIST SP 800-131A: RSA keys under 2048 bits are not for signatures.
constexpr size_t kMinRsaBits = 2048;

// Only the public members a key needs: a JWKS that also carries private
// material ("d", ...) or unusual members must not change what cjose builds.
std::string PublicJwkJson(const Struct& key, bool rsa) {
  Struct out;
  auto& fields = *out.mutable_fields();
  const std::vector<std::string> names = rsa ? std::vector<std::string>{"kty", "n", "e"}
                                             : std::vector<std::string>{"kty", "crv", "x", "y"};
  for (const std::string& name : names) {
    auto it = key.fields().find(name);
    if (it != key.fields().end()) fields[name] = it->second;
  }
  return ToJson(out);
}

void Skip(absl::string_view source, int index, const std::string& kid, absl::string_view why) {
  LogWarning("jwks_key_skipped")
      .Kv("source", source)
      .Kv("index", index)
      .Kv("kid", kid)
      .Kv("reason", why);
}

}  // namespace

absl::StatusOr<std::shared_ptr<const JwkSet>> JwkSet::Parse(absl::string_view json,
                                                            absl::string_view source) {
  absl::StatusOr<Struct> doc = ParseJsonObject(json, absl::StrCat("JWKS ", source));
  if (!doc.ok()) return doc.status();
  auto keys_it = doc->fields().find("keys");
  if (keys_it == doc->fields().end() || !keys_it->second.has_list_value()) {
    return absl::InvalidArgumentError(absl::StrCat("JWKS ", source, " has no \"keys\" array"));
  }
  auto set = std::make_shared<JwkSet>();
  int index = -1;
  for (const Value& value : keys_it->second.list_value().values()) {
    ++index;
    if (!value.has_struct_value()) {
      Skip(source, index, "", "not an object");
      continue;
    }
    const Struct& key = value.struct_value();
    const std::string kid = StringField(key, "kid");
    const std::string kty = StringField(key, "kty");
    const std::string use = StringField(key, "use");
    const std::string alg = StringField(key, "alg");
    if (!use.empty() && use != "sig") continue;  // an encryption key: not for us
    JwsAlgorithm key_alg;
    if (kty == "RSA") {
      key_alg = JwsAlgorithm::kRs256;
      if (!alg.empty() && alg != "RS256") continue;  // e.g. PS256 or RSA-OAEP only
    } else if (kty == "EC") {
      key_alg = JwsAlgorithm::kEs256;
      if (StringField(key, "crv") != "P-256") continue;  // ES384/ES512 curves
      if (!alg.empty() && alg != "ES256") continue;
    } else {
      continue;  // "oct" (a shared secret has no place in a public set), OKP, ...
    }
    const std::string jwk_json = PublicJwkJson(key, key_alg == JwsAlgorithm::kRs256);
    cjose_err err{};
    cjose_jwk_t* jwk = cjose_jwk_import(jwk_json.data(), jwk_json.size(), &err);
    if (jwk == nullptr) {
      Skip(source, index, kid, cjose_err_message(err.code));
      continue;
    }
    std::shared_ptr<cjose_jwk_t> owned(jwk, cjose_jwk_release);
    if (key_alg == JwsAlgorithm::kRs256 && cjose_jwk_get_keysize(jwk, &err) < kMinRsaBits) {
      Skip(source, index, kid, "RSA key shorter than 2048 bits");
      continue;
    }
    set->keys_.push_back(Key{kid, key_alg, std::move(owned)});
  }
  if (set->keys_.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("JWKS ", source, " holds no RS256 or ES256 signing key"));
  }
  return std::shared_ptr<const JwkSet>(std::move(set));
}

const cjose_jwk_t* JwkSet::Find(JwsAlgorithm alg, absl::string_view kid,
                                std::string* reason) const {
  if (!kid.empty()) {
    for (const Key& key : keys_) {
      if (key.kid == kid && key.alg == alg) return key.jwk.get();
    }
    *reason = "unknown key id";
    return nullptr;
  }
  const cjose_jwk_t* found = nullptr;
  int count = 0;
  for (const Key& key : keys_) {
    if (key.alg == alg) {
      found = key.jwk.get();
      ++count;
    }
  }
  if (count == 1) return found;
  *reason = count == 0 ? "no key for the token's algorithm"
                       : "token names no key id and the key set has several keys of its type";
  return nullptr;
}

}  // namespace tracker::auth
