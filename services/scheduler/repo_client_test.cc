// RepoClient against a gMock stub of repo-service: what each call asks,
// paging, and which calls are tried again.

#include "services/scheduler/repo_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "proto/tracker/v1/repo_mock.grpc.pb.h"
#include "testing/fake_clock.h"
#include "tracking/layout.h"

namespace tracker::scheduler {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using ::testing::Invoke;
using ::testing::Return;
using ::testing::StrictMock;
using namespace tracker::v1;  // NOLINT: generated message names

class RepoClientTest : public ::testing::Test {
 protected:
  RpcPolicy Policy() {
    RpcPolicy policy;
    policy.attempts = 3;
    return policy;
  }
  StrictMock<MockRepoServiceStub> stub_;
  testing::FakeClock clock_;
  RepoClient repo_{&stub_, Policy(), &clock_};
};

JobSummary Summary(const std::string& job) {
  JobSummary s;
  s.mutable_key()->set_study_id("S-A");
  s.mutable_key()->set_batch_id("2021-07-01");
  s.mutable_key()->set_job_id(job);
  return s;
}

TEST_F(RepoClientTest, ListJobsAsksTheSchedulerBranchAndFollowsPagesUpToTheLimit) {
  std::vector<ListJobsRequest> asked;
  EXPECT_CALL(stub_, ListJobs(_, _, _))
      .Times(2)
      .WillRepeatedly(Invoke([&](auto*, const ListJobsRequest& req, ListJobsResponse* out) {
        asked.push_back(req);
        *out->add_jobs() = Summary(asked.size() == 1 ? "job.0001" : "job.0002");
        *out->add_jobs() = Summary(asked.size() == 1 ? "job.0003" : "job.0004");
        out->set_next_page_token("more");
        return grpc::Status::OK;
      }));
  JobQuery query;
  query.states = {JOB_STATE_BACKLOG};
  query.environment = "qa";
  query.min_run_epoch = 7;
  query.study = "S-A";
  query.limit = 4;
  auto jobs = repo_.ListJobs(query);
  ASSERT_TRUE(jobs.ok()) << jobs.status();
  EXPECT_EQ(jobs->size(), 4u);
  ASSERT_EQ(asked.size(), 2u);
  EXPECT_EQ(asked[0].branch(), tracking::kSchedulerBranch);
  EXPECT_THAT(asked[0].states(), ElementsAre(JOB_STATE_BACKLOG));
  EXPECT_EQ(asked[0].environment(), "qa");
  EXPECT_EQ(asked[0].min_run_epoch(), 7);
  EXPECT_THAT(asked[0].study_ids(), ElementsAre("S-A"));
  EXPECT_EQ(asked[0].page_size(), 4);
  EXPECT_EQ(asked[1].page_size(), 2);  // what is left of the limit
  EXPECT_EQ(asked[1].page_token(), "more");
}

TEST_F(RepoClientTest, ListJobsWithoutALimitReadsEveryPage) {
  int calls = 0;
  EXPECT_CALL(stub_, ListJobs(_, _, _))
      .Times(3)
      .WillRepeatedly(Invoke([&](auto*, const ListJobsRequest& req, ListJobsResponse* out) {
        EXPECT_EQ(req.page_size(), 10000);
        *out->add_jobs() = Summary("job.0001");
        if (++calls < 3) out->set_next_page_token("next");
        return grpc::Status::OK;
      }));
  auto jobs = repo_.ListJobs(JobQuery{});
  ASSERT_TRUE(jobs.ok());
  EXPECT_EQ(jobs->size(), 3u);
}

TEST_F(RepoClientTest, AReadIsTriedAgainWhenRepoServiceIsUnavailable) {
  EXPECT_CALL(stub_, GetJob(_, _, _))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting")))
      .WillOnce(Invoke([](auto*, const GetJobRequest& req, Job* out) {
        EXPECT_EQ(req.branch(), tracking::kSchedulerBranch);
        *out->mutable_key() = req.key();
        return grpc::Status::OK;
      }));
  auto job = repo_.GetJob(Summary("job.0001").key());
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(job->key().job_id(), "job.0001");
  EXPECT_EQ(clock_.sleeps().size(), 1u);
}

TEST_F(RepoClientTest, AWriteIsSentOnceAndItsCodeKept) {
  EXPECT_CALL(stub_, TransitionJobs(_, _, _))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting")));
  absl::Status s = repo_.TransitionJobs({}, "m");
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(clock_.sleeps().empty());
}

TEST_F(RepoClientTest, TransitionJobsIsOneCommitOnTheSchedulerBranch) {
  EXPECT_CALL(stub_, TransitionJobs(_, _, _))
      .WillOnce(Invoke([](auto*, const TransitionJobsRequest& req, WriteResult*) {
        EXPECT_EQ(req.options().branch(), tracking::kSchedulerBranch);
        EXPECT_EQ(req.options().message(), "[scheduler] update job status: 2 started");
        EXPECT_EQ(req.transitions_size(), 2);
        return grpc::Status(grpc::StatusCode::ABORTED, "tip moved");
      }));
  std::vector<Transition> moves(2);
  absl::Status s = repo_.TransitionJobs(moves, "[scheduler] update job status: 2 started");
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(s.message(), "tip moved");
}

TEST_F(RepoClientTest, SetFlagWritesTheSchedulerBranch) {
  EXPECT_CALL(stub_, SetFlag(_, _, _)).WillOnce(Invoke([](auto*, const SetFlagRequest& req, WriteResult*) {
    EXPECT_EQ(req.options().branch(), tracking::kSchedulerBranch);
    EXPECT_EQ(req.flag().kind(), FLAG_KIND_PAUSE);
    EXPECT_EQ(req.flag().environment(), "qa");
    return grpc::Status::OK;
  }));
  Flag flag;
  flag.set_kind(FLAG_KIND_PAUSE);
  flag.set_environment("qa");
  EXPECT_TRUE(repo_.SetFlag(flag, "m").ok());
}

TEST_F(RepoClientTest, ThePushedTipIsTheSchedulerBranchs) {
  EXPECT_CALL(stub_, GetSyncStatus(_, _, _))
      .WillOnce(Invoke([](auto*, auto&, GetSyncStatusResponse* out) {
        auto* main = out->add_branches();
        main->set_name(tracking::kMainBranch);
        main->set_remote_tip("m1");
        auto* sched = out->add_branches();
        sched->set_name(tracking::kSchedulerBranch);
        sched->set_remote_tip("s1");
        return grpc::Status::OK;
      }));
  auto tip = repo_.PushedSchedulerTip();
  ASSERT_TRUE(tip.ok());
  EXPECT_EQ(*tip, "s1");
}

TEST_F(RepoClientTest, MergeAndPushNameTheirBranches) {
  EXPECT_CALL(stub_, Merge(_, _, _)).WillOnce(Invoke([](auto*, const MergeRequest& req, MergeResponse*) {
    EXPECT_EQ(req.options().branch(), tracking::kMainBranch);
    EXPECT_EQ(req.source(), tracking::kRemoteMainRef);
    return grpc::Status::OK;
  }));
  EXPECT_CALL(stub_, Push(_, _, _)).WillOnce(Invoke([](auto*, const PushRequest& req, PushResponse* out) {
    EXPECT_EQ(req.branch(), tracking::kMainBranch);
    out->set_commit("c9");
    return grpc::Status::OK;
  }));
  EXPECT_TRUE(repo_.Merge(tracking::kMainBranch, tracking::kRemoteMainRef).ok());
  auto pushed = repo_.Push(tracking::kMainBranch);
  ASSERT_TRUE(pushed.ok());
  EXPECT_EQ(*pushed, "c9");
}

TEST_F(RepoClientTest, ListTransitionsAsksFromTheCommitGiven) {
  EXPECT_CALL(stub_, ListTransitions(_, _, _))
      .WillOnce(Invoke([](auto*, const ListTransitionsRequest& req, ListTransitionsResponse* out) {
        EXPECT_EQ(req.branch(), tracking::kSchedulerBranch);
        EXPECT_EQ(req.from_commit(), "r0");
        EXPECT_EQ(req.to_commit(), "");
        out->add_changes()->set_to_folder(tracking::StateFolder(tracking::State::kFailed));
        return grpc::Status::OK;
      }));
  auto changes = repo_.ListTransitions("r0");
  ASSERT_TRUE(changes.ok());
  EXPECT_EQ(changes->size(), 1u);
}

}  // namespace
}  // namespace tracker::scheduler
