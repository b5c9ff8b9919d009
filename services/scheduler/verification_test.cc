// JobVerifier: where to ask comes from each job's params.json; what
// azure-verifier answers, or why there is no answer; the fan-out's bound.

#include "services/scheduler/verification.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/synchronization/mutex.h"
#include "proto/tracker/v1/verifier_mock.grpc.pb.h"
#include "services/scheduler/repo_model.h"
#include "testing/fake_clock.h"

namespace tracker::scheduler {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using ::testing::Invoke;
using ::testing::Return;
using ::testing::StrictMock;
using namespace tracker::v1;  // NOLINT: generated message names

class VerificationTest : public ::testing::Test {
 protected:
  JobVerifier Make(int concurrency) {
    return JobVerifier(&repo_, &verifier_, &upstream_, concurrency);
  }
  JobKey Key(const std::string& job) { return repo_model_.Get("S-A", job).key; }

  testing::FakeClock clock_;
  RepoModel repo_model_;
  RepoClient repo_{&repo_model_.stub, OneAttempt(), &clock_};
  RpcCaller upstream_{OneAttempt(), &clock_};
  StrictMock<MockAzureVerifierStub> verifier_;
};

TEST(VerifyTargetTest, ReadsTheDestinationTheStudyAndEveryAnalysis) {
  auto t = VerifyTargetOf(
      R"({"study_id":"PACA-CA","analysis_id":["a1","a2"],"upload_song_url":"http://song",)"
      R"("upload_score_url":"http://score","other":1})");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->song_url, "http://song");
  EXPECT_EQ(t->score_url, "http://score");
  EXPECT_EQ(t->study, "PACA-CA");
  EXPECT_THAT(t->analyses, ElementsAre("a1", "a2"));
}

TEST(VerifyTargetTest, OneAnalysisMayBeAString) {
  auto t = VerifyTargetOf(R"({"study_id":"S","analysis_id":"a1","upload_song_url":"http://song"})");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_THAT(t->analyses, ElementsAre("a1"));
  EXPECT_EQ(t->score_url, "");
}

TEST(VerifyTargetTest, WithoutDestinationStudyOrAnalysesItCannotBeVerified) {
  for (const char* params : {R"({"study_id":"S","analysis_id":["a1"]})",
                             R"({"analysis_id":["a1"],"upload_song_url":"http://song"})",
                             R"({"study_id":"S","analysis_id":[],"upload_song_url":"http://song"})"}) {
    EXPECT_EQ(VerifyTargetOf(params).status().code(), absl::StatusCode::kFailedPrecondition) << params;
  }
  EXPECT_FALSE(VerifyTargetOf("not json").ok());
}

TEST_F(VerificationTest, AsksAzureVerifierWhatParamsJsonNames) {
  repo_model_.AddJob("S-A", "job.0001", JOB_STATE_QUEUED).params =
      R"({"study_id":"S-A","analysis_id":["a1","a2"],"upload_song_url":"http://song","upload_score_url":"http://score"})";
  EXPECT_CALL(verifier_, VerifyAnalyses(_, _, _))
      .WillOnce(Invoke([](auto*, const VerifyAnalysesRequest& req, VerifyAnalysesResponse* out) {
        EXPECT_EQ(req.song_url(), "http://song");
        EXPECT_EQ(req.score_url(), "http://score");
        EXPECT_EQ(req.study_id(), "S-A");
        EXPECT_THAT(req.analysis_ids(), ElementsAre("a1", "a2"));
        out->set_verified(true);
        out->set_summary("2 of 2 analyses PUBLISHED");
        return grpc::Status::OK;
      }));
  auto verdicts = Make(8).Verify({Key("job.0001")});
  ASSERT_EQ(verdicts.size(), 1u);
  ASSERT_TRUE(verdicts[0].ok()) << verdicts[0].status();
  EXPECT_TRUE(verdicts[0]->verified());
}

TEST_F(VerificationTest, EachJobHasItsOwnAnswerInOrder) {
  repo_model_.AddJob("S-A", "job.0001", JOB_STATE_QUEUED);
  repo_model_.AddJob("S-A", "job.0002", JOB_STATE_QUEUED).params = R"({"study_id":"S"})";
  repo_model_.AddJob("S-A", "job.0003", JOB_STATE_QUEUED);
  JobKey missing = Key("job.0001");
  missing.set_job_id("job.0009");
  EXPECT_CALL(verifier_, VerifyAnalyses(_, _, _))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "SONG down")))
      .WillOnce(Invoke([](auto*, auto&, VerifyAnalysesResponse* out) {
        out->set_verified(false);
        return grpc::Status::OK;
      }));
  // One at a time, so the scripted answers go in order.
  auto verdicts = Make(1).Verify({Key("job.0001"), Key("job.0002"), missing, Key("job.0003")});
  ASSERT_EQ(verdicts.size(), 4u);
  EXPECT_EQ(verdicts[0].status().code(), absl::StatusCode::kUnavailable);  // never "not published"
  EXPECT_EQ(verdicts[1].status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(verdicts[2].status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(verdicts[3].ok());
  EXPECT_FALSE(verdicts[3]->verified());
}

TEST_F(VerificationTest, NoMoreThanTheConcurrencyInFlight) {
  std::vector<JobKey> keys;
  for (int i = 1; i <= 6; ++i) {
    keys.push_back(repo_model_.AddJob("S-A", "job.000" + std::to_string(i), JOB_STATE_QUEUED).key);
  }
  absl::Mutex mu;
  int in_flight = 0, most = 0;
  bool overlapped = false;
  EXPECT_CALL(verifier_, VerifyAnalyses(_, _, _))
      .Times(6)
      .WillRepeatedly(Invoke([&](auto*, auto&, VerifyAnalysesResponse* out) {
        absl::MutexLock lock(&mu);
        most = std::max(most, ++in_flight);
        if (in_flight >= 2) overlapped = true;
        // The first call waits for a second one, so calls do overlap and
        // the bound is what limits them.
        mu.AwaitWithTimeout(absl::Condition(&overlapped), absl::Seconds(5));
        --in_flight;
        out->set_verified(true);
        return grpc::Status::OK;
      }));
  auto verdicts = Make(2).Verify(keys);
  EXPECT_EQ(verdicts.size(), 6u);
  EXPECT_EQ(most, 2);
}

}  // namespace
}  // namespace tracker::scheduler
