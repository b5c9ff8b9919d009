// Library choice. Two maintained JOSE libraries are packaged in Debian 12:
// - libcjose 0.6.2 (libcjose-dev, Cisco): imports JWKs (RSA, EC, oct)
//   directly from their JSON, parses compact JWS and verifies RS/PS/ES/HS
//   signatures over OpenSSL; JSON through jansson.
// - libjwt 1.10 (libjwt-dev): decodes and verifies JWTs, but takes keys only
//   as PEM; JWK and JWKS support arrived in 1.15. With it we would have to
//   turn every JWK (modulus/exponent, curve points) into PEM ourselves, which
//   is exactly the kind of crypto glue that goes wrong.
// cjose is used for keys and signatures; the claims (iss, aud, exp, ...) are
// checked here, as cjose knows nothing of JWT. The algorithm is checked
// before any key is touched: only RS256 and ES256, never "none" or an HMAC
// algorithm (which would let a public key serve as a shared secret).

#include "auth/jwt_verifier.h"

#include <cjose/header.h>
#include <cjose/jws.h>

#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "auth/jwks.h"
#include "common/json.h"
#include "common/log.h"

namespace tracker::auth {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

// An early fetch for an unknown key id at most this often, so tokens with
// made-up key ids cannot turn us into a load generator against the issuer.
constexpr absl::Duration kMinFetchInterval = absl::Seconds(30);
// Far above any real ID or access token; bounds the work a caller can ask.
constexpr size_t kMaxTokenBytes = 16 * 1024;
constexpr int64_t kMaxJwksBytes = 1 << 20;

absl::Status Refused(absl::string_view reason) { return absl::UnauthenticatedError(reason); }

// Algorithms that may be named in a refusal: only names from this list are
// echoed, so a header cannot put its own text into a message.
const char* const kKnownAlgorithms[] = {"HS256", "HS384", "HS512", "RS384", "RS512", "PS256",
                                        "PS384", "PS512", "ES384", "ES512", "EdDSA"};

absl::StatusOr<JwsAlgorithm> AcceptedAlgorithm(const std::string& alg) {
  if (alg == "RS256") return JwsAlgorithm::kRs256;
  if (alg == "ES256") return JwsAlgorithm::kEs256;
  if (absl::AsciiStrToLower(alg) == "none") return Refused("algorithm none is not accepted");
  for (const char* known : kKnownAlgorithms) {
    if (alg == known) {
      return Refused(absl::StrCat("algorithm ", known, " is not accepted (only RS256 and ES256)"));
    }
  }
  return Refused("token algorithm is not accepted (only RS256 and ES256)");
}

// A NumericDate claim: absent is fine (`*present` false), anything but a
// number is not.
bool TimeClaim(const Struct& claims, const std::string& name, absl::Time* out, bool* present) {
  auto it = claims.fields().find(name);
  *present = it != claims.fields().end();
  if (!*present) return true;
  if (it->second.kind_case() != Value::kNumberValue) return false;
  *out = absl::UnixEpoch() + absl::Seconds(it->second.number_value());
  return true;
}

bool AudienceMatches(const Struct& claims, const std::string& audience) {
  auto it = claims.fields().find("aud");
  if (it == claims.fields().end()) return false;
  if (it->second.kind_case() == Value::kStringValue) return it->second.string_value() == audience;
  if (!it->second.has_list_value()) return false;
  for (const Value& v : it->second.list_value().values()) {
    if (v.kind_case() == Value::kStringValue && v.string_value() == audience) return true;
  }
  return false;
}

std::vector<std::string> Groups(const Struct& claims, const std::string& claim) {
  std::vector<std::string> out;
  auto it = claims.fields().find(claim);
  if (it == claims.fields().end()) return out;
  if (it->second.kind_case() == Value::kStringValue) {
    out.push_back(it->second.string_value());
  } else if (it->second.has_list_value()) {
    for (const Value& v : it->second.list_value().values()) {
      if (v.kind_case() == Value::kStringValue) out.push_back(v.string_value());
    }
  }
  return out;
}

struct JwsDeleter {
  void operator()(cjose_jws_t* jws) const { cjose_jws_release(jws); }
};
using JwsPtr = std::unique_ptr<cjose_jws_t, JwsDeleter>;

}  // namespace

JwtVerifier::JwtVerifier(OidcOptions options, HttpClient* http, Clock* clock)
    : options_(std::move(options)),
      http_(http),
      clock_(clock),
      source_(options_.jwks_file.empty() ? RedactUrl(options_.jwks_url) : options_.jwks_file) {}

