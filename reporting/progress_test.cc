#include "reporting/progress.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace tracker::reporting {
namespace {

using tracker::v1::ReportResponse;
using tracker::v1::StudyCounts;

constexpr int64_t kGB = 1000 * 1000 * 1000;

void AddStudy(ReportResponse* r, const std::string& id, int backlog, int failed, int completed,
              int onhold = 0) {
  StudyCounts* s = r->add_studies();
  s->set_study_id(id);
  s->set_backlog(backlog);
  s->set_failed(failed);
  s->set_completed(completed);
  // 100 GB a job.
  s->set_backlog_bytes(backlog * 100 * kGB);
  s->set_failed_bytes(failed * 100 * kGB);
  s->set_completed_bytes(completed * 100 * kGB);
  if (onhold > 0) (*s->mutable_other_folders())["onhold"] = onhold;
}

const absl::Time kAt = absl::FromUnixSeconds(1796212800);  // 2026-12-02 12:00 UTC

TEST(ProgressTest, StudiesTotalsBarsThroughputAndEstimatedFinish) {
  ReportResponse now, earlier;
  now.set_commit("0123456789abcdef0123456789abcdef01234567");
  AddStudy(&now, "PACA-CA", 2, 0, 3);
  AddStudy(&now, "LAML-KR", 0, 1, 1, /*onhold=*/1);
  AddStudy(&earlier, "PACA-CA", 4, 0, 1);
  AddStudy(&earlier, "LAML-KR", 1, 1, 0, 1);
  earlier.set_commit_time_unix_seconds(absl::ToUnixSeconds(kAt - absl::Hours(30)));

  const std::string text = FormatProgress(now, &earlier, kAt - absl::Hours(24), kAt);
  EXPECT_TRUE(absl::StartsWith(text, "Campaign progress (01234567, 2026-12-02 12:00 UTC)\n")) << text;
  EXPECT_TRUE(absl::StrContains(
      text, "PACA-CA           3/5       60.0%   300.00 GB/500.00 GB   60.0%  [############--------]\n"))
      << text;
  // The held job counts among all jobs; its bytes are not in the report.
  EXPECT_TRUE(absl::StrContains(
      text, "LAML-KR           1/3       33.3%   100.00 GB/200.00 GB   50.0%  [##########----------]\n"))
      << text;
  EXPECT_TRUE(absl::StrContains(
      text, "total             4/8       50.0%   400.00 GB/700.00 GB   57.1%  [###########---------]\n"))
      << text;
  // 300 GB in 24 h: 12.5 GB/h, and 300 GB left take another day.
  EXPECT_TRUE(absl::EndsWith(text,
                             "Last 24 h: 3 jobs, 300.00 GB completed (12.50 GB/h); 300.00 GB left: "
                             "finished in about 24 h (2026-12-03 12:00 UTC)\n"))
      << text;
}

TEST(ProgressTest, AYoungCampaignCountsFromItsFirstCommit) {
  ReportResponse now, earlier;
  AddStudy(&now, "PACA-CA", 6, 0, 2);
  AddStudy(&earlier, "PACA-CA", 8, 0, 0);
  earlier.set_commit_time_unix_seconds(absl::ToUnixSeconds(kAt - absl::Hours(4)));
  const std::string text = FormatProgress(now, &earlier, kAt - absl::Hours(24), kAt);
  // 200 GB in 4 h; 600 GB left: 12 h.
  EXPECT_TRUE(absl::StrContains(text, "Last 4 h: 2 jobs, 200.00 GB completed (50.00 GB/h); "
                                      "600.00 GB left: finished in about 12 h"))
      << text;
}

TEST(ProgressTest, NoProgressNoEstimateAndDoneIsDone) {
  ReportResponse now;
  AddStudy(&now, "PACA-CA", 1, 0, 1);
  const std::string stalled = FormatProgress(now, &now, kAt - absl::Hours(24), kAt);
  EXPECT_TRUE(absl::StrContains(stalled, "0 jobs, 0 B completed; 100.00 GB left, no estimate"))
      << stalled;
  ReportResponse done;
  AddStudy(&done, "PACA-CA", 0, 0, 2);
  EXPECT_TRUE(absl::EndsWith(FormatProgress(done, &now, kAt - absl::Hours(24), kAt), "; all done\n"));
  // Without the earlier state, only the table.
  EXPECT_FALSE(absl::StrContains(FormatProgress(now, nullptr, kAt, kAt), "Last"));
}

TEST(ProgressTest, BytesAndBars) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(999), "999 B");
  EXPECT_EQ(FormatBytes(1234567), "1.23 MB");
  EXPECT_EQ(FormatBytes(2.5e15), "2.50 PB");
  EXPECT_EQ(Bar(0, 0, 4), "[----]");
  EXPECT_EQ(Bar(1, 2, 4), "[##--]");
  EXPECT_EQ(Bar(5, 2, 4), "[####]");
}

}  // namespace
}  // namespace tracker::reporting
