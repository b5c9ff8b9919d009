// The Slack summary after a push: the original scheduler's form, and that a
// push with no move posts nothing.

#include "services/scheduler/push_summary.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/scheduler/recording_notifier.h"
#include "services/scheduler/repo_model.h"
#include "testing/fake_clock.h"

namespace tracker::scheduler {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using ::testing::Invoke;
using ::testing::IsEmpty;
using ::testing::Return;
using namespace tracker::v1;  // NOLINT: generated message names

JobChange Change(const std::string& study, const std::string& job, const std::string& from,
                 const std::string& to) {
  JobChange c;
  c.mutable_key()->set_study_id(study);
  c.mutable_key()->set_batch_id("2021-07-09");
  c.mutable_key()->set_job_id(job);
  c.set_from_folder(from);
  c.set_to_folder(to);
  return c;
}

ReportResponse Report() {
  ReportResponse r;
  r.set_text(
      "OCCAMS-GB backlog 4\nOCCAMS-GB queued 1\nPACA-CA backlog 10\nPACA-CA completed 5\n"
      "PACA-CA onhold 1\nPACA-CA queued 3\nPACA-CAX backlog 2\n");
  return r;
}

TEST(FormatPushSummaryTest, MovesCountedPerStudyThenTheMovedStudiesTotals) {
  const std::vector<JobChange> changes = {
      Change("PACA-CA", "job.0002", "queued", "completed"),
      Change("PACA-CA", "job.0003", "backlog", "queued"),
      Change("PACA-CA", "job.0001", "queued", "completed"),
      Change("PACA-CA", "job.0004", "backlog", "queued"),
      Change("PACA-CA", "job.0005", "backlog", "queued"),
      Change("PACA-CAX", "job.0009", "", "backlog"),  // added: not a move
      Change("OCCAMS-GB", "job.0001", "backlog", "queued"),
  };
  EXPECT_EQ(FormatPushSummary(changes, Report()),
            "```\n"
            "OCCAMS-GB backlog->queued 1\n"
            "PACA-CA backlog->queued 3\n"
            "PACA-CA queued->completed 2\n"
            "\n"
            "OCCAMS-GB backlog 4\n"
            "OCCAMS-GB queued 1\n"
            "PACA-CA backlog 10\n"
            "PACA-CA completed 5\n"
            "PACA-CA onhold 1\n"
            "PACA-CA queued 3\n"
            "```");
}

TEST(FormatPushSummaryTest, NoMoveNoSummary) {
  EXPECT_EQ(FormatPushSummary({}, Report()), "");
  EXPECT_EQ(FormatPushSummary({Change("PACA-CA", "job.0001", "queued", "")}, Report()), "");
}

class PushAnnouncerTest : public ::testing::Test {
 protected:
  testing::FakeClock clock_;
  RepoModel repo_model_;
  RepoClient repo_{&repo_model_.stub, OneAttempt(), &clock_};
  RecordingNotifier notifier_;
  PushAnnouncer announcer_{&repo_, &notifier_};
};

TEST_F(PushAnnouncerTest, PostsTheSummaryAsInfoBetweenTheTwoCommits) {
  ON_CALL(repo_model_.stub, Report(_, _, _))
      .WillByDefault(Invoke([](auto*, auto&, ReportResponse* out) {
        *out = Report();
        return grpc::Status::OK;
      }));
  EXPECT_CALL(repo_model_.stub, ListTransitions(_, _, _))
      .WillOnce(Invoke([](auto*, const ListTransitionsRequest& req, ListTransitionsResponse* out) {
        EXPECT_EQ(req.from_commit(), "before");
        EXPECT_EQ(req.to_commit(), "after");
        *out->add_changes() = Change("OCCAMS-GB", "job.0001", "backlog", "queued");
        return grpc::Status::OK;
      }));
  announcer_.Announce("before", "after");
  EXPECT_THAT(notifier_.texts(),
              ElementsAre(":information_source:\n```\nOCCAMS-GB backlog->queued 1\n\n"
                          "OCCAMS-GB backlog 4\nOCCAMS-GB queued 1\n```"));
}

TEST_F(PushAnnouncerTest, NothingMovedOrUnreadablePostsNothing) {
  announcer_.Announce("before", "after");  // the model answers no change
  EXPECT_CALL(repo_model_.stub, ListTransitions(_, _, _))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down")));
  announcer_.Announce("before", "after");
  EXPECT_THAT(notifier_.texts(), IsEmpty());
}

}  // namespace
}  // namespace tracker::scheduler