absl::StatusOr<std::unique_ptr<JwtVerifier>> JwtVerifier::Create(OidcOptions options,
                                                                 HttpClient* http, Clock* clock) {
  if (options.issuer.empty()) return absl::InvalidArgumentError("OIDC: no issuer set");
  if (options.audience.empty()) return absl::InvalidArgumentError("OIDC: no audience set");
  if (options.jwks_file.empty() == options.jwks_url.empty()) {
    return absl::InvalidArgumentError("OIDC: set exactly one of the JWKS file and the JWKS URL");
  }
  if (!options.jwks_url.empty() && http == nullptr) {
    return absl::InvalidArgumentError("OIDC: a JWKS URL needs an HTTP client");
  }
  if (options.groups_claim.empty()) return absl::InvalidArgumentError("OIDC: empty groups claim");
  if (options.leeway < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("OIDC: negative clock leeway");
  }
  if (clock == nullptr) clock = RealClock::Get();
  std::unique_ptr<JwtVerifier> verifier(new JwtVerifier(std::move(options), http, clock));
  {
    absl::MutexLock lock(&verifier->mu_);
    if (!verifier->options_.jwks_file.empty()) {
      absl::Status loaded = verifier->LoadFile();
      if (!loaded.ok()) return loaded;
    } else {
      absl::StatusOr<std::shared_ptr<const JwkSet>> keys = verifier->FetchUrl();
      if (keys.ok()) {
        verifier->attempted_at_ = clock->Now();
        verifier->keys_ = *std::move(keys);
        verifier->fetched_at_ = verifier->attempted_at_;
      } else if (absl::IsUnavailable(keys.status())) {
        // The issuer down when the service starts: serve anyway (client
        // certificates and static tokens need no issuer; the scheduler must
        // not stop with it), refuse JWTs, and fetch at the first one.
        LogWarning("jwks_unavailable_at_start")
            .Kv("source", verifier->source_)
            .Kv("error", keys.status().message());
        verifier->keys_ = std::make_shared<const JwkSet>();
      } else {
        return keys.status();  // a wrong URL or not a key set: the config's fault
      }
    }
  }
  return verifier;
}

