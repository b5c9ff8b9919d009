#include "auth/jwt_verifier.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "auth/jwt_test_util.h"
#include "common/file_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/fake_clock.h"
#include "testing/test_util.h"

namespace tracker::auth {
namespace {

using testing::AliceClaims;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::HmacToken;
using testing::Json;
using testing::Jwks;
using ::testing::Not;
using testing::OpenSslEcKey;
using testing::SignOptions;
using testing::TestKey;
using testing::UnsignedToken;

class JwtVerifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new TestKey(TestKey::Rsa("rsa-1"));
    ec_ = new TestKey(TestKey::Ec("ec-1"));
    impostor_ = new TestKey(TestKey::Rsa("rsa-1"));  // same kid, another key
  }
  static void TearDownTestSuite() {
    delete rsa_;
    delete ec_;
    delete impostor_;
  }

  void SetUp() override {
    auto verifier = MakeVerifier(Jwks({rsa_->PublicJwk(), ec_->PublicJwk()}));
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = *std::move(verifier);
  }

  absl::StatusOr<std::unique_ptr<JwtVerifier>> MakeVerifier(const std::string& jwks) {
    EXPECT_TRUE(WriteFileAtomically(jwks_path_, jwks).ok());
    OidcOptions options;
    options.issuer = testing::kIssuer;
    options.audience = testing::kAudience;
    options.jwks_file = jwks_path_;
    return JwtVerifier::Create(options, nullptr, &clock_);
  }

  google::protobuf::Struct Claims() { return AliceClaims(clock_.Now()); }

  // Why `token` is refused. Checks the code, and that no part of the token
  // shows in the message or in anything logged meanwhile.
  std::string Refusal(const std::string& token) {
    ::testing::internal::CaptureStderr();
    absl::StatusOr<Identity> identity = verifier_->Verify(token);
    const std::string logged = ::testing::internal::GetCapturedStderr();
    EXPECT_FALSE(identity.ok()) << "accepted";
    if (identity.ok()) return "";
    EXPECT_EQ(identity.status().code(), absl::StatusCode::kUnauthenticated);
    const std::string message(identity.status().message());
    for (absl::string_view part : absl::StrSplit(token, '.')) {
      if (part.size() < 6) continue;
      EXPECT_THAT(message, Not(HasSubstr(part)));
      EXPECT_THAT(logged, Not(HasSubstr(part)));
    }
    return message;
  }

  static TestKey* rsa_;
  static TestKey* ec_;
  static TestKey* impostor_;
  tracker::testing::FakeClock clock_;
  tracker::testing::TempDir dir_;
  const std::string jwks_path_ = dir_.path() + "/jwks.json";
  std::unique_ptr<JwtVerifier> verifier_;
};

TestKey* JwtVerifierTest::rsa_ = nullptr;
TestKey* JwtVerifierTest::ec_ = nullptr;
TestKey* JwtVerifierTest::impostor_ = nullptr;

TEST_F(JwtVerifierTest, AcceptsAnRs256TokenAndReadsWhoItNames) {
  absl::StatusOr<Identity> identity = verifier_->Verify(rsa_->Sign(Json(Claims())));
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->subject, "f4b1a7c2-0d1e-4f5a-9b8c-alice");
  EXPECT_EQ(identity->name, "Alice Admin");
  EXPECT_EQ(identity->email, "alice@example.org");
  EXPECT_THAT(identity->groups, ElementsAre("tracker-admins", "icgc"));
  EXPECT_EQ(identity->role, "");
}

TEST_F(JwtVerifierTest, AcceptsAnEs256Token) {
  auto claims = Claims();
  claims.mutable_fields()->erase("name");
  (*claims.mutable_fields())["groups"].set_string_value("operators");
  absl::StatusOr<Identity> identity = verifier_->Verify(ec_->Sign(Json(claims)));
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->name, "alice");  // preferred_username
  EXPECT_THAT(identity->groups, ElementsAre("operators"));
}

TEST_F(JwtVerifierTest, AcceptsAnEs256TokenSignedByOpenSslItself) {
  OpenSslEcKey key("openssl-ec");
  auto verifier = MakeVerifier(Jwks({key.PublicJwk()}));
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  absl::StatusOr<Identity> identity = (*verifier)->Verify(key.Sign(Json(Claims())));
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->name, "Alice Admin");
}

TEST_F(JwtVerifierTest, TheNameFallsBackToTheSubject) {
  auto claims = Claims();
  claims.mutable_fields()->erase("name");
  claims.mutable_fields()->erase("preferred_username");
  claims.mutable_fields()->erase("groups");
  absl::StatusOr<Identity> identity = verifier_->Verify(rsa_->Sign(Json(claims)));
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->name, identity->subject);
  EXPECT_TRUE(identity->groups.empty());
}

