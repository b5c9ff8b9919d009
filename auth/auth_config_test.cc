#include "auth/auth_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tracker::auth {
namespace {

using ::testing::HasSubstr;

TEST(AuthConfigTest, EverySectionAndPathsFromTheConfigsDirectory) {
  auto config = ParseAuthConfig(R"(
oidc:
  issuer: https://id.example.org/realms/argo
  audience: transfer-tracker
  jwks_file: keys/jwks.json
  group_roles: {tracker-admins: admin, tracker-operators: operator}
  subject_roles: {"0b7c": viewer}
token_file: tokens.yaml
certificates:
  - identity: scheduler-service
    role: scheduler
  - identity: backup-job
    role: viewer
    email: backup@example.org
)",
                                "/etc/tracker/auth");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_TRUE(config->oidc.has_value());
  EXPECT_EQ(config->oidc->jwks_file, "/etc/tracker/auth/keys/jwks.json");
  EXPECT_EQ(config->oidc->groups_claim, "groups");
  EXPECT_EQ(config->group_roles.at("tracker-admins"), Role::kAdmin);
  EXPECT_EQ(config->subject_roles.at("0b7c"), Role::kViewer);
  EXPECT_EQ(config->token_file, "/etc/tracker/auth/tokens.yaml");
  ASSERT_EQ(config->certificates.size(), 2u);
  EXPECT_EQ(config->certificates[0].role, Role::kScheduler);
  EXPECT_EQ(config->certificates[1].email, "backup@example.org");
}

TEST(AuthConfigTest, BadFilesNameWhatIsWrong) {
  struct Case {
    std::string yaml, expect;
  };
  const std::string oidc = "oidc:\n  issuer: https://i\n  audience: a\n  jwks_url: https://i/k\n";
  std::vector<Case> cases = {
      {"", "must be a YAML map"},
      {"tokens_file: t.yaml\n", "tokens_file is not a setting"},
      {"token_file: t.yaml\ncertificates:\n  - identity: x\n    role: root\n", "certificates[0].role"},
      {"certificates:\n  - role: admin\n", "needs an identity"},
      {"certificates:\n  - {identity: a, role: viewer}\n  - {identity: a, role: admin}\n",
       "repeats a"},
      {"oidc:\n  audience: a\n  jwks_url: https://i/k\n  group_roles: {g: admin}\n",
       "oidc.issuer is required"},
      {oidc + "  jwks_file: k.json\n  group_roles: {g: admin}\n", "exactly one of jwks_file"},
      {oidc + "  group_roles: {g: scheduler}\n", "oidc.group_roles.g must be viewer, operator or admin"},
      {oidc, "names no role"},
      {"oidc: {}\n", "oidc.issuer is required"},
      {"certificates:\n  - identity: {a: 1}\n    role: admin\n", "needs an identity"},
      {"{[1]: 2}\n", "auth config"},
      {"certificates: [1, 2\n", "not valid"},
  };
  for (const Case& c : cases) {
    auto config = ParseAuthConfig(c.yaml, "");
    ASSERT_FALSE(config.ok()) << c.yaml;
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument) << c.yaml;
    EXPECT_THAT(config.status().message(), HasSubstr(c.expect)) << c.yaml;
  }
}

TEST(AuthConfigTest, AMissingFileIsNotFoundAndNamed) {
  auto config = LoadAuthConfig("/nonexistent/auth.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(config.status().message(), HasSubstr("/nonexistent/auth.yaml"));
}

}  // namespace
}  // namespace tracker::auth
