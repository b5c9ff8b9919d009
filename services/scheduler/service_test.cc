// SchedulerServiceImpl: what a gRPC caller gets back, codes included.

#include "services/scheduler/service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "proto/tracker/v1/verifier_mock.grpc.pb.h"
#include "services/scheduler/repo_model.h"
#include "services/scheduler/wes_model.h"
#include "testing/fake_clock.h"

namespace tracker::scheduler {
namespace {

using ::testing::NiceMock;
using namespace tracker::v1;  // NOLINT: generated message names

class ServiceTest : public ::testing::Test {
 protected:
  TrackerConfig Config() {
    TrackerConfig config;
    config.scheduling_interval_minutes = 30;
    ComputeEnvironment qa;
    qa.name = "qa";
    qa.max_parallel_runs = 2;
    config.compute_environments["qa"] = qa;
    return config;
  }

  testing::FakeClock clock_;
  RepoModel repo_;
  WesModel wes_;
  NiceMock<MockAzureVerifierStub> verifier_;
  LogOnlyNotifier no_webhook_;
  Scheduler scheduler_{Config(), SchedulerOptions(), &repo_.stub, &wes_.stub,
                       &verifier_, &no_webhook_, &clock_};
  SchedulerServiceImpl service_{&scheduler_};
};

TEST_F(ServiceTest, SendReportWithoutAWebhookIsFailedPreconditionNotSent) {
  SendReportRequest req;
  SendReportResponse out;
  grpc::Status s = service_.SendReport(nullptr, &req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(), "no Slack webhook configured");
  EXPECT_FALSE(out.sent());
  // A dry run only answers the text.
  req.set_dry_run(true);
  ASSERT_TRUE(service_.SendReport(nullptr, &req, &out).ok());
  EXPECT_FALSE(out.sent());
  EXPECT_FALSE(out.text().empty());
}

TEST_F(ServiceTest, CodesOfTheSchedulerReachTheCaller) {
  RunCycleRequest cycle;
  cycle.set_environment("nope");
  RunCycleResponse cycled;
  EXPECT_EQ(service_.RunCycle(nullptr, &cycle, &cycled).error_code(),
            grpc::StatusCode::NOT_FOUND);
  SetMaxParallelRunsRequest set;
  set.set_environment("qa");
  set.set_max_parallel_runs(-1);
  SetMaxParallelRunsResponse changed;
  EXPECT_EQ(service_.SetMaxParallelRuns(nullptr, &set, &changed).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  set.set_max_parallel_runs(5);
  ASSERT_TRUE(service_.SetMaxParallelRuns(nullptr, &set, &changed).ok());
  EXPECT_EQ(changed.previous(), 2);
  GetStatusResponse status;
  ASSERT_TRUE(service_.GetStatus(nullptr, nullptr, &status).ok());
  ASSERT_EQ(status.environments_size(), 1);
  EXPECT_EQ(status.environments(0).max_parallel_runs(), 5);
  EXPECT_EQ(status.environments(0).last_outcome(), CYCLE_OUTCOME_UNSPECIFIED);
}

}  // namespace
}  // namespace tracker::scheduler
