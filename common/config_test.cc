#include "common/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

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
  EXPECT_EQ(config->reconcile_grace_minutes, 10);  // the default
  EXPECT_EQ(config->verify_failed_jobs_per_cycle, 20);  // on by default
  EXPECT_EQ(config->lost_run_after_minutes, 60);
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

TEST(ConfigTest, PacingAndStopRulesDefaultToTheSeedsBehaviour) {
  auto config = ParseTrackerConfig(kSeedConfig);
  ASSERT_TRUE(config.ok()) << config.status();
  const ComputeEnvironment& qa = config->compute_environments.at("rdpc_qa");
  EXPECT_TRUE(qa.two_window_rule);
  EXPECT_TRUE(qa.excessive_failure_rule);
  EXPECT_EQ(qa.start_interval_seconds, 0);
}

TEST(ConfigTest, PacingAndStopRulesPerEnvironment) {
  auto config = ParseTrackerConfig(R"(
compute_environments:
  prod:
    wes_url: https://w
    max_parallel_runs: 16
    excessive_failure_threshold: 100
    two_window_rule: false
    start_interval_seconds: 5
  qa:
    wes_url: https://w
    max_parallel_runs: 2
    excessive_failure_rule: off
)");
  ASSERT_TRUE(config.ok()) << config.status();
  const ComputeEnvironment& prod = config->compute_environments.at("prod");
  EXPECT_FALSE(prod.two_window_rule);
  EXPECT_TRUE(prod.excessive_failure_rule);
  EXPECT_EQ(prod.start_interval_seconds, 5);
  const ComputeEnvironment& qa = config->compute_environments.at("qa");
  EXPECT_TRUE(qa.two_window_rule);
  EXPECT_FALSE(qa.excessive_failure_rule);
  EXPECT_EQ(qa.start_interval_seconds, 0);
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
      {"reconcile_grace: -5\n", "reconcile_grace"},
      {"verify_failed_jobs_per_cycle: -1\n", "verify_failed_jobs_per_cycle"},
      {"verify_failed_jobs_per_cycle: some\n", "verify_failed_jobs_per_cycle"},
      {"lost_run_after: 0\n", "lost_run_after"},
      {"tracking_repo_push_interval: [1]\n", "tracking_repo_push_interval"},
      {"schedulng_interval: 30\n", "schedulng_interval"},
      {"slack_notification:\n  web_hook_url: https://hooks.slack.com/x\n",
       "slack_notification.web_hook_url"},
      {"compute_environments:\n  qa:\n    wes_url: https://w\n    max_parallel_runs: 1\n"
       "    token_url: https://t\n",
       "compute_environments.qa.token_url"},
      {"workflow:\n  version: 1\n", "workflow.url"},
      {"compute_environments:\n  qa:\n    wes_url: https://w\n    max_parallel_runs: 1\n"
       "    two_window_rule: sometimes\n",
       "compute_environments.qa.two_window_rule"},
      {"compute_environments:\n  qa:\n    wes_url: https://w\n    max_parallel_runs: 1\n"
       "    excessive_failure_rule: [true]\n",
       "compute_environments.qa.excessive_failure_rule"},
      {"compute_environments:\n  qa:\n    wes_url: https://w\n    max_parallel_runs: 1\n"
       "    start_interval_seconds: -5\n",
       "compute_environments.qa.start_interval_seconds"},
      {"compute_environments:\n  qa:\n    wes_url: https://w\n    max_parallel_runs: 1\n"
       "    start_interval_seconds: 86401\n",
       "compute_environments.qa.start_interval_seconds"},
  };
  for (const BadCase& c : cases) {
    auto config = ParseTrackerConfig(c.yaml);
    ASSERT_FALSE(config.ok()) << c.yaml;
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(config.status().message()), HasSubstr(c.names)) << c.yaml;
  }
}

// The original scheduler's own shape: secrets named under `ENV:`, the runs
// endpoint as wes_url, workflow.offline.
constexpr char kOriginalShape[] = R"(
job_tracking_repo: git@github.com:icgc-argo/icgc-25k-azure-transfer-job-tracking.git
tracking_repo_push_interval: 3  # in hours
scheduling_interval: 20  # in minutes
compute_environments:
    rdpc_prod:
        token_url: https://ego.example/api/oauth/token
        wes_url: https://wes.example/api/v1/runs
        graphql_url: https://api.example/graphql
        max_parallel_runs: 16
        excessive_failure_threshold: 100
        nfs_root_paths:
        - /nfs-1-c1
        - /nfs-1-c2
        ENV:
            client_id: PROD_CLIENT_ID
            client_secret: PROD_CLIENT_SECRET
            api_token: PROD_API_TOKEN
