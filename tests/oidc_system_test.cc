// OIDC callers of the secured services: JWTs signed in the test by a key
// whose JWKS the services read, as an issuer (Keycloak) publishes it. Only
// a valid token gets in; its subject is the commit's author.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "auth/jwt_test_util.h"
#include "common/tls.h"
#include "testing/cluster.h"

namespace tracker {
namespace {

using ::tracker::auth::testing::AliceClaims;
using ::tracker::auth::testing::HmacToken;
using ::tracker::auth::testing::Json;
using ::tracker::auth::testing::Jwks;
using ::tracker::auth::testing::TestKey;
using ::tracker::auth::testing::UnsignedToken;
using ::tracker::testing::Cluster;
using ::tracker::testing::ClusterOptions;
using ::tracker::testing::Shell;
using ::tracker::testing::ShellQuote;
using ::tracker::testing::TempDir;
using namespace tracker::v1;  // NOLINT: generated message names

class OidcSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The issuer's published key set, where the auth config points.
    ASSERT_EQ(Shell("mkdir -p " + ShellQuote(tmp_.path() + "/pki")).exit_code, 0);
    std::ofstream(tmp_.path() + "/pki/jwks.json") << Jwks({key_.PublicJwk()});
    ClusterOptions options;
    options.tls = true;
    options.jobs = 2;
    options.use_excerpt = false;
    options.envs = {{"rdpc_qa", 1, false}};
    options.extra_auth_yaml = absl::StrCat(
        "oidc:\n  issuer: ", auth::testing::kIssuer, "\n  audience: ", auth::testing::kAudience,
        "\n  jwks_file: jwks.json\n  group_roles:\n    tracker-admins: admin\n");
    cluster_ = std::make_unique<Cluster>(tmp_.path(), options);
    std::string error;
    ASSERT_TRUE(cluster_->Start(&error)) << error;
  }

  // SetFlag (pause rdpc_qa on main, the request naming "mallory") with
  // `token`; the status and the commit.
  grpc::Status Pause(const std::string& token, std::string* commit) {
    TlsConfig tls;
    tls.ca_file = cluster_->pki().ca();
    auto creds = grpc::CompositeChannelCredentials(*MakeChannelCredentials(tls),
                                                   grpc::AccessTokenCredentials(token));
    auto repo = RepoService::NewStub(
        OpenChannel(absl::StrCat("127.0.0.1:", cluster_->port("repo-service")), creds));
    SetFlagRequest pause;
    pause.mutable_options()->set_branch("main");
    pause.mutable_options()->mutable_author()->set_name("mallory");
    pause.mutable_flag()->set_kind(FLAG_KIND_PAUSE);
    pause.mutable_flag()->set_environment("rdpc_qa");
    WriteResult written;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    grpc::Status s = repo->SetFlag(&ctx, pause, &written);
    *commit = written.commit();
    return s;
  }

  TempDir tmp_;
  TestKey key_ = TestKey::Rsa("issuer-key-1");
  std::unique_ptr<Cluster> cluster_;
};

TEST_F(OidcSystemTest, OnlyAValidTokenGetsInAndItsSubjectIsTheAuthor) {
  const absl::Time now = absl::Now();
  auto claims = AliceClaims(now);
  const std::string valid = key_.Sign(Json(claims));

  struct Bad {
    std::string what, token, reason;
  };
  std::vector<Bad> bad;
  auto with = [&](auto change) {
    auto c = AliceClaims(now);
    change(*c.mutable_fields());
    return key_.Sign(Json(c));
  };
  bad.push_back({"expired", with([&](auto& f) {
                   f["exp"].set_number_value(absl::ToUnixSeconds(now - absl::Hours(1)));
                 }),
                 "expired"});
  bad.push_back({"wrong audience", with([](auto& f) { f["aud"].set_string_value("another-app"); }),
                 "audience"});
  bad.push_back({"wrong issuer",
                 with([](auto& f) { f["iss"].set_string_value("https://evil.example.org"); }),
                 "issuer"});
  // Another key under the same key id: the signature does not verify.
  bad.push_back({"bad signature", TestKey::Rsa("issuer-key-1").Sign(Json(claims)), "signature"});
  bad.push_back({"alg none",
                 UnsignedToken(R"({"alg":"none","typ":"JWT","kid":"issuer-key-1"})", Json(claims)),
                 "none"});
  bad.push_back({"HS256 with the public key as secret",
                 HmacToken(R"({"alg":"HS256","typ":"JWT","kid":"issuer-key-1"})", Json(claims),
                           key_.PublicJwk()),
                 "algorithm"});

  const std::string main_tip = cluster_->Tip("main");
  for (const Bad& b : bad) {
    std::string commit;
    grpc::Status s = Pause(b.token, &commit);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << b.what << ": "
                                                                  << s.error_message();
    EXPECT_TRUE(absl::StrContains(absl::AsciiStrToLower(s.error_message()), b.reason))
        << b.what << ": " << s.error_message();
  }
  // Authenticated, but in no group with a role.
  const std::string outsider = with([](auto& f) {
    f["groups"].mutable_list_value()->clear_values();
    f["groups"].mutable_list_value()->add_values()->set_string_value("icgc");
  });
  std::string commit;
  grpc::Status s = Pause(outsider, &commit);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_EQ(cluster_->Tip("main"), main_tip) << "a refused call wrote something";

  s = Pause(valid, &commit);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(cluster_->Git("log -1 --format=%an%x09%ae " + commit).output,
            "Alice Admin\talice@example.org\n");

  // No token, valid or not, in any log line.
  const std::string logs = Shell("cat " + ShellQuote(cluster_->dir()) + "/*.log").output;
  ASSERT_TRUE(absl::StrContains(logs, "rpc_refused"));
  EXPECT_FALSE(absl::StrContains(logs, valid));
  for (const Bad& b : bad) EXPECT_FALSE(absl::StrContains(logs, b.token)) << b.what;
}

}  // namespace
}  // namespace tracker