TEST_F(JwtVerifierTest, ExpiryHonoursTheLeeway) {
  auto claims = Claims();
  (*claims.mutable_fields())["exp"].set_number_value(absl::ToUnixSeconds(clock_.Now()) - 30);
  EXPECT_TRUE(verifier_->Verify(rsa_->Sign(Json(claims))).ok());
  (*claims.mutable_fields())["exp"].set_number_value(absl::ToUnixSeconds(clock_.Now()) - 61);
  EXPECT_EQ(Refusal(rsa_->Sign(Json(claims))), "token expired");
  // A token valid now expires as time passes.
  const std::string token = rsa_->Sign(Json(Claims()));
  EXPECT_TRUE(verifier_->Verify(token).ok());
  clock_.Advance(absl::Hours(1) + absl::Seconds(61));
  EXPECT_EQ(Refusal(token), "token expired");
}

TEST_F(JwtVerifierTest, NotBeforeAndIssuedAtInTheFutureAreRefused) {
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  auto claims = Claims();
  (*claims.mutable_fields())["nbf"].set_number_value(now + 300);
  EXPECT_EQ(Refusal(rsa_->Sign(Json(claims))), "token not valid yet (nbf)");
  (*claims.mutable_fields())["nbf"].set_number_value(now + 30);  // clock skew
  EXPECT_TRUE(verifier_->Verify(rsa_->Sign(Json(claims))).ok());
  claims = Claims();
  (*claims.mutable_fields())["iat"].set_number_value(now + 300);
  EXPECT_EQ(Refusal(rsa_->Sign(Json(claims))), "token issued in the future (iat)");
  (*claims.mutable_fields())["iat"].set_string_value("yesterday");
  EXPECT_EQ(Refusal(rsa_->Sign(Json(claims))), "malformed token: iat");
}

TEST_F(JwtVerifierTest, TheAudienceMustBeOurs) {
  auto claims = Claims();
  (*claims.mutable_fields())["aud"].set_string_value("another-service");
  EXPECT_EQ(Refusal(rsa_->Sign(Json(claims))), "wrong audience");
  auto* list = (*claims.mutable_fields())["aud"].mutable_list_value();
  list->add_values()->set_string_value("another-service");
  EXPECT_EQ(Refusal(rsa_->Sign(Json(claims))), "wrong audience");
  list->add_values()->set_string_value(testing::kAudience);
  EXPECT_TRUE(verifier_->Verify(rsa_->Sign(Json(claims))).ok());
  claims.mutable_fields()->erase("aud");
  EXPECT_EQ(Refusal(rsa_->Sign(Json(claims))), "wrong audience");
}

TEST_F(JwtVerifierTest, TheIssuerMustMatchExactly) {
  auto claims = Claims();
  (*claims.mutable_fields())["iss"].set_string_value("https://evil.example.org/realms/icgc");
  EXPECT_EQ(Refusal(rsa_->Sign(Json(claims))), "wrong issuer");
  (*claims.mutable_fields())["iss"].set_string_value(absl::StrCat(testing::kIssuer, "/"));
  EXPECT_EQ(Refusal(rsa_->Sign(Json(claims))), "wrong issuer");
}

TEST_F(JwtVerifierTest, ASignatureByAnotherKeyOrOverOtherClaimsDoesNotVerify) {
  EXPECT_EQ(Refusal(impostor_->Sign(Json(Claims()))), "signature does not verify");
  // Alice's signed token with the claims swapped for an admin's.
  std::vector<std::string> parts = absl::StrSplit(rsa_->Sign(Json(Claims())), '.');
  auto claims = Claims();
  (*claims.mutable_fields())["sub"].set_string_value("root");
  parts[1] = testing::Base64Url(Json(claims));
  EXPECT_EQ(Refusal(absl::StrJoin(parts, ".")), "signature does not verify");
}

TEST_F(JwtVerifierTest, AlgorithmNoneIsRefused) {
  for (const char* alg : {"none", "None", "NONE"}) {
    const std::string header = absl::StrCat(R"({"alg":")", alg, R"(","typ":"JWT","kid":"rsa-1"})");
    EXPECT_EQ(Refusal(UnsignedToken(header, Json(Claims()))), "algorithm none is not accepted");
  }
  // No kid either: nothing to look up.
  EXPECT_EQ(Refusal(UnsignedToken(R"({"alg":"none"})", Json(Claims()))),
            "algorithm none is not accepted");
}

