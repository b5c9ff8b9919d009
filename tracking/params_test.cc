#include "tracking/params.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tracker::tracking {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Shapes of the real params.json: with _job_id (most), without it (the
// first CLLE-ES batch), with _batch_id (early ones only).
TEST(ParamsTest, ReadsTheAnalysesWhateverElseIsThere) {
  auto ids = ParamsAnalysisIds(
      R"({"study_id": "CLLE-ES", "analysis_id": ["EGAZ00001258138",
          "b6eb3aa1-0161-41d9-a39f-94369a1be02b"], "cpus": 1})");
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_THAT(*ids, ElementsAre("EGAZ00001258138", "b6eb3aa1-0161-41d9-a39f-94369a1be02b"));
  ids = ParamsAnalysisIds(R"({"_job_id": "job.0001", "_batch_id": "2021-07-09",
                              "analysis_id": "EGAR00001228396"})");
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_THAT(*ids, ElementsAre("EGAR00001228396"));
  ids = ParamsAnalysisIds(R"({"study_id": "PACA-CA"})");
  ASSERT_TRUE(ids.ok());
  EXPECT_TRUE(ids->empty());
}

TEST(ParamsTest, BadShapesAreInvalidArgumentSayingWhat) {
  auto ids = ParamsAnalysisIds("[1]");
  EXPECT_EQ(ids.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(ids.status().message()), HasSubstr("not a JSON object"));
  ids = ParamsAnalysisIds(R"({"analysis_id": [1]})");
  EXPECT_THAT(std::string(ids.status().message()), HasSubstr("must be a list of strings"));
  ids = ParamsAnalysisIds(R"({"analysis_id": {"a": "b"}})");
  EXPECT_THAT(std::string(ids.status().message()), HasSubstr("must be a list of strings"));
  ids = ParamsAnalysisIds(R"({"analysis_id": ["../x"]})");
  EXPECT_THAT(std::string(ids.status().message()), HasSubstr("invalid analysis id"));
}

}  // namespace
}  // namespace tracker::tracking
