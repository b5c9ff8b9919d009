// kill -9 of repo-service in the middle of a stream of transitions: after a
// restart every job is in exactly one state folder, no job is lost, writes
// work again (no stale lock), and `git fsck --full` is clean.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "proto/tracker/v1/repo.grpc.pb.h"
#include "testing/test_util.h"

namespace tracker {
namespace {

using ::tracker::testing::ChildProcess;
using ::tracker::testing::Runfile;
using ::tracker::testing::Shell;
using ::tracker::testing::ShellQuote;
using ::tracker::testing::TempDir;

constexpr int kJobs = 40;

class RepoServiceCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    remote_ = tmp_.path() + "/remote.git";
    auto gen = Shell(absl::StrCat("python3 ", ShellQuote(Runfile("tools/gen_tracking_repo.py")),
                                  " ", ShellQuote(remote_), " --jobs ", kJobs, " --studies 2"));
    ASSERT_EQ(gen.exit_code, 0) << gen.output;
  }

  std::unique_ptr<ChildProcess> Start() {
    std::string port_file = tmp_.path() + "/port";
    std::remove(port_file.c_str());
    auto child = std::make_unique<ChildProcess>(
        std::vector<std::string>{Runfile("services/repo_service/repo-service"),
                                 "--listen=127.0.0.1:0", "--insecure_plaintext", "--port_file=" + port_file,
                                 "--repo=" + tmp_.path() + "/clone.git", "--remote=" + remote_},
        tmp_.path() + "/repo-service.log");
    int port = ::tracker::testing::WaitForPortFile(port_file);
    EXPECT_GT(port, 0) << Shell("cat " + tmp_.path() + "/repo-service.log").output;
    stub_ = tracker::v1::RepoService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
    return child;
  }

  // Every job once, in one of the four states.
  void ExpectEveryJobInExactlyOneFolder() {
    grpc::ClientContext ctx;
    tracker::v1::AuditRequest req;
    tracker::v1::AuditResponse audit;
    ASSERT_TRUE(stub_->Audit(&ctx, req, &audit).ok());
    for (const auto& f : audit.findings()) {
      EXPECT_NE(f.code(), "JOB_IN_TWO_FOLDERS") << f.message();
      EXPECT_NE(f.code(), "NO_JOB_DIR") << f.message();
    }
    grpc::ClientContext ctx2;
    tracker::v1::ListJobsRequest list;
    tracker::v1::ListJobsResponse jobs;
    ASSERT_TRUE(stub_->ListJobs(&ctx2, list, &jobs).ok());
    EXPECT_EQ(jobs.total_size(), kJobs);
  }

  TempDir tmp_;
  std::string remote_;
  std::unique_ptr<tracker::v1::RepoService::Stub> stub_;
};

TEST_F(RepoServiceCrashTest, KillNineMidStreamLosesNothing) {
  std::mt19937 rng(42);
  int committed_total = 0;
  for (int round = 0; round < 6; ++round) {
    auto service = Start();
    ExpectEveryJobInExactlyOneFolder();
    std::atomic<bool> stop{false};
    std::atomic<int> committed{0};
    std::thread writer([&] {
      std::mt19937 local(round);
      while (!stop) {
        grpc::ClientContext list_ctx;
        tracker::v1::ListJobsRequest list;
        tracker::v1::ListJobsResponse jobs;
        if (!stub_->ListJobs(&list_ctx, list, &jobs).ok()) return;
        const auto& job = jobs.jobs(local() % jobs.jobs_size());
        tracker::v1::TransitionJobsRequest req;
        auto* t = req.add_transitions();
        *t->mutable_key() = job.key();
        t->set_from_state(job.state());
        t->set_to_state(job.state() == tracker::v1::JOB_STATE_BACKLOG
                            ? tracker::v1::JOB_STATE_QUEUED
                            : job.state() == tracker::v1::JOB_STATE_QUEUED
                                  ? tracker::v1::JOB_STATE_FAILED
                                  : tracker::v1::JOB_STATE_BACKLOG);
        if (t->to_state() == tracker::v1::JOB_STATE_QUEUED) {
          t->mutable_add_run()->set_epoch_seconds(1700000000 + committed + round * 1000);
          t->mutable_add_run()->set_environment("rdpc_qa");
          t->mutable_add_run()->set_run_id(absl::StrCat("wes-", round, "x", committed.load()));
        }
        grpc::ClientContext ctx;
        tracker::v1::WriteResult result;
        grpc::Status s = stub_->TransitionJobs(&ctx, req, &result);
        if (s.error_code() == grpc::StatusCode::UNAVAILABLE) return;
        if (s.ok()) ++committed;
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 400));
    service->Signal(SIGKILL);
    EXPECT_EQ(service->Wait(), 128 + SIGKILL);
    stop = true;
    writer.join();
    committed_total += committed;
  }
  EXPECT_GT(committed_total, 20) << "the writer should have committed between kills";

  auto service = Start();
  ExpectEveryJobInExactlyOneFolder();
  // Writes work after the crashes: no ref lock was left behind.
  grpc::ClientContext ctx;
  tracker::v1::SetFlagRequest flag;
  flag.mutable_flag()->set_kind(tracker::v1::FLAG_KIND_PAUSE);
  flag.mutable_flag()->set_environment("rdpc_qa");
  tracker::v1::WriteResult result;
  grpc::Status s = stub_->SetFlag(&ctx, flag, &result);
  EXPECT_TRUE(s.ok()) << s.error_message();
  service->Signal(SIGTERM);
  EXPECT_EQ(service->Wait(), 0);
  auto fsck = Shell(absl::StrCat("git -C ", ShellQuote(tmp_.path() + "/clone.git"), " fsck --full"));
  EXPECT_EQ(fsck.exit_code, 0) << fsck.output;
}

}  // namespace
}  // namespace tracker
