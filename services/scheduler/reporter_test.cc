// Reporter: the report's text, what "since the last report" is measured
// from, and that only a report really sent moves that point.

#include "services/scheduler/reporter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/scheduler/recording_notifier.h"
#include "services/scheduler/repo_model.h"
#include "testing/fake_clock.h"
#include "tracking/flags.h"
#include "tracking/layout.h"

namespace tracker::scheduler {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Invoke;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Return;
using ::testing::StartsWith;
using namespace tracker::v1;  // NOLINT: generated message names

JobChange Change(const std::string& job, tracking::State from, tracking::State to) {
  JobChange c;
  c.mutable_key()->set_study_id("PACA-CA");
  c.mutable_key()->set_batch_id("2021-07-12");
  c.mutable_key()->set_job_id(job);
  c.set_from_folder(tracking::StateFolder(from));
  c.set_to_folder(tracking::StateFolder(to));
  return c;
}

ReportResponse Report() {
  ReportResponse report;
  report.set_total_jobs(3);
  report.set_commit("0123456789abcdef");
  report.set_text("PACA-CA backlog 1\nPACA-CA completed 2\n");
  return report;
}

TEST(FormatReportTest, TheSeedLinesThenWhatChangedThenTheFlags) {
  ReportResponse report = Report();
  report.add_flags()->set_path(tracking::FlagPath(tracking::FlagKind::kPause, "qa"));
  std::vector<JobChange> changes = {
      Change("job.0001", tracking::State::kQueued, tracking::State::kCompleted),
      Change("job.0002", tracking::State::kQueued, tracking::State::kCompleted),
      Change("job.0003", tracking::State::kBacklog, tracking::State::kQueued)};
  changes[2].set_from_folder("");  // a new job
  EXPECT_EQ(FormatReport(report, "fedcba9876543210", &changes),
            absl::StrCat("Transfer job status (3 jobs, scheduler 01234567)\n"
                         "PACA-CA backlog 1\nPACA-CA completed 2\n"
                         "Since the last report (fedcba98): 2 to completed, 1 to queued\n"
                         "  PACA-CA/2021-07-12/job.0001: queued -> completed\n"
                         "  PACA-CA/2021-07-12/job.0002: queued -> completed\n"
                         "  PACA-CA/2021-07-12/job.0003: new -> queued\n"
                         "Flag: ",
                         tracking::FlagPath(tracking::FlagKind::kPause, "qa"), "\n"));
}

TEST(FormatReportTest, UnknownChangesAreLeftOutNoChangesSaySo) {
  EXPECT_THAT(FormatReport(Report(), "", nullptr), Not(HasSubstr("Since the last report")));
  std::vector<JobChange> none;
  EXPECT_THAT(FormatReport(Report(), "fedcba98", &none),
              HasSubstr("Since the last report (fedcba98): no job moved\n"));
}

TEST(FormatReportTest, TwentyChangesAreListedTheRestCounted) {
  std::vector<JobChange> changes;
  for (int i = 0; i < 25; ++i) {
    changes.push_back(Change(absl::StrCat("job.00", 10 + i), tracking::State::kQueued,
                             tracking::State::kFailed));
  }
  const std::string text = FormatReport(Report(), "fedcba98", &changes);
  EXPECT_THAT(text, HasSubstr("job.0029: queued -> failed\n  ... and 5 more\n"));
  EXPECT_THAT(text, Not(HasSubstr("job.0030")));
}

class ReporterTest : public ::testing::Test {
 protected:
  // Where each ListTransitions asked from.
  std::vector<std::string> AskedFrom() {
    absl::MutexLock lock(&repo_model_.mu);
    std::vector<std::string> out;
    for (const auto& req : repo_model_.transitions_asked) out.push_back(req.from_commit());
    return out;
  }

