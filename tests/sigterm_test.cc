// Graceful shutdown of the real binaries, as Kubernetes does it: SIGTERM
// turns health NOT_SERVING while the server still answers (the drain), the
// RPCs in flight finish, the process exits 0, and nothing is half written.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <future>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "testing/cluster.h"
#include "testing/generic_call.h"

namespace tracker {
namespace {

using ::tracker::testing::Cluster;
using ::tracker::testing::HealthOf;
using ::tracker::testing::ClusterOptions;
using ::tracker::testing::Shell;
using ::tracker::testing::ShellQuote;
using ::tracker::testing::TempDir;
using namespace tracker::v1;  // NOLINT: generated message names

// Polls until health is NOT_SERVING (true) or `ms` have passed.
bool SeesNotServing(int port, int ms) {
  for (int waited = 0; waited < ms; waited += 50) {
    if (HealthOf(port) == "NOT_SERVING") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

class SigtermTest : public ::testing::Test {
 protected:
  TempDir tmp_;
  std::unique_ptr<Cluster> cluster_;
};

TEST_F(SigtermTest, TheSchedulerFinishesItsCycleWhileHealthSaysNotServing) {
  ClusterOptions options;
  options.jobs = 3;
  options.envs = {{"rdpc_qa", 3, false}};
  options.extra_args["scheduler-service"] = {"--drain_seconds=2", "--shutdown_grace_seconds=30"};
  cluster_ = std::make_unique<Cluster>(tmp_.path(), options);
  std::string error;
  ASSERT_TRUE(cluster_->Start(&error)) << error;
  const int port = cluster_->port("scheduler-service");
  ASSERT_EQ(HealthOf(port), "SERVING");

  // Every start takes 1.5 s at the workflow service (the poller gives up
  // after 2 s): the cycle is in flight
  // when the signal comes.
  cluster_->Sim("wes-sim-rdpc_qa", "POST", "/_sim/faults",
                R"({"mode":"none","latency_ms":1500,"path":"/runs","method":"POST"})");
  auto cycle = std::async(std::launch::async, [&] {
    RunCycleResponse out;
    grpc::Status s = cluster_->Cycle(&out);
    return std::make_pair(s, out);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_EQ(kill(cluster_->pid("scheduler-service"), SIGTERM), 0);
  EXPECT_TRUE(SeesNotServing(port, 1500)) << "health did not turn NOT_SERVING during the drain";

  auto [status, out] = cycle.get();
  ASSERT_TRUE(status.ok()) << "the in-flight cycle was cut: " << status.error_message();
  ASSERT_EQ(out.environments_size(), 1);
  EXPECT_EQ(out.environments(0).started(), 3) << out.DebugString();
  EXPECT_EQ(cluster_->Kill("scheduler-service", 0), 0);  // exits 0 by itself
  EXPECT_TRUE(absl::StrContains(Shell("cat " + ShellQuote(tmp_.path() + "/scheduler-service.log")).output,
                                "draining"));

  // Nothing half written: every start is recorded with its run (no pending
  // start record left), one run per job at the workflow service.
  auto queued = cluster_->Jobs(JOB_STATE_QUEUED);
  ASSERT_EQ(queued.size(), 3u);
  std::set<std::string> recorded;
  for (const auto& j : queued) {
    EXPECT_TRUE(absl::StartsWith(j.current_run().run_id(), "wes-")) << j.current_run().file_name();
    recorded.insert(j.current_run().run_id());
  }
  std::string runs = cluster_->Sim("wes-sim-rdpc_qa", "GET", "/_sim/runs");
  for (const auto& id : recorded) EXPECT_TRUE(absl::StrContains(runs, id)) << id;
  EXPECT_EQ(recorded.size(), 3u);
}

TEST_F(SigtermTest, RepoServiceDrainsAndEveryAcknowledgedWriteIsThere) {
  ClusterOptions options;
  options.jobs = 8;
  options.envs = {{"rdpc_qa", 1, false}};
  options.extra_args["repo-service"] = {"--drain_seconds=1"};
  cluster_ = std::make_unique<Cluster>(tmp_.path(), options);
  std::string error;
  ASSERT_TRUE(cluster_->Start(&error)) << error;
  const int port = cluster_->port("repo-service");
  auto backlog = cluster_->Jobs(JOB_STATE_BACKLOG);
  ASSERT_EQ(backlog.size(), 8u);

  // Writers move jobs to failed one at a time until the server refuses.
  std::atomic<bool> stop{false};
  std::vector<std::string> acknowledged;
  std::thread writer([&] {
    for (const auto& j : backlog) {
      if (stop) break;
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      TransitionJobsRequest req;
      Transition* t = req.add_transitions();
      *t->mutable_key() = j.key();
      t->set_from_state(JOB_STATE_BACKLOG);
      t->set_to_state(JOB_STATE_FAILED);
      WriteResult out;
      if (cluster_->repo()->TransitionJobs(&ctx, req, &out).ok()) acknowledged.push_back(j.key().job_id());
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(kill(cluster_->pid("repo-service"), SIGTERM), 0);
  EXPECT_TRUE(SeesNotServing(port, 900));
  EXPECT_EQ(cluster_->Kill("repo-service", 0), 0);
  stop = true;
  writer.join();
  EXPECT_FALSE(acknowledged.empty());

  const std::string clone = tmp_.path() + "/repo-service.git";
  auto fsck = Shell("git -C " + ShellQuote(clone) + " fsck --full");
  EXPECT_EQ(fsck.exit_code, 0) << fsck.output;
  // Restarted, it shows every acknowledged write, each job in one folder.
  ASSERT_TRUE(cluster_->Restart("repo-service", &error)) << error;
  std::set<std::string> failed;
  for (const auto& j : cluster_->Jobs(JOB_STATE_FAILED)) failed.insert(j.key().job_id());
  for (const auto& id : acknowledged) EXPECT_TRUE(failed.count(id)) << id << " was acknowledged but is lost";
  EXPECT_EQ(cluster_->Jobs(JOB_STATE_FAILED).size() + cluster_->Jobs(JOB_STATE_BACKLOG).size(), 8u);
}

}  // namespace
}  // namespace tracker
