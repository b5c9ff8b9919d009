// kill -9 of the scheduler and, separately, of repo-service at random
// points over many cycles. At the end every job is in exactly one folder
// and completed, no job ever had two live WES runs, and no run is orphaned
// (every run the simulators hold is recorded on its job, or was cancelled
// as a duplicate).

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/json.h"
#include "testing/cluster.h"

namespace tracker {
namespace {

using ::tracker::testing::Cluster;
using ::tracker::testing::ClusterOptions;
using ::tracker::testing::TempDir;
using namespace tracker::v1;  // NOLINT: generated message names

// The job a simulated run belongs to: its params' study and analyses, the
// key ARGO keeps (it drops run tags).
std::string JobOfRun(const google::protobuf::Struct& run) {
  auto request = run.fields().find("request");
  if (request == run.fields().end()) return "";
  auto params = request->second.struct_value().fields().find("workflow_params");
  if (params == request->second.struct_value().fields().end()) return "";
  const auto& p = params->second.struct_value();
  std::string job = StringField(p, "study_id");
  auto ids = p.fields().find("analysis_id");
  if (ids != p.fields().end()) {
    for (const auto& id : ids->second.list_value().values()) absl::StrAppend(&job, " ", id.string_value());
  }
  return job;
}

class SchedulerCrashTest : public ::testing::TestWithParam<std::string> {
 protected:
  struct Run {
    std::string id, state, job;
  };
  std::vector<Run> SimRuns(const std::string& env) {
    std::vector<Run> out;
    auto parsed = ParseJsonObject(cluster_->Sim("wes-sim-" + env, "GET", "/_sim/runs"), "runs");
    if (!parsed.ok()) return out;
    for (const auto& v : parsed->fields().at("runs").list_value().values()) {
      const auto& s = v.struct_value();
      Run r{StringField(s, "run_id"), StringField(s, "state"), JobOfRun(s)};
      out.push_back(r);
    }
    return out;
  }
  void ExpectNoTwoLiveRuns() {
    for (const auto& e : options_.envs) {
      std::map<std::string, int> live;
      for (const auto& r : SimRuns(e.name)) {
        if (r.state == "QUEUED" || r.state == "RUNNING") {
          EXPECT_LE(++live[r.job], 1) << r.job << " has two live runs on " << e.name;
        }
      }
    }
  }
  TempDir tmp_;
  ClusterOptions options_;
  std::unique_ptr<Cluster> cluster_;
};

TEST_P(SchedulerCrashTest, KillNineAtRandomPointsLosesNoJobAndStartsNoneTwice) {
  const std::string victim = GetParam();
  options_.jobs = 16;
  options_.envs = {{"rdpc_qa", 4, false, 0, 0.0, 50, 250}, {"rdpc_prod", 3, true, 0, 0.0, 50, 250}};
  cluster_ = std::make_unique<Cluster>(tmp_.path(), options_);
  std::string error;
  ASSERT_TRUE(cluster_->Start(&error)) << error;
  const int total = cluster_->Count(JOB_STATE_BACKLOG) + cluster_->Count(JOB_STATE_COMPLETED);

  std::mt19937 rng(victim.size() * 7919);
  for (int round = 0; round < 10; ++round) {
    std::thread cycle([&] {
      RunCycleResponse out;
      (void)cluster_->Cycle(&out);  // may be cut off by the kill
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 250));
    cluster_->Kill(victim, SIGKILL);
    cycle.join();
    ASSERT_TRUE(cluster_->Restart(victim, &error)) << error;
    ExpectNoTwoLiveRuns();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // Then cycles without kills until every job is through.
  for (int i = 0; i < 100 && cluster_->Count(JOB_STATE_BACKLOG) + cluster_->Count(JOB_STATE_QUEUED) > 0; ++i) {
    RunCycleResponse out;
    grpc::Status s = cluster_->Cycle(&out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ExpectNoTwoLiveRuns();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(cluster_->Count(JOB_STATE_BACKLOG) + cluster_->Count(JOB_STATE_QUEUED), 0);
  EXPECT_EQ(cluster_->Count(JOB_STATE_FAILED), 0);
  EXPECT_EQ(cluster_->Count(JOB_STATE_COMPLETED), total) << "a job was lost or duplicated";

  grpc::ClientContext actx;
  AuditResponse audit;
  ASSERT_TRUE(cluster_->repo()->Audit(&actx, AuditRequest(), &audit).ok());
  for (const auto& f : audit.findings()) {
    EXPECT_NE(f.code(), "JOB_IN_TWO_FOLDERS") << f.message();
    EXPECT_NE(f.code(), "NO_JOB_DIR") << f.message();
  }

  // Every run is recorded on its job (or was a cancelled duplicate).
  std::set<std::string> recorded;
  grpc::ClientContext lctx;
  ListJobsRequest lreq;
  lreq.add_states(JOB_STATE_COMPLETED);
  lreq.set_page_size(10000);
  ListJobsResponse jobs;
  ASSERT_TRUE(cluster_->repo()->ListJobs(&lctx, lreq, &jobs).ok());
  for (const auto& j : jobs.jobs()) {
    grpc::ClientContext gctx;
    GetJobRequest g;
    *g.mutable_key() = j.key();
    Job job;
    ASSERT_TRUE(cluster_->repo()->GetJob(&gctx, g, &job).ok());
    for (const auto& m : job.runs()) {
      recorded.insert(m.run_id());
      EXPECT_NE(m.run_id().rfind("pending-", 0), 0u) << "a start record was left behind";
    }
  }
  int runs = 0;
  for (const auto& e : options_.envs) {
    for (const auto& r : SimRuns(e.name)) {
      ++runs;
      if (r.state == "CANCELED") continue;
      EXPECT_TRUE(recorded.count(r.id)) << "orphaned run " << r.id << " of " << r.job;
    }
  }
  EXPECT_GE(runs, options_.jobs);
}

INSTANTIATE_TEST_SUITE_P(Victims, SchedulerCrashTest,
                         ::testing::Values("scheduler-service", "repo-service"),
                         [](const auto& info) {
                           return info.param == "repo-service" ? std::string("RepoService")
                                                               : std::string("Scheduler");
                         });

}  // namespace
}  // namespace tracker
