// RunChecker (steps 1-3): what each run state does to its job, and that
// infrastructure trouble never fails a job.

#include "services/scheduler/run_checker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "proto/tracker/v1/verifier_mock.grpc.pb.h"
#include "services/scheduler/recording_notifier.h"
#include "services/scheduler/repo_model.h"
#include "services/scheduler/wes_model.h"
#include "testing/fake_clock.h"

namespace tracker::scheduler {
namespace {

using ::testing::_;
using ::testing::Invoke;
using ::testing::NiceMock;
using ::testing::Return;
using namespace tracker::v1;  // NOLINT: generated message names

class RunCheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ON_CALL(verifier_, VerifyAnalyses(_, _, _))
        .WillByDefault(Invoke([this](auto*, auto&, VerifyAnalysesResponse* out) {
          if (song_down_) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "song down");
          out->set_verified(published_);
          out->set_summary(published_ ? "1 of 1 analyses PUBLISHED" : "0 of 1 analyses PUBLISHED");
          return grpc::Status::OK;
        }));
  }
  // A job queued on qa with its run.
  JobSummary Queued(const std::string& job, const std::string& run_id) {
    repo_model_.AddJob("S-A", job, JOB_STATE_QUEUED,
                       {MarkerName(absl::ToUnixSeconds(clock_.Now()) - 60, "qa", run_id)});
    JobSummary s;
    *s.mutable_key() = repo_model_.Get("S-A", job).key;
    s.set_state(JOB_STATE_QUEUED);
    *s.mutable_current_run() = ParseRunMarker(repo_model_.Get("S-A", job).markers.back());
    return s;
  }
  RunChecker::Result Check(const std::vector<JobSummary>& running, EnvironmentCycle* out) {
    return checker_.Check("qa", running, out);
  }

  testing::FakeClock clock_;
  RecordingNotifier notifier_;
  Alerter alerts_{&notifier_, &clock_};
  RepoModel repo_model_;
  WesModel wes_;
  NiceMock<MockAzureVerifierStub> verifier_;
  RepoClient repo_{&repo_model_.stub, OneAttempt(), &clock_};
  RpcCaller upstream_{OneAttempt(), &clock_};
  JobVerifier verification_{&repo_, &verifier_, &upstream_, 8};
  RunChecker checker_{&wes_.stub, &upstream_, &verification_, &alerts_, &clock_, absl::Minutes(120)};
  bool song_down_ = false, published_ = true;
};

TEST_F(RunCheckerTest, VerifiedGoesToCompletedFailuresToFailedOthersStay) {
  std::vector<JobSummary> running = {Queued("job.0001", "wes-c"), Queued("job.0002", "wes-e"),
                                     Queued("job.0003", "wes-r"), Queued("job.0004", "wes-x"),
                                     Queued("job.0005", "wes-k")};
  wes_.run_states = {{"wes-c", RUN_STATE_COMPLETE}, {"wes-e", RUN_STATE_EXECUTOR_ERROR},
                     {"wes-r", RUN_STATE_RUNNING}, {"wes-x", RUN_STATE_CANCELED},
                     {"wes-k", RUN_STATE_UNKNOWN}};
  EnvironmentCycle out;
  RunChecker::Result r = Check(running, &out);
  EXPECT_FALSE(r.wes_down);
  ASSERT_EQ(r.moves.size(), 3u);
  EXPECT_EQ(r.moves[0].to_state(), JOB_STATE_COMPLETED);
  EXPECT_EQ(r.moves[1].to_state(), JOB_STATE_FAILED);
  EXPECT_EQ(r.moves[2].to_state(), JOB_STATE_FAILED);
  for (const auto& m : r.moves) EXPECT_EQ(m.from_state(), JOB_STATE_QUEUED);
  EXPECT_EQ(out.completed(), 1);
  EXPECT_EQ(out.failed(), 2);
  ASSERT_EQ(out.actions_size(), 3);  // running and unknown runs say nothing
  EXPECT_EQ(out.actions(0).action(), CYCLE_ACTION_COMPLETED);
  EXPECT_EQ(out.actions(0).detail(), "1 of 1 analyses PUBLISHED");
  EXPECT_EQ(out.actions(1).action(), CYCLE_ACTION_FAILED);
  EXPECT_EQ(out.actions(1).detail(), "EXECUTOR_ERROR");
  EXPECT_EQ(out.actions(2).detail(), "CANCELED");
}

TEST_F(RunCheckerTest, AFailedRunsDetailCarriesItsErrorSummaryCut) {
  std::vector<JobSummary> running = {Queued("job.0001", "wes-e")};
  EXPECT_CALL(wes_.stub, GetRunStates(_, _, _))
      .WillOnce(Invoke([](auto*, auto&, GetRunStatesResponse* out) {
        auto* r = out->add_runs();
        r->set_run_id("wes-e");
        r->set_state(RUN_STATE_SYSTEM_ERROR);
        r->set_error_summary(std::string(500, 'x'));
        return grpc::Status::OK;
      }));
  EnvironmentCycle out;
  Check(running, &out);
  ASSERT_EQ(out.actions_size(), 1);
  EXPECT_EQ(out.actions(0).detail(), "SYSTEM_ERROR: " + std::string(300, 'x'));
}

