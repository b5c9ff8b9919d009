// FailedVerifier: failed jobs checked in SONG a few per cycle, round robin;
// all PUBLISHED moves to completed/ with a commit and a Slack line saying
// why; anything short of a verdict leaves the job where it is.

#include "services/scheduler/failed_verifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "proto/tracker/v1/verifier_mock.grpc.pb.h"
#include "services/scheduler/recording_notifier.h"
#include "services/scheduler/repo_model.h"
#include "testing/fake_clock.h"
#include "tracking/proto.h"

namespace tracker::scheduler {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using ::testing::Invoke;
using ::testing::NiceMock;
using namespace tracker::v1;  // NOLINT: generated message names

// azure-verifier as a map of analysis -> published; "down" answers
// UNAVAILABLE.
class FailedVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ON_CALL(verifier_, VerifyAnalyses(_, _, _))
        .WillByDefault(Invoke([this](auto*, const VerifyAnalysesRequest& req,
                                     VerifyAnalysesResponse* out) {
          absl::MutexLock lock(&mu_);
          asked_.push_back(req.analysis_ids(0));
          if (down_) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "SONG down");
          bool all = true;
          for (const auto& a : req.analysis_ids()) all &= published_.count(a) > 0;
          out->set_verified(all);
          out->set_summary(all ? "1 of 1 analyses PUBLISHED" : "0 of 1 analyses PUBLISHED");
          return grpc::Status::OK;
        }));
  }
  void AddFailed(const std::string& job) {
    repo_model_.AddJob("PACA-CA", job, JOB_STATE_FAILED).params =
        absl::StrCat(R"({"study_id":"PACA-CA","analysis_id":["a-)", job,
                     R"("],"upload_song_url":"http://song"})");
  }
  void Publish(const std::string& job) {
    absl::MutexLock lock(&mu_);
    published_.insert("a-" + job);
  }
  std::vector<std::string> Asked() {
    absl::MutexLock lock(&mu_);
    std::vector<std::string> out = asked_;
    asked_.clear();
    return out;
  }

  testing::FakeClock clock_;
  RepoModel repo_model_;
  RepoClient repo_{&repo_model_.stub, OneAttempt(), &clock_};
  RpcCaller upstream_{OneAttempt(), &clock_};
  NiceMock<MockAzureVerifierStub> verifier_;
  JobVerifier jobs_{&repo_, &verifier_, &upstream_, 4};
  RecordingNotifier slack_;
  Alerter alerts_{&slack_, &clock_};
  absl::Mutex mu_;
  std::set<std::string> published_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> asked_ ABSL_GUARDED_BY(mu_);
  bool down_ ABSL_GUARDED_BY(mu_) = false;
};

TEST_F(FailedVerifierTest, AllPublishedMovesToCompletedWithACommitAndSlackSayingWhy) {
  AddFailed("job.0001");
  AddFailed("job.0002");
  Publish("job.0002");
  FailedVerifier failed(&repo_, &jobs_, &alerts_, 10);
  FailedVerifier::Result r = failed.Run(false);
  EXPECT_EQ(r.completed, 1);
  EXPECT_EQ(r.not_published, 1);
  EXPECT_TRUE(r.error.empty());
  ASSERT_EQ(r.checked.size(), 2u);
  EXPECT_EQ(r.checked[0].action(), CYCLE_ACTION_WAITING);
  EXPECT_EQ(r.checked[1].action(), CYCLE_ACTION_PUBLISHED);
  EXPECT_EQ(repo_model_.Get("PACA-CA", "job.0001").state, JOB_STATE_FAILED);
  EXPECT_EQ(repo_model_.Get("PACA-CA", "job.0002").state, JOB_STATE_COMPLETED);
  ASSERT_EQ(repo_model_.messages.size(), 1u);
  EXPECT_EQ(repo_model_.messages[0],
            "[scheduler] update job status: 1 failed job completed, analyses all PUBLISHED in "
            "SONG\n\nPACA-CA/2021-07-01/job.0002\n");
  EXPECT_EQ(slack_.Count("1 failed job moved to completed/: the analyses are all PUBLISHED in SONG"),
            1);
  EXPECT_EQ(slack_.Count("PACA-CA/2021-07-01/job.0002: failed, but 1 of 1 analyses PUBLISHED"), 1);
}