TEST_F(JwtVerifierTest, HmacWithThePublicKeyAsSecretIsRefused) {
  const std::string header = R"({"alg":"HS256","typ":"JWT","kid":"rsa-1"})";
  for (const std::string& secret : {rsa_->PublicJwk(), rsa_->PublicJwk("")}) {
    EXPECT_EQ(Refusal(HmacToken(header, Json(Claims()), secret)),
              "algorithm HS256 is not accepted (only RS256 and ES256)");
  }
  EXPECT_EQ(Refusal(HmacToken(R"({"alg":"HS256\u0000x"})", Json(Claims()), "k")),
            "token algorithm is not accepted (only RS256 and ES256)");
}

TEST_F(JwtVerifierTest, OtherSignatureAlgorithmsAreRefused) {
  EXPECT_EQ(Refusal(rsa_->Sign(Json(Claims()), SignOptions{"PS256"})),
            "algorithm PS256 is not accepted (only RS256 and ES256)");
  EXPECT_EQ(Refusal(rsa_->Sign(Json(Claims()), SignOptions{"RS512"})),
            "algorithm RS512 is not accepted (only RS256 and ES256)");
  // An RS256 header naming the EC key: no RSA key has that id.
  EXPECT_EQ(Refusal(rsa_->Sign(Json(Claims()), SignOptions{"", true, "ec-1"})), "unknown key id");
}

TEST_F(JwtVerifierTest, AnUnknownKeyIdIsRefusedWithoutRepeatingIt) {
  const std::string kid = "rotated-key-7f3e9d";
  const std::string message = Refusal(rsa_->Sign(Json(Claims()), SignOptions{"", true, kid}));
  EXPECT_EQ(message, "unknown key id");
}

TEST_F(JwtVerifierTest, WithoutAKeyIdTheOnlyKeyOfItsTypeIsUsed) {
  EXPECT_TRUE(verifier_->Verify(rsa_->Sign(Json(Claims()), SignOptions{"", false})).ok());
  EXPECT_TRUE(verifier_->Verify(ec_->Sign(Json(Claims()), SignOptions{"", false})).ok());
  TestKey second = TestKey::Rsa("rsa-2");
  auto verifier = MakeVerifier(Jwks({rsa_->PublicJwk(), second.PublicJwk()}));
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  verifier_ = *std::move(verifier);
  EXPECT_EQ(Refusal(rsa_->Sign(Json(Claims()), SignOptions{"", false})),
            "token names no key id and the key set has several keys of its type");
}

TEST_F(JwtVerifierTest, MissingOrBadClaimsAreRefused) {
  auto claims = Claims();
  claims.mutable_fields()->erase("exp");
  EXPECT_EQ(Refusal(rsa_->Sign(Json(claims))), "token has no expiry (exp)");
  (*claims.mutable_fields())["exp"].set_string_value("2030-01-01");
  EXPECT_EQ(Refusal(rsa_->Sign(Json(claims))), "token has no expiry (exp)");
  claims = Claims();
  claims.mutable_fields()->erase("sub");
  EXPECT_EQ(Refusal(rsa_->Sign(Json(claims))), "token has no subject (sub)");
  EXPECT_EQ(Refusal(rsa_->Sign("[1, 2]")), "malformed token: claims are not a JSON object");
}

TEST_F(JwtVerifierTest, MalformedTokensAreRefused) {
  EXPECT_EQ(Refusal(""), "empty token");
  EXPECT_EQ(Refusal("not-a-token-at-all"), "malformed token: not three dot-separated parts");
  EXPECT_EQ(Refusal(rsa_->Sign(Json(Claims())) + ".extra"),
            "malformed token: not three dot-separated parts");
  EXPECT_EQ(Refusal("%%%%%%%%.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"),
            "malformed token: header is not base64url");
  EXPECT_EQ(Refusal(UnsignedToken("RS256 please", "{}") + "c2lnbmF0dXJl"),
            "malformed token: header is not a JSON object");
  EXPECT_EQ(Refusal(std::string(20000, 'a')), "malformed token: too long");
  // Right header, the rest not a JWS.
  const std::string header = testing::Base64Url(R"({"alg":"RS256","kid":"rsa-1"})");
  EXPECT_EQ(Refusal(header + ".@@@@.####"), "malformed token: not a compact JWS");
}

