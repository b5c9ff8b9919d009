// jobctl against the secured services: the CA and a token or certificate
// from options, JOBCTL_* variables or the JOBCTL_* config file, the
// messages when a server refuses, and the usage errors that ask nothing.

#include <gtest/gtest.h>

#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "testing/cluster.h"
#include "testing/jobctl_runner.h"

namespace tracker {
namespace {

using ::tracker::auth::Role;
using ::tracker::testing::Cluster;
using ::tracker::testing::ClusterOptions;
using ::tracker::testing::ShellQuote;
using ::tracker::testing::TempDir;
using ::tracker::testing::TestPki;

TEST(JobctlAuthTest, ItsCredentialsFromVariablesAndAFileAndAClearMessageWhenRefused) {
  TempDir tmp;
  ClusterOptions options;
  options.tls = true;
  options.jobs = 2;
  options.use_excerpt = false;
  options.envs = {{"rdpc_qa", 1, false}};
  auto cluster = std::make_unique<Cluster>(tmp.path(), options);
  std::string error;
  ASSERT_TRUE(cluster->Start(&error)) << error;
  const TestPki& pki = cluster->pki();
  testing::JobctlRunner jobctl(cluster.get(), tmp.path());
  auto run = [&](const std::string& env, const std::vector<std::string>& args) {
    return jobctl.Run(args, env);
  };
  // The admin token (the runner's default on a TLS cluster).
  testing::JobctlOutcome o = run("", {"report"});
  EXPECT_EQ(o.code, 0) << o.err;

  o = run("JOBCTL_TOKEN_FILE=", {"report"});
  EXPECT_EQ(o.code, 1);
  EXPECT_TRUE(absl::StrContains(o.err, "does not know who you are")) << o.err;

  const std::string viewer = "JOBCTL_TOKEN_FILE=" + ShellQuote(pki.token_file(Role::kViewer));
  o = run(viewer, {"report"});
  EXPECT_EQ(o.code, 0) << o.err;
  o = run(viewer, {"pause", "rdpc_qa"});
  EXPECT_EQ(o.code, 1);
  EXPECT_TRUE(absl::StrContains(o.err, "refused")) << o.err;
  // (it is refused at its first write: the merge of scheduler into main)
  EXPECT_TRUE(absl::StrContains(o.err, "viewer-user (viewer) may not call")) << o.err;

  // A JOBCTL_* config file; the environment left empty.
  const std::string config = tmp.path() + "/jobctl.conf";
  std::ofstream(config) << "# jobctl settings\nJOBCTL_CA=" << pki.ca()
                        << "\nJOBCTL_TOKEN_FILE=\"" << pki.token_file(Role::kOperator) << "\"\n";
  o = run("JOBCTL_CA= JOBCTL_TOKEN_FILE= JOBCTL_CONFIG=" + ShellQuote(config), {"pause", "rdpc_qa"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(cluster->Git("log -1 --format=%an main").output, "operator-user\n");

  // Usage errors: nothing is asked of the servers.
  std::ofstream(config) << "JOBCTL_TOKEN=abc\n";
  o = run("JOBCTL_CONFIG=" + ShellQuote(config), {"report"});
  EXPECT_EQ(o.code, 2);
  EXPECT_TRUE(absl::StrContains(o.err, "jobctl.conf:1")) << o.err;
  EXPECT_FALSE(absl::StrContains(o.err, "abc")) << o.err;
  o = run("JOBCTL_CA= JOBCTL_TOKEN_FILE=" + ShellQuote(pki.token_file(Role::kAdmin)), {"report"});
  EXPECT_EQ(o.code, 2);
  EXPECT_TRUE(absl::StrContains(o.err, "needs TLS")) << o.err;
  o = run("JOBCTL_TOKEN_FILE=/nonexistent/token", {"report"});
  EXPECT_EQ(o.code, 2);
  EXPECT_TRUE(absl::StrContains(o.err, "cannot read the token file")) << o.err;
}

}  // namespace
}  // namespace tracker
