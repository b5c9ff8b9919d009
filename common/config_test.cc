#include "common/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tracker {
namespace {

using ::testing::HasSubstr;

// The seed's own example, with the secrets named as environment variables.
constexpr char kSeedConfig[] = R"(
job_tracking_repo: git@github.com:icgc-argo/icgc-25k-azure-transfer-job-tracking.git
tracking_repo_push_interval: 12  # in hours
compute_environments:
    rdpc_prod:
      wes_url: https://wes.prod.example/api/v1
      max_parallel_runs: 2
    rdpc_qa:
      wes_url: https://wes.qa.example/api/v1
      max_parallel_runs: 4
      token_url: https://ego.qa.example/oauth/token
      client_id_env: QA_CLIENT_ID
      client_secret_env: QA_CLIENT_SECRET
      graphql_url: https://rdpc.qa.example/graphql
      excessive_failure_threshold: 10
      nfs_root_paths: [/nfs/qa]
scheduling_interval: 30  # in minutes
workflow:
  url: https://github.com/icgc-argo/song-score-transfer
  version: 0.4.0
slack_notification:
  web_hook_url_env: SLACK_WEBHOOK_URL
)";

TEST(ConfigTest, ParsesTheSeedExample) {
  auto config = ParseTrackerConfig(kSeedConfig);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->tracking_repo_push_interval_hours, 12);
  EXPECT_EQ(config->scheduling_interval_minutes, 30);
  ASSERT_EQ(config->compute_environments.size(), 2u);
  const ComputeEnvironment& qa = config->compute_environments.at("rdpc_qa");
  EXPECT_EQ(qa.max_parallel_runs, 4);
  EXPECT_EQ(qa.graphql_url, "https://rdpc.qa.example/graphql");
  EXPECT_EQ(qa.excessive_failure_threshold, 10);
  EXPECT_EQ(qa.nfs_root_paths, std::vector<std::string>{"/nfs/qa"});
  EXPECT_EQ(config->compute_environments.at("rdpc_prod").max_parallel_runs, 2);
  EXPECT_EQ(config->workflow.version, "0.4.0");
  EXPECT_EQ(config->slack_web_hook_url_env, "SLACK_WEBHOOK_URL");
}

struct BadCase {
  const char* yaml;
  const char* names;  // the key the message must name
};

TEST(ConfigTest, EachBadValueNamesItsKey) {
  const BadCase cases[] = {
      {"compute_environments:\n  qa:\n    wes_url: https://w\n    max_parallel_runs: two\n",
       "compute_environments.qa.max_parallel_runs"},
      {"compute_environments:\n  qa:\n    max_parallel_runs: 2\n",
       "compute_environments.qa.wes_url"},
      {"compute_environments:\n  qa:\n    wes_url: ftp://w\n    max_parallel_runs: 2\n",
       "compute_environments.qa.wes_url"},
      {"compute_environments:\n  qa:\n    wes_url: https://w\n    max_parallel_runs: -1\n",
       "compute_environments.qa.max_parallel_runs"},
      {"scheduling_interval: soon\n", "scheduling_interval"},
      {"tracking_repo_push_interval: [1]\n", "tracking_repo_push_interval"},
      {"schedulng_interval: 30\n", "schedulng_interval"},
      {"slack_notification:\n  web_hook_url: https://hooks.slack.com/x\n",
       "slack_notification.web_hook_url"},
      {"compute_environments:\n  qa:\n    wes_url: https://w\n    max_parallel_runs: 1\n"
       "    token_url: https://t\n",
       "compute_environments.qa.token_url"},
      {"workflow:\n  version: 1\n", "workflow.url"},
  };
  for (const BadCase& c : cases) {
    auto config = ParseTrackerConfig(c.yaml);
    ASSERT_FALSE(config.ok()) << c.yaml;
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(config.status().message()), HasSubstr(c.names)) << c.yaml;
  }
}

TEST(ConfigTest, MalformedYamlSaysWhere) {
  auto config = ParseTrackerConfig("compute_environments:\n  qa: [unclosed\n");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("line"));
}

TEST(ConfigTest, MissingFileIsNotFound) {
  auto config = LoadTrackerConfig("/nonexistent/tracker.yaml");
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(config.status().message()),
              HasSubstr("/nonexistent/tracker.yaml"));
}

}  // namespace
}  // namespace tracker