TEST_F(RunCheckerTest, AnUnreachableWorkflowServiceMovesNothingAndAlertsOnce) {
  std::vector<JobSummary> running = {Queued("job.0001", "wes-c")};
  wes_.down = true;
  EXPECT_CALL(verifier_, VerifyAnalyses(_, _, _)).Times(0);
  for (int i = 0; i < 2; ++i) {
    EnvironmentCycle out;
    RunChecker::Result r = Check(running, &out);
    EXPECT_TRUE(r.wes_down);
    EXPECT_TRUE(r.moves.empty());
    EXPECT_EQ(out.outcome(), CYCLE_OUTCOME_UNAVAILABLE);
    EXPECT_EQ(out.message(), "workflow service of qa unavailable: wes down");
  }
  EXPECT_EQ(notifier_.Count("workflow service of qa unavailable"), 1);
}

TEST_F(RunCheckerTest, AnAnswerMissingRunsCountsAsAnOutage) {
  std::vector<JobSummary> running = {Queued("job.0001", "wes-c"), Queued("job.0002", "wes-d")};
  EXPECT_CALL(wes_.stub, GetRunStates(_, _, _))
      .WillOnce(Invoke([](auto*, auto&, GetRunStatesResponse* out) {
        out->add_runs()->set_state(RUN_STATE_EXECUTOR_ERROR);
        return grpc::Status::OK;
      }));
  EnvironmentCycle out;
  EXPECT_TRUE(Check(running, &out).wes_down);
}

TEST_F(RunCheckerTest, ARunThatCannotBeReadWaitsWithAWarning) {
  std::vector<JobSummary> running = {Queued("job.0001", "wes-c")};
  EXPECT_CALL(wes_.stub, GetRunStates(_, _, _))
      .WillOnce(Invoke([](auto*, auto&, GetRunStatesResponse* out) {
        auto* r = out->add_runs();
        r->set_run_id("wes-c");
        r->set_error_code(5);
        r->set_error_message("run not found");
        return grpc::Status::OK;
      }));
  EnvironmentCycle out;
  RunChecker::Result r = Check(running, &out);
  EXPECT_TRUE(r.moves.empty());
  ASSERT_EQ(out.actions_size(), 1);
  EXPECT_EQ(out.actions(0).action(), CYCLE_ACTION_WAITING);
  EXPECT_EQ(notifier_.Count("cannot be read: run not found"), 1);
}

TEST_F(RunCheckerTest, ASongOutageKeepsCompleteRunsWaitingAndAlertsOnce) {
  std::vector<JobSummary> running = {Queued("job.0001", "wes-c"), Queued("job.0002", "wes-d")};
  wes_.run_states = {{"wes-c", RUN_STATE_COMPLETE}, {"wes-d", RUN_STATE_COMPLETE}};
  song_down_ = true;
  EnvironmentCycle out;
  RunChecker::Result r = Check(running, &out);
  EXPECT_TRUE(r.moves.empty());
  ASSERT_EQ(out.actions_size(), 2);
  EXPECT_EQ(out.actions(0).action(), CYCLE_ACTION_WAITING);
  EXPECT_EQ(out.actions(0).detail(), "COMPLETE, not verified: song down");
  EXPECT_EQ(notifier_.Count("destination SONG unavailable"), 1);
}

TEST_F(RunCheckerTest, AJobThatCannotBeVerifiedIsNamedInItsAlert) {
  std::vector<JobSummary> running = {Queued("job.0001", "wes-c")};
  repo_model_.Get("S-A", "job.0001").params = R"({"study_id":"S"})";
  wes_.run_states = {{"wes-c", RUN_STATE_COMPLETE}};
  EnvironmentCycle out;
  Check(running, &out);
  EXPECT_EQ(notifier_.Count("job.0001: params.json lacks upload_song_url"), 1);
}

TEST_F(RunCheckerTest, AnUnpublishedRunWarnsOnlyAfterTheConfiguredWait) {
  std::vector<JobSummary> running = {Queued("job.0001", "wes-c")};
  wes_.run_states = {{"wes-c", RUN_STATE_COMPLETE}};
  published_ = false;
  EnvironmentCycle first;
  Check(running, &first);
  ASSERT_EQ(first.actions_size(), 1);
  EXPECT_EQ(first.actions(0).action(), CYCLE_ACTION_WAITING);
  EXPECT_EQ(first.actions(0).detail(), "COMPLETE; 0 of 1 analyses PUBLISHED");
  clock_.Advance(absl::Minutes(119));
  EnvironmentCycle second;
  Check(running, &second);
  EXPECT_EQ(notifier_.Count("is COMPLETE but"), 0);
  clock_.Advance(absl::Minutes(1));
  EnvironmentCycle third;
  Check(running, &third);
  EXPECT_EQ(notifier_.Count("is COMPLETE but"), 1);
  // Published at last: completed, and the wait starts over for a later run.
  published_ = true;
  EnvironmentCycle done;
  EXPECT_EQ(Check(running, &done).moves.size(), 1u);
}

TEST_F(RunCheckerTest, NoRunsNoCall) {
  EXPECT_CALL(wes_.stub, GetRunStates(_, _, _)).Times(0);
  EnvironmentCycle out;
  EXPECT_FALSE(Check({}, &out).wes_down);
}

}  // namespace
}  // namespace tracker::scheduler
