// jobctl report --progress through the binary: per study and in total the
// jobs and bytes completed, and the last day's throughput, before and after
// a campaign on a generated repository.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "reporting/progress.h"
#include "testing/cluster.h"
#include "testing/jobctl_runner.h"

namespace tracker {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::tracker::testing::Cluster;
using ::tracker::testing::ClusterOptions;
using ::tracker::testing::JobctlOutcome;
using ::tracker::testing::RunJobctl;
using ::tracker::testing::TempDir;
using namespace tracker::v1;  // NOLINT: generated message names

// The line of `text` that starts with `prefix` ("" when none does).
std::string LineOf(const std::string& text, const std::string& prefix) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, prefix)) return std::string(line);
  }
  return "";
}

TEST(JobctlProgressTest, ShowsWhatCompletedAndTheEstimatedFinish) {
  TempDir tmp;
  ClusterOptions options;
  options.jobs = 6;
  options.use_excerpt = false;  // one commit of history: the day's window starts there
  Cluster cluster(tmp.path(), options);
  std::string error;
  ASSERT_TRUE(cluster.Start(&error)) << error;
  auto jobctl = [&](const std::vector<std::string>& args) {
    return RunJobctl(cluster, tmp.path(), args);
  };
  JobctlOutcome r = jobctl({"report", "--progress"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Campaign progress ("));
  EXPECT_THAT(LineOf(r.out, "total "), MatchesRegex("total +0/6 +0\\.0% .*"));
  EXPECT_THAT(r.out, HasSubstr(": 0 jobs, 0 B completed;"));
  EXPECT_THAT(r.out, HasSubstr("left, no estimate without progress"));

  for (int i = 0; i < 60 && cluster.Count(JOB_STATE_COMPLETED) < 6; ++i) {
    ASSERT_EQ(jobctl({"cycle"}).code, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }
  ASSERT_EQ(cluster.Count(JOB_STATE_COMPLETED), 6);
  ReportResponse report = cluster.Report();
  int64_t bytes = 0;
  for (const auto& s : report.studies()) bytes += s.completed_bytes();
  ASSERT_GT(bytes, 0);
  r = jobctl({"report", "--progress"});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const auto& s : report.studies()) {
    EXPECT_THAT(LineOf(r.out, s.study_id() + " "),
                MatchesRegex(absl::StrCat(s.study_id(), " +", s.completed(), "/", s.completed(),
                                          " +100\\.0% .*")));
  }
  EXPECT_THAT(r.out, HasSubstr("[####################]"));
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat(": 6 jobs, ", tracker::reporting::FormatBytes(bytes),
                                            " completed; all done")));
  r = jobctl({"report", "--progress", "--json"});
  EXPECT_EQ(r.code, 2);
}

}  // namespace
}  // namespace tracker
