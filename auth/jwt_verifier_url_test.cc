// The key set fetched from the issuer's JWKS URL over real HTTP on loopback:
// periodic refresh, the early fetch on an unknown key id and its rate limit,
// and errors that name the URL without its query.

#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "auth/jwt_test_util.h"
#include "auth/jwt_verifier.h"
#include "common/curl_http_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/fake_clock.h"

namespace tracker::auth {
namespace {

using testing::AliceClaims;
using ::testing::HasSubstr;
using testing::Json;
using testing::Jwks;
using ::testing::Not;
using testing::TestKey;

// Keycloak's certs endpoint path, as an OIDC discovery document names it.
constexpr char kCertsPath[] = "/realms/icgc/protocol/openid-connect/certs";

// An issuer's JWKS endpoint: serves what the test sets, counts requests.
class JwksServer {
 public:
  JwksServer() {
    server_.Get(kCertsPath, [this](const httplib::Request& req, httplib::Response& res) {
      absl::MutexLock lock(&mu_);
      ++hits_;
      last_path_ = req.path;
      // A slow issuer: the answer waits until the test releases it.
      mu_.Await(absl::Condition(
          +[](bool* held) { return !*held; }, &held_));
      res.status = status_;
      res.set_content(body_, "application/json");
    });
    // One request per connection: stop() then need not wait for a client's
    // idle keep-alive connection to time out.
    server_.set_keep_alive_max_count(1);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the accept loop runs would not end it.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~JwksServer() {
    server_.stop();
    thread_.join();
  }
  void Serve(int status, std::string body) {
    absl::MutexLock lock(&mu_);
    status_ = status;
    body_ = std::move(body);
  }
  void Hold(bool held) {
    absl::MutexLock lock(&mu_);
    held_ = held;
  }
  int hits() {
    absl::MutexLock lock(&mu_);
    return hits_;
  }
  std::string last_path() {
    absl::MutexLock lock(&mu_);
    return last_path_;
  }
  std::string Url(absl::string_view path = kCertsPath) const {
    return absl::StrCat("http://127.0.0.1:", port_, path);
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  absl::Mutex mu_;
  int hits_ ABSL_GUARDED_BY(mu_) = 0;
  int status_ ABSL_GUARDED_BY(mu_) = 200;
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  std::string body_ ABSL_GUARDED_BY(mu_);
  std::string last_path_ ABSL_GUARDED_BY(mu_);
};

class JwksUrlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    first_ = new TestKey(TestKey::Rsa("2024-key"));
    second_ = new TestKey(TestKey::Ec("2025-key"));
  }
  static void TearDownTestSuite() {
    delete first_;
    delete second_;
  }

  absl::StatusOr<std::unique_ptr<JwtVerifier>> Create(const std::string& url) {
    OidcOptions options;
    options.issuer = testing::kIssuer;
    options.audience = testing::kAudience;
    options.jwks_url = url;
    return JwtVerifier::Create(options, &http_, &clock_);
  }
  std::string Token(const TestKey& key) { return key.Sign(Json(AliceClaims(clock_.Now()))); }

  static TestKey* first_;
  static TestKey* second_;
  JwksServer server_;
  CurlHttpClient http_;
  tracker::testing::FakeClock clock_;
};

TestKey* JwksUrlTest::first_ = nullptr;
TestKey* JwksUrlTest::second_ = nullptr;

TEST_F(JwksUrlTest, KeysComeFromTheUrlAndAreFetchedAgainAfterTheRefreshPeriod) {
  server_.Serve(200, Jwks({first_->PublicJwk()}));
  auto verifier = Create(server_.Url());
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  EXPECT_EQ(server_.hits(), 1);
  EXPECT_EQ(server_.last_path(), kCertsPath);
  EXPECT_TRUE((*verifier)->Verify(Token(*first_)).ok());
  clock_.Advance(absl::Minutes(9));
  EXPECT_TRUE((*verifier)->Verify(Token(*first_)).ok());
  EXPECT_EQ(server_.hits(), 1);  // within the period: no fetch per token

  // Ten minutes on, the next token fetches; an issuer that is down then
  // leaves the keys held, and is asked again only 30 s later.
  server_.Serve(503, "down for maintenance");
  clock_.Advance(absl::Minutes(1));
  EXPECT_TRUE((*verifier)->Verify(Token(*first_)).ok());
  EXPECT_EQ(server_.hits(), 2);
  clock_.Advance(absl::Seconds(10));
  EXPECT_TRUE((*verifier)->Verify(Token(*first_)).ok());
  EXPECT_EQ(server_.hits(), 2);
  server_.Serve(200, Jwks({second_->PublicJwk()}));  // first_ retired
  clock_.Advance(absl::Seconds(25));
  EXPECT_TRUE((*verifier)->Verify(Token(*second_)).ok());
  EXPECT_EQ(server_.hits(), 3);
  auto old = (*verifier)->Verify(Token(*first_));
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.status().message(), "unknown key id");
}

TEST_F(JwksUrlTest, AnUnknownKeyIdFetchesAtOnceAtMostEveryThirtySeconds) {
  server_.Serve(200, Jwks({first_->PublicJwk()}));
  auto verifier = Create(server_.Url());
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  // The issuer rotates in a new key right after we fetched.
  server_.Serve(200, Jwks({first_->PublicJwk(), second_->PublicJwk()}));
  auto early = (*verifier)->Verify(Token(*second_));
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().message(), "unknown key id");
  EXPECT_EQ(server_.hits(), 1);  // the fetch at Create was under 30 s ago

