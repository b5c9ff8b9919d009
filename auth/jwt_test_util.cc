#include "auth/jwt_test_util.h"

#include <cjose/header.h>
#include <cjose/jws.h>
#include <cjose/util.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json.h"

namespace tracker::auth::testing {
namespace {

using google::protobuf::Struct;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "test key helper failed: %s\n", what);
    std::abort();
  }
}

std::string WithMembers(const std::string& jwk_json, const std::string& kid,
                        absl::string_view use) {
  absl::StatusOr<Struct> jwk = ParseJsonObject(jwk_json, "jwk");
  Check(jwk.ok(), "JWK JSON");
  (*jwk->mutable_fields())["kid"].set_string_value(kid);
  if (!use.empty()) (*jwk->mutable_fields())["use"].set_string_value(std::string(use));
  return Json(*jwk);
}

std::string BigNumBase64Url(const EVP_PKEY* key, const char* param) {
  BIGNUM* bn = nullptr;
  Check(EVP_PKEY_get_bn_param(key, param, &bn) == 1, param);
  unsigned char buf[32];
  Check(BN_bn2binpad(bn, buf, sizeof(buf)) == sizeof(buf), "coordinate size");
  BN_free(bn);
  return Base64Url(absl::string_view(reinterpret_cast<const char*>(buf), sizeof(buf)));
}

}  // namespace

Struct AliceClaims(absl::Time now) {
  Struct claims;
  auto& f = *claims.mutable_fields();
  f["iss"].set_string_value(kIssuer);
  f["aud"].set_string_value(kAudience);
  f["sub"].set_string_value("f4b1a7c2-0d1e-4f5a-9b8c-alice");
  f["name"].set_string_value("Alice Admin");
  f["preferred_username"].set_string_value("alice");
  f["email"].set_string_value("alice@example.org");
  f["groups"].mutable_list_value()->add_values()->set_string_value("tracker-admins");
  f["groups"].mutable_list_value()->add_values()->set_string_value("icgc");
  f["iat"].set_number_value(absl::ToUnixSeconds(now));
  f["exp"].set_number_value(absl::ToUnixSeconds(now + absl::Hours(1)));
  return claims;
}

std::string Json(const Struct& s) { return ToJson(s); }

std::string Base64Url(absl::string_view data) {
  std::string out;
  absl::WebSafeBase64Escape(data, &out);  // no padding, as JWS wants
  return out;
}

std::string Jwks(const std::vector<std::string>& jwks) {
  return absl::StrCat("{\"keys\": [", absl::StrJoin(jwks, ", "), "]}");
}

TestKey TestKey::Rsa(std::string kid, size_t bits) {
  static const uint8_t kExponent[] = {0x01, 0x00, 0x01};
  cjose_err err{};
  cjose_jwk_t* jwk = cjose_jwk_create_RSA_random(bits, kExponent, sizeof(kExponent), &err);
  Check(jwk != nullptr, "cjose_jwk_create_RSA_random");
  return TestKey(std::shared_ptr<cjose_jwk_t>(jwk, cjose_jwk_release), std::move(kid), true);
}

TestKey TestKey::Ec(std::string kid) {
  cjose_err err{};
  cjose_jwk_t* jwk = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, &err);
  Check(jwk != nullptr, "cjose_jwk_create_EC_random");
  return TestKey(std::shared_ptr<cjose_jwk_t>(jwk, cjose_jwk_release), std::move(kid), false);
}

std::string TestKey::PublicJwk(absl::string_view use) const {
  cjose_err err{};
  char* json = cjose_jwk_to_json(jwk_.get(), /*priv=*/false, &err);
  Check(json != nullptr, "cjose_jwk_to_json");
  std::string out = WithMembers(json, kid_, use);
  cjose_get_dealloc()(json);
  return out;
}

std::string TestKey::Sign(const std::string& claims_json, const SignOptions& options) const {
  cjose_err err{};
  std::unique_ptr<cjose_header_t, void (*)(cjose_header_t*)> header(cjose_header_new(&err),
                                                                    cjose_header_release);
  Check(header != nullptr, "cjose_header_new");
  const std::string alg = !options.alg.empty() ? options.alg : rsa_ ? "RS256" : "ES256";
  Check(cjose_header_set(header.get(), CJOSE_HDR_ALG, alg.c_str(), &err), "alg");
  Check(cjose_header_set(header.get(), "typ", "JWT", &err), "typ");
  if (options.with_kid) {
    const std::string kid = options.kid.empty() ? kid_ : options.kid;
    Check(cjose_header_set(header.get(), CJOSE_HDR_KID, kid.c_str(), &err), "kid");
  }
  cjose_jws_t* jws =
      cjose_jws_sign(jwk_.get(), header.get(), reinterpret_cast<const uint8_t*>(claims_json.data()),
                     claims_json.size(), &err);
  Check(jws != nullptr, "cjose_jws_sign");
  const char* compact = nullptr;
  Check(cjose_jws_export(jws, &compact, &err), "cjose_jws_export");
  std::string out = compact;
  cjose_jws_release(jws);
  return out;
}

OpenSslEcKey::OpenSslEcKey(std::string kid)
    : key_(EVP_EC_gen("P-256"), EVP_PKEY_free), kid_(std::move(kid)) {
  Check(key_ != nullptr, "EVP_EC_gen");
}

std::string OpenSslEcKey::PublicJwk() const {
  Struct jwk;
  auto& f = *jwk.mutable_fields();
  f["kty"].set_string_value("EC");
  f["crv"].set_string_value("P-256");
  f["x"].set_string_value(BigNumBase64Url(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X));
  f["y"].set_string_value(BigNumBase64Url(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y));
  f["kid"].set_string_value(kid_);
  f["use"].set_string_value("sig");
  f["alg"].set_string_value("ES256");
  return Json(jwk);
}

std::string OpenSslEcKey::Sign(const std::string& claims_json) const {
  const std::string input =
      absl::StrCat(Base64Url(absl::StrCat(R"({"alg":"ES256","typ":"JWT","kid":")", kid_, "\"}")),
                   ".", Base64Url(claims_json));
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  Check(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) == 1, "init");
  size_t der_len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  Check(EVP_DigestSign(ctx.get(), nullptr, &der_len, data, input.size()) == 1, "size");
  std::string der(der_len, '\0');
  auto* der_out = reinterpret_cast<unsigned char*>(der.data());
  Check(EVP_DigestSign(ctx.get(), der_out, &der_len, data, input.size()) == 1, "sign");
  // OpenSSL writes the DER SEQUENCE of r and s; JWS wants r || s, 32 bytes each.
  const unsigned char* p = der_out;
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len));
  Check(sig != nullptr, "d2i_ECDSA_SIG");
  unsigned char raw[64];
  Check(BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32) == 32, "r");
  Check(BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32) == 32, "s");
  ECDSA_SIG_free(sig);
  return absl::StrCat(input, ".",
                      Base64Url(absl::string_view(reinterpret_cast<char*>(raw), sizeof(raw))));
}

std::string UnsignedToken(const std::string& header_json, const std::string& claims_json) {
  return absl::StrCat(Base64Url(header_json), ".", Base64Url(claims_json), ".");
}

std::string HmacToken(const std::string& header_json, const std::string& claims_json,
                      absl::string_view secret) {
  const std::string input = absl::StrCat(Base64Url(header_json), ".", Base64Url(claims_json));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  Check(HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
             reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
             &mac_len) != nullptr,
        "HMAC");
  return absl::StrCat(input, ".",
                      Base64Url(absl::string_view(reinterpret_cast<char*>(mac), mac_len)));
}

}  // namespace tracker::auth::testing
