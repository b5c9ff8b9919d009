// A whole transfer campaign replayed on the simulators: the real excerpt's
// jobs (or generated ones) from backlog to completed across two
// environments (max_parallel_runs 16 and 4, short run times, 5% failures),
// the failed ones moved back to backlog as an admin does and resumed, until
// every job is completed. Prints wall time, scheduler CPU per job, git
// commits per job and the peak memory of each service.
//
//   campaign_bench [JOBS]      (0 or absent: every job of the excerpt)

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "testing/cluster.h"
#include "tools/bench/proc_stats.h"
#include "tracking/layout.h"

namespace {

using namespace tracker::v1;  // NOLINT: generated message names
using tracker::bench::CpuSeconds;
using tracker::bench::PeakRssMb;
using tracker::testing::Cluster;

int Count(Cluster& c, JobState state) {
  grpc::ClientContext ctx;
  ListJobsRequest req;
  req.add_states(state);
  req.set_page_size(1);
  ListJobsResponse resp;
  c.repo()->ListJobs(&ctx, req, &resp);
  return resp.total_size();
}

}  // namespace

int main(int argc, char** argv) {
  int jobs = argc > 1 ? std::atoi(argv[1]) : 0;
  char tmpl[] = "/tmp/campaign-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  tracker::testing::ClusterOptions options;
  options.jobs = jobs > 0 ? jobs : (tracker::testing::FixturesDir().empty() ? 1264 : 100000);
  options.envs = {{"rdpc_prod", 16, true, 0, 0.05, 50, 200}, {"rdpc_qa", 4, false, 0, 0.05, 50, 200}};
  Cluster cluster(dir, options);
  std::string error;
  if (!cluster.Start(&error)) {
    std::cerr << error << "\n";
    return 1;
  }
  const int scheduler_pid = cluster.pid("scheduler-service");
  const int backlog = Count(cluster, JOB_STATE_BACKLOG);
  const int completed_before = Count(cluster, JOB_STATE_COMPLETED);
  std::string start_commit = tracker::testing::Shell(absl::StrCat("git -C ", dir, "/repo-service.git rev-parse scheduler")).output;
  start_commit = start_commit.substr(0, 40);
  std::cout << "campaign: " << backlog << " jobs in backlog, environments rdpc_prod (16, GraphQL) "
            << "and rdpc_qa (4, WES), 5% of runs fail\n";
  const double cpu0 = CpuSeconds(scheduler_pid);
  auto t0 = std::chrono::steady_clock::now();
  int cycles = 0, requeued = 0;
  for (int round = 0; round < 20; ++round) {
    // At least one cycle a round: it merges the admins' requeue from main.
    do {
      RunCycleResponse out;
      grpc::Status s = cluster.Cycle(&out);
      if (!s.ok()) {
        std::cerr << "cycle failed: " << s.error_message() << "\n";
        return 1;
      }
      ++cycles;
      if (getenv("CAMPAIGN_VERBOSE")) {
        std::cerr << "cycle " << cycles << " " << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s\n";
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(40));
    } while (Count(cluster, JOB_STATE_BACKLOG) + Count(cluster, JOB_STATE_QUEUED) > 0);
    // The admins' way with failures: scheduler into main, failed -> backlog.
    grpc::ClientContext lctx;
    ListJobsRequest lreq;
    lreq.add_states(JOB_STATE_FAILED);
    lreq.set_page_size(10000);
    ListJobsResponse failed;
    cluster.repo()->ListJobs(&lctx, lreq, &failed);
    if (failed.jobs_size() == 0) break;
    grpc::ClientContext mctx;
    MergeRequest m;
    m.mutable_options()->set_branch(tracker::tracking::kMainBranch);
    m.set_source(tracker::tracking::kSchedulerBranch);
    MergeResponse mr;
    grpc::Status merged = cluster.repo()->Merge(&mctx, m, &mr);
    if (!merged.ok()) {
      std::cerr << "merge scheduler into main failed: " << merged.error_message() << "\n";
      return 1;
    }
    TransitionJobsRequest t;
    t.mutable_options()->set_branch(tracker::tracking::kMainBranch);
    t.mutable_options()->set_message(absl::StrCat("Requeue ", failed.jobs_size(), " failed jobs"));
    for (const auto& j : failed.jobs()) {
      auto* tr = t.add_transitions();
      *tr->mutable_key() = j.key();
      tr->set_from_state(JOB_STATE_FAILED);
      tr->set_to_state(JOB_STATE_BACKLOG);
    }
    grpc::ClientContext tctx;
    WriteResult wr;
    grpc::Status s = cluster.repo()->TransitionJobs(&tctx, t, &wr);
    if (!s.ok()) {
      std::cerr << "requeue failed: " << s.error_message() << "\n";
      return 1;
    }
    requeued += failed.jobs_size();
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu = CpuSeconds(scheduler_pid) - cpu0;
  int commits = std::stoi(tracker::testing::Shell(absl::StrCat(
      "git -C ", dir, "/repo-service.git rev-list --count ", start_commit, "..scheduler")).output);
  int completed_runs = 0;
  std::cout << absl::StrFormat("  %-40s %d of %d\n", "jobs completed", Count(cluster, JOB_STATE_COMPLETED) - completed_before, backlog)
            << absl::StrFormat("  %-40s %d (resumed after an admin requeue)\n", "failed runs", requeued)
            << absl::StrFormat("  %-40s %.1f s (%d cycles)\n", "wall time", wall, cycles)
            << absl::StrFormat("  %-40s %.3f ms\n", "scheduler CPU per job", cpu * 1000 / backlog)
            << absl::StrFormat("  %-40s %.2f\n", "git commits per job (scheduler branch)",
                               static_cast<double>(commits) / backlog);
  (void)completed_runs;
  for (const char* name : {"scheduler-service", "repo-service", "wes-poller", "azure-verifier"}) {
    std::cout << absl::StrFormat("  %-40s %ld MB\n", absl::StrCat("peak memory of ", name),
                                 PeakRssMb(cluster.pid(name)));
  }
  tracker::testing::Shell("rm -rf " + dir);
  return 0;
}