TEST_F(JwtVerifierTest, CriticalHeaderExtensionsAreRefused) {
  const std::string header = R"({"alg":"none","crit":["exp"]})";
  EXPECT_EQ(Refusal(UnsignedToken(header, Json(Claims()))), "algorithm none is not accepted");
  const std::string rs = R"({"alg":"RS256","kid":"rsa-1","crit":["b64"],"b64":false})";
  EXPECT_EQ(Refusal(UnsignedToken(rs, Json(Claims())) + "c2ln"),
            "token has critical header extensions, none is supported");
}

TEST_F(JwtVerifierTest, KeysForEncryptionOrOtherAlgorithmsOrWeakKeysAreIgnored) {
  TestKey signer = TestKey::Rsa("sig-key");
  TestKey weak = TestKey::Rsa("weak-key", 1024);
  auto verifier =
      MakeVerifier(Jwks({rsa_->PublicJwk("enc"), signer.PublicJwk(),
                         R"({"kty":"oct","kid":"rsa-1","k":"c2VjcmV0"})", weak.PublicJwk()}));
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  verifier_ = *std::move(verifier);
  EXPECT_EQ(Refusal(rsa_->Sign(Json(Claims()))), "unknown key id");
  EXPECT_EQ(Refusal(weak.Sign(Json(Claims()))), "unknown key id");
  EXPECT_TRUE(verifier_->Verify(signer.Sign(Json(Claims()))).ok());
}

TEST_F(JwtVerifierTest, AChangedKeyFileIsReadAgain) {
  TestKey next = TestKey::Rsa("rsa-2");
  const std::string old_token = rsa_->Sign(Json(Claims()));
  ASSERT_TRUE(verifier_->Verify(old_token).ok());
  EXPECT_EQ(Refusal(next.Sign(Json(Claims()))), "unknown key id");
  // The issuer rotated: rsa-1 retired, rsa-2 in.
  ASSERT_TRUE(WriteFileAtomically(jwks_path_, Jwks({next.PublicJwk(), ec_->PublicJwk()})).ok());
  EXPECT_TRUE(verifier_->Verify(next.Sign(Json(Claims()))).ok());
  EXPECT_EQ(Refusal(old_token), "unknown key id");
  // A broken file keeps the keys read before.
  ASSERT_TRUE(WriteFileAtomically(jwks_path_, "{\"keys\": [").ok());
  EXPECT_TRUE(verifier_->Verify(next.Sign(Json(Claims()))).ok());
}

TEST_F(JwtVerifierTest, BadKeySetsAndOptionsFailCreateNamingTheFile) {
  auto verifier = MakeVerifier("{\"keys\": [");
  ASSERT_FALSE(verifier.ok());
  EXPECT_THAT(verifier.status().message(), HasSubstr(jwks_path_));
  verifier = MakeVerifier(Jwks({R"({"kty":"oct","k":"c2VjcmV0"})"}));
  ASSERT_FALSE(verifier.ok());
  EXPECT_THAT(verifier.status().message(),
              HasSubstr(absl::StrCat("JWKS ", jwks_path_, " holds no RS256 or ES256 signing key")));
  verifier = MakeVerifier(R"({"issuer": "x"})");
  ASSERT_FALSE(verifier.ok());
  EXPECT_THAT(verifier.status().message(), HasSubstr("has no \"keys\" array"));

  OidcOptions options;
  options.issuer = testing::kIssuer;
  options.audience = testing::kAudience;
  options.jwks_file = dir_.path() + "/absent.json";
  verifier = JwtVerifier::Create(options, nullptr, &clock_);
  ASSERT_FALSE(verifier.ok());
  EXPECT_EQ(verifier.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(verifier.status().message(), HasSubstr(options.jwks_file));
  options.jwks_url = "https://login.example.org/certs";
  EXPECT_EQ(JwtVerifier::Create(options, nullptr, &clock_).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.jwks_file.clear();
  EXPECT_THAT(JwtVerifier::Create(options, nullptr, &clock_).status().message(),
              HasSubstr("needs an HTTP client"));
  options.audience.clear();
  EXPECT_THAT(JwtVerifier::Create(options, nullptr, &clock_).status().message(),
              HasSubstr("no audience"));
}

TEST_F(JwtVerifierTest, VerifiesFromManyThreadsAtOnce) {
  const std::string good = ec_->Sign(Json(Claims()));
  const std::string bad = impostor_->Sign(Json(Claims()));
  std::vector<std::thread> threads;
  std::atomic<int> accepted{0}, refused{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        (verifier_->Verify(good).ok() ? accepted : refused)++;
        (verifier_->Verify(bad).ok() ? accepted : refused)++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted.load(), 100);
  EXPECT_EQ(refused.load(), 100);
}

}  // namespace
}  // namespace tracker::auth