TEST_F(FailedVerifierTest, ChecksAFewPerCycleRoundRobinSoEveryJobGetsItsTurn) {
  for (int i = 1; i <= 5; ++i) AddFailed(absl::StrCat("job.000", i));
  FailedVerifier failed(&repo_, &jobs_, &alerts_, 2);
  failed.Run(false);
  EXPECT_THAT(Asked(), ::testing::ElementsAre("a-job.0001", "a-job.0002"));
  failed.Run(false);
  EXPECT_THAT(Asked(), ::testing::ElementsAre("a-job.0003", "a-job.0004"));
  failed.Run(false);  // wraps round
  EXPECT_THAT(Asked(), ::testing::UnorderedElementsAre("a-job.0005", "a-job.0001"));
  // A dry run checks the next turn but neither moves nor advances.
  Publish("job.0002");
  FailedVerifier::Result dry = failed.Run(true);
  EXPECT_THAT(Asked(), ::testing::ElementsAre("a-job.0002", "a-job.0003"));
  EXPECT_EQ(dry.checked[0].action(), CYCLE_ACTION_PUBLISHED);
  EXPECT_EQ(repo_model_.Get("PACA-CA", "job.0002").state, JOB_STATE_FAILED);
  EXPECT_TRUE(repo_model_.messages.empty());
  FailedVerifier::Result real = failed.Run(false);
  EXPECT_THAT(Asked(), ::testing::ElementsAre("a-job.0002", "a-job.0003"));
  EXPECT_EQ(real.completed, 1);
  EXPECT_EQ(repo_model_.Get("PACA-CA", "job.0002").state, JOB_STATE_COMPLETED);
}

TEST_F(FailedVerifierTest, SongDownOrNoDestinationLeavesTheJobs) {
  AddFailed("job.0001");
  repo_model_.AddJob("PACA-CA", "job.0002", JOB_STATE_FAILED).params = R"({"study_id":"PACA-CA"})";
  Publish("job.0001");
  {
    absl::MutexLock lock(&mu_);
    down_ = true;
  }
  FailedVerifier failed(&repo_, &jobs_, &alerts_, 10);
  FailedVerifier::Result r = failed.Run(false);
  EXPECT_EQ(r.completed, 0);
  EXPECT_EQ(r.unverifiable, 2);
  for (const auto& a : r.checked) {
    EXPECT_EQ(a.action(), CYCLE_ACTION_WAITING);
    EXPECT_THAT(a.detail(), HasSubstr("not verified"));
  }
  EXPECT_EQ(repo_model_.InState(JOB_STATE_FAILED), 2);
  EXPECT_TRUE(repo_model_.messages.empty());
}

TEST_F(FailedVerifierTest, OffWhenZeroPerCycle) {
  AddFailed("job.0001");
  Publish("job.0001");
  FailedVerifier failed(&repo_, &jobs_, &alerts_, 0);
  EXPECT_TRUE(failed.Run(false).checked.empty());
  EXPECT_TRUE(Asked().empty());
  EXPECT_EQ(repo_model_.Get("PACA-CA", "job.0001").state, JOB_STATE_FAILED);
}

TEST_F(FailedVerifierTest, AJobRequeuedMeanwhileIsNotMoved) {
  AddFailed("job.0001");
  Publish("job.0001");
  // repo-service refuses the move: the job is no longer in failed/.
  EXPECT_CALL(repo_model_.stub, TransitionJobs(_, _, _))
      .WillOnce(::testing::Return(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                               "PACA-CA/2021-07-01/job.0001 is in backlog/")));
  FailedVerifier failed(&repo_, &jobs_, &alerts_, 10);
  FailedVerifier::Result r = failed.Run(false);
  EXPECT_EQ(r.completed, 0);
  EXPECT_THAT(r.error, HasSubstr("not moved"));
  EXPECT_EQ(r.checked[0].action(), CYCLE_ACTION_WAITING);
  EXPECT_EQ(slack_.Count("moved to completed/"), 0);
}

}  // namespace
}  // namespace tracker::scheduler