  clock_.Advance(absl::Seconds(31));
  auto rotated = (*verifier)->Verify(Token(*second_));
  EXPECT_TRUE(rotated.ok()) << rotated.status();
  EXPECT_EQ(server_.hits(), 2);

  // Made-up key ids: one fetch per 30 s whatever the number of tokens.
  TestKey stranger = TestKey::Ec("made-up");
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(absl::Seconds(5));
    auto refused = (*verifier)->Verify(Token(stranger));
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_EQ(refused.status().message(), "unknown key id");
  }
  EXPECT_EQ(server_.hits(), 2);
  clock_.Advance(absl::Seconds(6));  // 31 s after the last fetch
  EXPECT_FALSE((*verifier)->Verify(Token(stranger)).ok());
  EXPECT_EQ(server_.hits(), 3);
  // Keys held all along.
  EXPECT_TRUE((*verifier)->Verify(Token(*first_)).ok());
  EXPECT_EQ(server_.hits(), 3);
}

TEST_F(JwksUrlTest, OtherCallersDoNotWaitForAFetch) {
  server_.Serve(200, Jwks({first_->PublicJwk()}));
  auto verifier = Create(server_.Url());
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  const std::string token = Token(*first_);
  server_.Hold(true);
  clock_.Advance(absl::Minutes(11));
  absl::StatusOr<Identity> fetcher_result;
  std::thread fetcher([&] { fetcher_result = (*verifier)->Verify(token); });
  while (server_.hits() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // The fetch hangs at the issuer; another caller is answered from the
  // keys held, without a second request.
  EXPECT_TRUE((*verifier)->Verify(token).ok());
  EXPECT_EQ(server_.hits(), 2);
  server_.Hold(false);
  fetcher.join();
  EXPECT_TRUE(fetcher_result.ok()) << fetcher_result.status();
}

TEST_F(JwksUrlTest, CreateFailsNamingTheUrlWithoutItsQuery) {
  server_.Serve(200, Jwks({first_->PublicJwk()}));
  auto missing = Create(server_.Url("/no/such/certs?client_secret=s3cr3t-value"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr(server_.Url("/no/such/certs")));
  EXPECT_THAT(missing.status().message(), Not(HasSubstr("s3cr3t")));

  server_.Serve(200, "<html>login page</html>");
  auto not_json = Create(server_.Url() + "?token=s3cr3t-value");
  ASSERT_FALSE(not_json.ok());
  EXPECT_THAT(not_json.status().message(),
              HasSubstr(absl::StrCat("JWKS ", server_.Url(), " is not a JSON object")));
  EXPECT_THAT(not_json.status().message(), Not(HasSubstr("s3cr3t")));

}

// An issuer that is down when the service starts does not stop it: JWTs
// are refused until the key set can be fetched, at the first token.
TEST_F(JwksUrlTest, AnIssuerDownAtStartIsAskedAgainAtTheFirstToken) {
  server_.Serve(500, "");
  auto verifier = Create(server_.Url());
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  absl::StatusOr<Identity> refused = (*verifier)->Verify(Token(*first_));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnauthenticated);
  const int hits = server_.hits();
  EXPECT_EQ(hits, 2) << "fetched at start and at the first token";

  server_.Serve(200, Jwks({first_->PublicJwk()}));
  EXPECT_FALSE((*verifier)->Verify(Token(*first_)).ok()) << "asked again only 30 s later";
  clock_.Advance(absl::Seconds(31));
  EXPECT_TRUE((*verifier)->Verify(Token(*first_)).ok());
}

TEST_F(JwksUrlTest, AnUnreachableIssuerAtStartRefusesTokensButStarts) {
  std::string url;
  {
    JwksServer gone;
    url = gone.Url();
  }  // closed: nothing listens there now
  ::testing::internal::CaptureStderr();
  auto verifier = Create(url);
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  EXPECT_THAT(log, HasSubstr("jwks_unavailable_at_start"));
  EXPECT_THAT(log, HasSubstr(url));
  absl::StatusOr<Identity> refused = (*verifier)->Verify(Token(*first_));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace tracker::auth