workflow:
    url: https://github.com/icgc-argo/icgc-25k-azure-transfer.git
    version: azure-transfer-wf.v0.12.0
    offline: true
slack_notification:
    ENV:
        web_hook_url: SLACK_HOOK_URL
)";

void ExpectOriginalShape(const TrackerConfig& config) {
  const ComputeEnvironment& prod = config.compute_environments.at("rdpc_prod");
  EXPECT_EQ(prod.client_id_env, "PROD_CLIENT_ID");
  EXPECT_EQ(prod.client_secret_env, "PROD_CLIENT_SECRET");
  EXPECT_EQ(prod.api_token_env, "PROD_API_TOKEN");
  EXPECT_EQ(prod.max_parallel_runs, 16);
  EXPECT_EQ(prod.excessive_failure_threshold, 100);
  EXPECT_TRUE(config.workflow.offline);
  EXPECT_EQ(config.workflow.version, "azure-transfer-wf.v0.12.0");
  EXPECT_EQ(config.slack_web_hook_url_env, "SLACK_HOOK_URL");
  EXPECT_EQ(config.tracking_repo_push_interval_hours, 3);
  EXPECT_EQ(config.scheduling_interval_minutes, 20);
}

TEST(ConfigTest, ParsesTheOriginalShape) {
  auto config = ParseTrackerConfig(kOriginalShape);
  ASSERT_TRUE(config.ok()) << config.status();
  ExpectOriginalShape(*config);
  const ComputeEnvironment& prod = config->compute_environments.at("rdpc_prod");
  EXPECT_EQ(prod.wes_url, "https://wes.example/api/v1");  // the runs endpoint, normalised
  EXPECT_EQ(prod.nfs_root_paths, (std::vector<std::string>{"/nfs-1-c1", "/nfs-1-c2"}));
}

// The file the original scheduler ran with, byte for byte.
TEST(ConfigTest, LoadsTheOriginalConfigFile) {
  const char* fixtures = std::getenv("TRACKER_FIXTURES");
  if (fixtures == nullptr || *fixtures == '\0') {
    GTEST_SKIP() << "TRACKER_FIXTURES is not set: ../shared/fixtures/job-scheduler.conf absent";
  }
  auto config = LoadTrackerConfig(std::string(fixtures) + "/job-scheduler.conf");
  ASSERT_TRUE(config.ok()) << config.status();
  ExpectOriginalShape(*config);
  EXPECT_EQ(config->compute_environments.size(), 2u);
  EXPECT_EQ(config->compute_environments.at("rdpc_prod").nfs_root_paths.size(), 16u);
  EXPECT_EQ(config->compute_environments.at("rdpc_qa").wes_url,
            "https://wes.rdpc-qa.cancercollaboratory.org/api/v1");
  EXPECT_EQ(config->compute_environments.at("rdpc_qa").api_token_env, "QA_API_TOKEN");
}

TEST(ConfigTest, BothSpellingsOfAVariableNameMustAgree) {
  const std::string env =
      "compute_environments:\n  qa:\n    wes_url: https://w/\n    max_parallel_runs: 1\n";
  auto same = ParseTrackerConfig(env + "    api_token_env: T\n    ENV:\n      api_token: T\n");
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(same->compute_environments.at("qa").api_token_env, "T");
  EXPECT_EQ(same->compute_environments.at("qa").wes_url, "https://w");
  auto differ = ParseTrackerConfig(env + "    api_token_env: T\n    ENV:\n      api_token: U\n");
  EXPECT_THAT(std::string(differ.status().message()),
              HasSubstr("compute_environments.qa.ENV.api_token"));
  auto unknown = ParseTrackerConfig(env + "    ENV:\n      secret: U\n");
  EXPECT_THAT(std::string(unknown.status().message()), HasSubstr("compute_environments.qa.ENV.secret"));
  auto offline = ParseTrackerConfig("workflow:\n  url: https://x\n  offline: maybe\n");
  EXPECT_THAT(std::string(offline.status().message()), HasSubstr("workflow.offline"));
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
