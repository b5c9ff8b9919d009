#include "tracking/batch_summary.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tracker::tracking {
namespace {

using ::testing::HasSubstr;

// The shape of every batch under jobs/ (lines from PACA-CA/2021-07-09).
TEST(BatchSummaryTest, ParsesTheByteShape) {
  auto s = ParseBatchSummary(
      "# SONG analysis objects retrieved from payload dump: PACA-CA.payloads.2021-06-21.json.gz\n"
      "job.0001\t1\t162921781544\tadb32c2f-3b16-45b8-842a-a702700fb579\t162921781544\n"
      "job.0002\t2\t30\tEGAR00001228396\t10\r\n"
      "job.0002\t2\t30\tEGAZ00001315257\t20\n");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->lines.size(), 3u);
  EXPECT_EQ(s->lines[0].job_id, "job.0001");
  EXPECT_EQ(s->lines[0].analyses_in_job, 1);
  EXPECT_EQ(s->lines[0].job_bytes, 162921781544);
  EXPECT_EQ(s->lines[1].analysis_bytes, 10);
  EXPECT_EQ(s->lines[2].analysis_id, "EGAZ00001315257");
  EXPECT_EQ(s->lines[2].label, "");
}

// The original's first demo batch (demo-jobs/PACA-CA/2021-06-20): sizes in
// decimal GB and a sixth column.
TEST(BatchSummaryTest, ParsesTheGigabyteShape) {
  auto s = ParseBatchSummary(
      "job.0001\t4\t0.5\t33df42ff-f804-4378-82d9-fcad5f951786\t0.012\tnon-PCAWG\n"
      "job.0002\t1\t100\t43ce874a-86b5-4531-a46b-4a07302b8be8\t100\tPCAWG\n");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->lines.size(), 2u);
  EXPECT_EQ(s->lines[0].analyses_in_job, 4);
  EXPECT_EQ(s->lines[0].job_bytes, 500000000);
  EXPECT_EQ(s->lines[0].analysis_bytes, 12000000);
  EXPECT_EQ(s->lines[0].label, "non-PCAWG");
  EXPECT_EQ(s->lines[1].job_bytes, 100000000000);
  EXPECT_EQ(s->lines[1].label, "PCAWG");
}

TEST(BatchSummaryTest, EmptyAndCommentOnly) {
  EXPECT_TRUE(ParseBatchSummary("")->lines.empty());
  EXPECT_TRUE(ParseBatchSummary("# nothing yet\n\n")->lines.empty());
}

TEST(BatchSummaryTest, ErrorsNameTheLine) {
  auto s = ParseBatchSummary("# c\njob.0001\t1\t5\ta\t5\njob.0002\t1\tfive\tb\t5\n");
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("line 3: job_bytes"));
  s = ParseBatchSummary("job.0001\t1\t5\ta\t5\njob.0002\t1\t5\ta\t5\n");
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("line 2: analysis a is already on line 1"));
  s = ParseBatchSummary("job.0001\t1\t5\ta\n");
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("line 1: expected 5"));
  s = ParseBatchSummary("job.0001\t1\t-0.5\ta\t1\tx\n");
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("line 1: job size"));
  s = ParseBatchSummary("job.0001\t0\t5\ta\t5\n");
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("analyses_in_job"));
  s = ParseBatchSummary("../x\t1\t5\ta\t5\n");
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("line 1: invalid job id"));
  s = ParseBatchSummary("job.0001\t1\t5\t../a\t5\n");
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("line 1: invalid analysis id"));
}

TEST(BatchSummaryTest, RemovingALineKeepsEveryOtherByte) {
  const std::string text = "# c\r\njob.0001\t1\t5\ta\t5\r\njob.0002\t1\t6\tb\t6\n";
  auto out = RemoveAnalysisLine(text, "a");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "# c\r\njob.0002\t1\t6\tb\t6\n");
  out = RemoveAnalysisLine("job.0001\t4\t0.5\tx\t0.1\tnon-PCAWG\nlast\t1\t1\ty\t1", "y");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "job.0001\t4\t0.5\tx\t0.1\tnon-PCAWG\n");
  EXPECT_EQ(RemoveAnalysisLine(text, "zz").status().code(), absl::StatusCode::kNotFound);
}

TEST(BatchSummaryTest, GeneratedLinesReadBackAsWritten) {
  // The shape of the real LAML-KR/2021-07-22 summary: a pooled job of two.
  SummaryLine line;
  line.job_id = GeneratedJobId(61);
  line.analyses_in_job = 2;
  line.job_bytes = 207416686;
  line.analysis_id = "4b699bc1-9705-4ef8-85bd-843476ddcda6";
  line.analysis_bytes = 59421009;
  const std::string text =
      PayloadDumpComment("LAML-KR.payloads.2021-07-12.json.gz") + FormatSummaryLine(line);
  EXPECT_EQ(text,
            "# SONG analysis objects retrieved from payload dump: LAML-KR.payloads.2021-07-12.json.gz\n"
            "job.0061\t2\t207416686\t4b699bc1-9705-4ef8-85bd-843476ddcda6\t59421009\n");
  auto parsed = ParseBatchSummary(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->lines.size(), 1u);
  EXPECT_EQ(parsed->lines[0].job_id, "job.0061");
  EXPECT_EQ(parsed->lines[0].job_bytes, 207416686);
  EXPECT_EQ(parsed->lines[0].analysis_bytes, 59421009);
  EXPECT_EQ(GeneratedJobId(1), "job.0001");
  EXPECT_EQ(GeneratedJobId(9999), "job.9999");
}

TEST(BatchSummaryTest, RemoveJobLinesKeepsEveryOtherByte) {
  const std::string text =
      "# generated\njob.0001\t2\t30\ta\t10\r\njob.0002\t1\t5\tb\t5\njob.0001\t2\t30\tc\t20";
  int removed = 0;
  EXPECT_EQ(RemoveJobLines(text, "job.0001", &removed), "# generated\njob.0002\t1\t5\tb\t5\n");
  EXPECT_EQ(removed, 2);
  EXPECT_EQ(RemoveJobLines(text, "job.0003", &removed), text);
  EXPECT_EQ(removed, 0);
}

}  // namespace
}  // namespace tracker::tracking