  testing::FakeClock clock_;
  RepoModel repo_model_;
  RepoClient repo_{&repo_model_.stub, OneAttempt(), &clock_};
  RecordingNotifier notifier_;
  Reporter reporter_{&repo_, &notifier_, &clock_};
};

TEST_F(ReporterTest, TheFirstReportIsSinceThePushThenSinceTheLastSent) {
  auto sent = reporter_.Send(/*dry_run=*/false);
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_TRUE(sent->sent());
  EXPECT_THAT(notifier_.texts(), ElementsAre(":information_source:\n" + sent->text()));
  EXPECT_THAT(sent->text(), HasSubstr("Since the last report (r0)"));
  EXPECT_THAT(AskedFrom(), ElementsAre("r0"));
  // Nothing new since: nothing to compare.
  ASSERT_TRUE(reporter_.Send(false).ok());
  EXPECT_THAT(AskedFrom(), ElementsAre("r0"));
  repo_model_.report_commit = "c2";
  ASSERT_TRUE(reporter_.Send(false).ok());
  EXPECT_THAT(AskedFrom(), ElementsAre("r0", "c1"));
}

TEST_F(ReporterTest, ADryRunSendsNothingAndMovesNothing) {
  auto dry = reporter_.Send(/*dry_run=*/true);
  ASSERT_TRUE(dry.ok()) << dry.status();
  EXPECT_FALSE(dry->sent());
  EXPECT_THAT(dry->text(), HasSubstr("Transfer job status"));
  EXPECT_THAT(notifier_.texts(), IsEmpty());
  ASSERT_TRUE(reporter_.Send(false).ok());
  EXPECT_THAT(AskedFrom(), ElementsAre("r0", "r0"));
}

TEST_F(ReporterTest, AFailingWebhookAnswersNotSentAndMovesNothing) {
  notifier_.Answer(absl::UnavailableError("Slack webhook answered HTTP 500"));
  auto failed = reporter_.Send(false);
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_FALSE(failed->sent());
  notifier_.Answer(absl::OkStatus());
  ASSERT_TRUE(reporter_.Send(false).ok());
  EXPECT_THAT(AskedFrom(), ElementsAre("r0", "r0"));
}

TEST_F(ReporterTest, WithoutAWebhookItIsFailedPreconditionAndMovesNothing) {
  LogOnlyNotifier no_webhook;
  Reporter reporter(&repo_, &no_webhook, &clock_);
  auto answer = reporter.Send(false);
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(answer.status().message(), "no Slack webhook configured");
  // The point stayed: the next report is still since the push.
  repo_model_.remote_tip = "r1";
  EXPECT_FALSE(reporter.Send(false).ok());
  EXPECT_THAT(AskedFrom(), ElementsAre("r0", "r1"));
  // A dry run needs no webhook.
  auto dry = reporter.Send(/*dry_run=*/true);
  ASSERT_TRUE(dry.ok()) << dry.status();
  EXPECT_FALSE(dry->sent());
}

TEST_F(ReporterTest, TheLastDaysProgressHeadsTheReport) {
  const absl::Time now = clock_.Now();
  std::vector<int64_t> asked;
  EXPECT_CALL(repo_model_.stub, Report(_, _, _))
      .Times(2)
      .WillRepeatedly(Invoke([&](auto*, const ReportRequest& req, ReportResponse* out) {
        const bool day_ago = req.as_of_unix_seconds() != 0;
        asked.push_back(req.as_of_unix_seconds());
        StudyCounts* s = out->add_studies();
        s->set_study_id("PACA-CA");
        s->set_backlog(day_ago ? 2 : 1);
        s->set_completed(day_ago ? 0 : 1);
        s->set_backlog_bytes(s->backlog() * 4000000000LL);
        s->set_completed_bytes(s->completed() * 4000000000LL);
        out->set_commit(day_ago ? "c0" : "c1");
        out->set_commit_time_unix_seconds(absl::ToUnixSeconds(now - absl::Hours(day_ago ? 30 : 1)));
        return grpc::Status::OK;
      }));
  auto dry = reporter_.Send(/*dry_run=*/true);
  ASSERT_TRUE(dry.ok()) << dry.status();
  EXPECT_THAT(asked, ElementsAre(0, absl::ToUnixSeconds(now - absl::Hours(24))));
  EXPECT_THAT(dry->text(), StartsWith("Campaign progress (c1, "));
  // 4 GB in the day, 4 GB left: one more day.
  EXPECT_THAT(dry->text(), HasSubstr("PACA-CA           1/2       50.0%"));
  EXPECT_THAT(dry->text(), HasSubstr("Last 24 h: 1 jobs, 4.00 GB completed (166.67 MB/h); 4.00 GB "
                                     "left: finished in about 24 h"));
  EXPECT_THAT(dry->text(), HasSubstr("\nTransfer job status (0 jobs, scheduler c1)"));
}

TEST_F(ReporterTest, AReportThatCannotBeReadIsAnError) {
  EXPECT_CALL(repo_model_.stub, Report(_, _, _))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "repo down")));
  EXPECT_EQ(reporter_.Send(false).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(notifier_.texts(), IsEmpty());
}

}  // namespace
}  // namespace tracker::scheduler
