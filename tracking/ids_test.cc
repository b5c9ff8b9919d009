#include "tracking/ids.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tracking/proto.h"

namespace tracker::tracking {
namespace {

using ::testing::HasSubstr;

TEST(IdsTest, AcceptsTheRealIds) {
  for (const char* s : {"PACA-CA", "BOCA-UK", "LAML-KR", "BTCA-SG"}) {
    EXPECT_TRUE(ValidateStudyId(s).ok()) << s;
  }
  for (const char* b : {"2021-07-12", "2021-07-09a"}) EXPECT_TRUE(ValidateBatchId(b).ok()) << b;
  EXPECT_TRUE(ValidateJobId("job.0001").ok());
  for (const char* e : {"rdpc_qa", "rdpc_prod", "rdpc-prod", "drpc-prod"}) {
    EXPECT_TRUE(ValidateEnvironment(e).ok()) << e;
  }
  for (const char* r : {"wes-33d2f835491749adb1a1f75c6e1b1ff7",
                        "1f3b6a2e-55c1-4b5e-9d0e-2a6c9f1e8b7d"}) {
    EXPECT_TRUE(ValidateRunId(r).ok()) << r;
  }
  EXPECT_TRUE(ValidateSessionId("f1cd3a00-d2ab-4429-b6e6-9b252b28e22b").ok());
  EXPECT_TRUE(ValidateSessionId("F1CD3A00-D2AB-4429-B6E6-9B252B28E22B").ok());
  for (const char* bad : {"", "s-1", "f1cd3a00d2ab4429b6e69b252b28e22b",
                          "f1cd3a00-d2ab-4429-b6e6-9b252b28e22", "f1cd3a00-d2ab-4429-b6e6-9b252b28e22g",
                          "f1cd3a00-d2ab-4429-b6e6_9b252b28e22b", "f1cd3a00-d2ab-4429-b6e6-9b252b28e22b0"}) {
    EXPECT_FALSE(ValidateSessionId(bad).ok()) << bad;
  }
  for (const char* a : {"adb32c2f-3b16-45b8-842a-a702700fb579", "EGAZ00001315257",
                        "EGAR00001634204"}) {
    EXPECT_TRUE(ValidateAnalysisId(a).ok()) << a;
  }
}

TEST(IdsTest, RefusesIdsThatCouldEscapeTheirFolder) {
  for (const char* s : {"PACA", "../PACA-CA", "PACA-CA/x", "", "-CA", "PACA-", "paca-ca"}) {
    EXPECT_EQ(ValidateStudyId(s).code(), absl::StatusCode::kInvalidArgument) << s;
  }
  for (const char* b : {"2021-7-12", "2021-07-12A", "2021-07-12ab", "../2021-07-12"}) {
    EXPECT_FALSE(ValidateBatchId(b).ok()) << b;
  }
  for (const char* j : {"..", "job..1", ".job", "job/1", "job 1"}) {
    EXPECT_FALSE(ValidateJobId(j).ok()) << j;
  }
  EXPECT_FALSE(ValidateJobId(std::string("job\0x", 5)).ok());
  EXPECT_FALSE(ValidateEnvironment("rdpc.qa").ok());  // markers are dot-separated
  // A run id goes into a marker name and a URL path.
  for (const char* r : {"wes-1.2", "a/b", "", "../x", "wes 1", "?x"}) {
    EXPECT_FALSE(ValidateRunId(r).ok()) << r;
  }
  EXPECT_FALSE(ValidateAnalysisId("../etc").ok());
  EXPECT_THAT(std::string(ValidateJobId("a\nb").message()), HasSubstr("\\x0a"));
}

TEST(IdsTest, QuoteIdShortensAndEscapes) {
  EXPECT_EQ(QuoteId("job.0001"), "'job.0001'");
  EXPECT_EQ(QuoteId(std::string(100, 'x')), "'" + std::string(80, 'x') + "...'");
  EXPECT_EQ(QuoteId("a\tb"), "'a\\x09b'");
}

TEST(JobKeyTest, TextFormRoundTrips) {
  JobKey key{"PACA-CA", "2021-07-12", "job.0001"};
  EXPECT_EQ(JobKeyText(key), "PACA-CA/2021-07-12/job.0001");
  absl::StatusOr<JobKey> parsed = ParseJobKey("PACA-CA/2021-07-12/job.0001");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, key);
  EXPECT_TRUE(JobKey({"A-B", "2021-07-12", "job.0001"}) < key);
}

TEST(JobKeyTest, ParseNamesThePartThatIsWrong) {
  EXPECT_THAT(std::string(ParseJobKey("PACA-CA/2021-07-12").status().message()),
              HasSubstr("STUDY/BATCH/JOB"));
  EXPECT_THAT(std::string(ParseJobKey("PACA-CA/2021-7-12/job.0001").status().message()),
              HasSubstr("batch id"));
  EXPECT_THAT(std::string(ParseJobKey("PACA-CA/2021-07-12/..").status().message()),
              HasSubstr("job id"));
  EXPECT_FALSE(ParseJobKey("PACA-CA/2021-07-12/job.0001/x").ok());
}

TEST(JobKeyTest, MessageForm) {
  absl::StatusOr<v1::JobKey> key = ParseJobKeyMessage("BOCA-UK/2021-07-12/job.0042");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->study_id(), "BOCA-UK");
  EXPECT_EQ(key->job_id(), "job.0042");
  EXPECT_EQ(JobKeyText(*key), "BOCA-UK/2021-07-12/job.0042");
  EXPECT_TRUE(ValidateJobKey(*key).ok());
  key->set_batch_id("x");
  EXPECT_EQ(ValidateJobKey(*key).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tracker::tracking
