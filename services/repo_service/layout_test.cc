#include "services/repo_service/layout.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/repo_service/batch_summary.h"

namespace tracker::repo {
namespace {

using ::testing::HasSubstr;

TEST(LayoutTest, AcceptsTheRealIds) {
  for (const char* s : {"PACA-CA", "BOCA-UK", "LAML-KR", "BTCA-SG"}) EXPECT_TRUE(ValidateStudyId(s).ok()) << s;
  for (const char* b : {"2021-07-12", "2021-07-09a"}) EXPECT_TRUE(ValidateBatchId(b).ok()) << b;
  EXPECT_TRUE(ValidateJobId("job.0001").ok());
  for (const char* e : {"rdpc_qa", "rdpc_prod", "rdpc-prod"}) EXPECT_TRUE(ValidateEnvironment(e).ok());
}

TEST(LayoutTest, RefusesIdsThatCouldEscapeTheirFolder) {
  for (const char* s : {"PACA", "../PACA-CA", "PACA-CA/x", "", "-CA", "PACA-"}) {
    EXPECT_EQ(ValidateStudyId(s).code(), absl::StatusCode::kInvalidArgument) << s;
  }
  for (const char* b : {"2021-7-12", "2021-07-12A", "2021-07-12ab", "../2021-07-12"}) {
    EXPECT_FALSE(ValidateBatchId(b).ok()) << b;
  }
  for (const char* j : {"..", "job..1", ".job", "job/1", "job 1"}) EXPECT_FALSE(ValidateJobId(j).ok()) << j;
  EXPECT_FALSE(ValidateJobId(std::string("job\0x", 5)).ok());
  EXPECT_FALSE(ValidateEnvironment("rdpc.qa").ok());  // markers are dot-separated
  EXPECT_THAT(std::string(ValidateJobId("a\nb").message()), HasSubstr("\\x0a"));
}

TEST(LayoutTest, ParsesMarkersOfBothRealShapes) {
  auto m = ParseMarker("run.1626003611.rdpc_qa.wes-33d2f835491749adb1a1f75c6e1b1ff7");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->epoch_seconds, 1626003611);
  EXPECT_EQ(m->environment, "rdpc_qa");
  EXPECT_EQ(m->run_id, "wes-33d2f835491749adb1a1f75c6e1b1ff7");
  EXPECT_EQ(m->session_id, "");
  m = ParseMarker("run.1624228528.rdpc-prod.wes-1687af9a1ae744d5a266ab092ee7f4fa."
                  "f1cd3a00-d2ab-4429-b6e6-9b252b28e22b");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->session_id, "f1cd3a00-d2ab-4429-b6e6-9b252b28e22b");
  for (const char* bad : {"params.json", "run.x.env.id", "run.1.env", ".gitkeep", "run.-1.e.r"}) {
    EXPECT_FALSE(ParseMarker(bad).has_value()) << bad;
  }
  std::string name;
  ASSERT_TRUE(FormatMarker(*m, &name).ok());
  EXPECT_EQ(ParseMarker(name)->run_id, m->run_id);
  EXPECT_FALSE(FormatMarker({1, "rdpc_qa", "../x", ""}, &name).ok());
}

TEST(LayoutTest, FlagNames) {
  EXPECT_EQ(FlagFileName(FlagKind::kPause, "rdpc_prod"), "pause.rdpc_prod");
  EXPECT_EQ(FlagFileName(FlagKind::kExcessiveFailure, "rdpc_qa"), "excessive_failure.rdpc_qa.txt");
  EXPECT_EQ(ParseFlagFileName("excessive_failure.rdpc_qa.txt")->environment, "rdpc_qa");
  EXPECT_EQ(ParseFlagFileName("pause.rdpc-prod")->kind, FlagKind::kPause);
  EXPECT_FALSE(ParseFlagFileName(".gitignore").has_value());
}

TEST(BatchSummaryTest, ParsesCommentsAndLines) {
  auto s = ParseBatchSummary(
      "# SONG analysis objects retrieved from payload dump: x.json.gz\n"
      "job.0001\t1\t162921781544\tadb32c2f-3b16-45b8-842a-a702700fb579\t162921781544\n"
      "job.0002\t2\t30\tEGAR00001228396\t10\r\n"
      "job.0002\t2\t30\tEGAR00001228397\t20\n");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->lines.size(), 3u);
  EXPECT_EQ(s->lines[0].job_bytes, 162921781544);
  EXPECT_EQ(s->lines[2].analysis_id, "EGAR00001228397");
}

TEST(BatchSummaryTest, ErrorsNameTheLine) {
  auto s = ParseBatchSummary("# c\njob.0001\t1\t5\ta\t5\njob.0002\t1\tfive\tb\t5\n");
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("line 3: job_bytes"));
  s = ParseBatchSummary("job.0001\t1\t5\ta\t5\njob.0002\t1\t5\ta\t5\n");
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("line 2: analysis a is already on line 1"));
}

TEST(BatchSummaryTest, RemovingALineKeepsEveryOtherByte) {
  const std::string text = "# c\njob.0001\t1\t5\ta\t5\njob.0002\t1\t6\tb\t6\n";
  auto out = RemoveAnalysisLine(text, "a");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "# c\njob.0002\t1\t6\tb\t6\n");
  EXPECT_EQ(RemoveAnalysisLine(text, "zz").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace tracker::repo