absl::Status JwtVerifier::LoadFile() {
  const std::string& path = options_.jwks_file;
  absl::StatusOr<FileStamp> stamp = StatFile(path);
  if (!stamp.ok()) return Prefixed("JWKS file", stamp.status());
  stamp_ = *stamp;  // a bad version is reported once, not on every token
  absl::StatusOr<std::string> text = ReadSmallFile(path, kMaxJwksBytes);
  if (!text.ok()) return Prefixed("JWKS file", text.status());
  absl::StatusOr<std::shared_ptr<const JwkSet>> keys = JwkSet::Parse(*text, path);
  if (!keys.ok()) return keys.status();
  keys_ = *std::move(keys);
  LogInfo("jwks_loaded").Kv("source", source_).Kv("keys", static_cast<int64_t>(keys_->size()));
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const JwkSet>> JwtVerifier::FetchUrl() const {
  HttpRequest request;
  request.url = options_.jwks_url;
  request.headers.emplace_back("Accept", "application/json");
  request.timeout = absl::Seconds(10);
  absl::StatusOr<HttpResponse> response = http_->Send(request);
  // The transport names the (redacted) URL itself.
  if (!response.ok()) return Prefixed("JWKS", response.status());
  if (response->status < 200 || response->status >= 300) {
    return HttpError("JWKS", request, *response, /*include_body=*/false);
  }
  absl::StatusOr<std::shared_ptr<const JwkSet>> keys = JwkSet::Parse(response->body, source_);
  if (keys.ok()) {
    LogInfo("jwks_loaded").Kv("source", source_).Kv("keys", static_cast<int64_t>((*keys)->size()));
  }
  return keys;
}

std::shared_ptr<const JwkSet> JwtVerifier::Keys(bool unknown_kid) {
  absl::Time now;
  {
    absl::MutexLock lock(&mu_);
    if (!options_.jwks_file.empty()) {
      absl::Status reloaded;
      absl::StatusOr<FileStamp> stamp = StatFile(options_.jwks_file);
      if (!stamp.ok()) {
        // Gone or unreadable: keep the keys; say so once.
        if (stamp_ != FileStamp{}) reloaded = stamp.status();
        stamp_ = FileStamp{};
      } else if (*stamp != stamp_) {
        reloaded = LoadFile();
      }
      if (!reloaded.ok()) {
        LogWarning("jwks_reload_failed").Kv("source", source_).Kv("error", reloaded.message());
      }
      return keys_;
    }
    now = clock_->Now();
    const bool due = now - fetched_at_ >= options_.jwks_refresh || unknown_kid;
    if (!due || fetching_ || now - attempted_at_ < kMinFetchInterval) return keys_;
    fetching_ = true;
    attempted_at_ = now;
  }
  // The GET runs unlocked: other callers meanwhile use the keys held.
  absl::StatusOr<std::shared_ptr<const JwkSet>> fetched = FetchUrl();
  absl::MutexLock lock(&mu_);
  fetching_ = false;
  if (fetched.ok()) {
    keys_ = *std::move(fetched);
    fetched_at_ = now;
  } else {
    LogWarning("jwks_reload_failed").Kv("source", source_).Kv("error", fetched.status().message());
  }
  return keys_;
}

absl::StatusOr<Identity> JwtVerifier::Verify(absl::string_view token) {
  if (token.empty()) return Refused("empty token");
  if (token.size() > kMaxTokenBytes) return Refused("malformed token: too long");
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) return Refused("malformed token: not three dot-separated parts");

  // The header is read here, before cjose sees the token, so that the
  // algorithm is refused before any key is chosen or used.
  std::string header_json;
  if (!absl::WebSafeBase64Unescape(parts[0], &header_json)) {
    return Refused("malformed token: header is not base64url");
  }
  absl::StatusOr<Struct> header = ParseJsonObject(header_json, "token header");
  if (!header.ok()) return Refused("malformed token: header is not a JSON object");
  absl::StatusOr<JwsAlgorithm> alg = AcceptedAlgorithm(StringField(*header, "alg"));
  if (!alg.ok()) return alg.status();
  if (header->fields().count("crit") > 0) {
    return Refused("token has critical header extensions, none is supported");  // RFC 7515 4.1.11
  }
  const std::string kid = StringField(*header, "kid");

  std::string reason;
  std::shared_ptr<const JwkSet> keys = Keys(/*unknown_kid=*/false);
  const cjose_jwk_t* key = keys->Find(*alg, kid, &reason);
  if (key == nullptr && !options_.jwks_url.empty()) {
    keys = Keys(/*unknown_kid=*/true);  // the issuer may have rotated its keys
    key = keys->Find(*alg, kid, &reason);
  }
  if (key == nullptr) return Refused(reason);

  cjose_err err{};
  JwsPtr jws(cjose_jws_import(token.data(), token.size(), &err));
  if (jws == nullptr) return Refused("malformed token: not a compact JWS");
  // cjose parses the header again with its own JSON parser; had it read a
  // different algorithm (a repeated "alg" member), the check above would
  // not be the one that counts.
  const char* cjose_alg = cjose_header_get(cjose_jws_get_protected(jws.get()), CJOSE_HDR_ALG, &err);
  if (cjose_alg == nullptr || StringField(*header, "alg") != cjose_alg) {
    return Refused("malformed token: ambiguous algorithm");
  }
  if (!cjose_jws_verify(jws.get(), key, &err)) return Refused("signature does not verify");
  uint8_t* payload = nullptr;
  size_t payload_len = 0;
  if (!cjose_jws_get_plaintext(jws.get(), &payload, &payload_len, &err)) {
    return Refused("malformed token: no payload");
  }
  return CheckClaims(absl::string_view(reinterpret_cast<const char*>(payload), payload_len));
}

absl::StatusOr<Identity> JwtVerifier::CheckClaims(absl::string_view payload) {
  absl::StatusOr<Struct> claims = ParseJsonObject(payload, "token claims");
  if (!claims.ok()) return Refused("malformed token: claims are not a JSON object");
  if (StringField(*claims, "iss") != options_.issuer) return Refused("wrong issuer");
  if (!AudienceMatches(*claims, options_.audience)) return Refused("wrong audience");

  const absl::Time now = clock_->Now();
  absl::Time exp, nbf, iat;
  bool has_exp = false, has_nbf = false, has_iat = false;
  if (!TimeClaim(*claims, "exp", &exp, &has_exp) || !has_exp) {
    return Refused("token has no expiry (exp)");
  }
  if (now > exp + options_.leeway) return Refused("token expired");
  if (!TimeClaim(*claims, "nbf", &nbf, &has_nbf)) return Refused("malformed token: nbf");
  if (has_nbf && nbf - options_.leeway > now) return Refused("token not valid yet (nbf)");
  if (!TimeClaim(*claims, "iat", &iat, &has_iat)) return Refused("malformed token: iat");
  if (has_iat && iat - options_.leeway > now) return Refused("token issued in the future (iat)");

  Identity identity;
  identity.subject = StringField(*claims, "sub");
  if (identity.subject.empty()) return Refused("token has no subject (sub)");
  identity.name = StringField(*claims, "name");
  if (identity.name.empty()) identity.name = StringField(*claims, "preferred_username");
  if (identity.name.empty()) identity.name = identity.subject;
  identity.email = StringField(*claims, "email");
  identity.groups = Groups(*claims, options_.groups_claim);
  return identity;
}

}  // namespace tracker::auth
