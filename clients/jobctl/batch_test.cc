#include "clients/jobctl/batch.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "common/json.h"

namespace jobctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// Two lines of the real PACA-CA summary, plus a two-analysis job.
constexpr char kSummary[] =
    "# SONG analysis objects retrieved from payload dump\n"
    "job.0001\t1\t162921781544\tadb32c2f-3b16-45b8-842a-a702700fb579\t162921781544\n"
    "job.0002\t2\t30\t78300f35-b394-425a-8f36-dfd90b6feb56\t10\n"
    "job.0002\t2\t30\t0a1b2c3d-0000-4000-8000-000000000002\t20\n";

TEST(PlanFromSummary, GroupsAnalysesByJobInFileOrder) {
  auto plan = PlanFromSummary(kSummary);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->jobs.size(), 2u);
  EXPECT_EQ(plan->jobs[0].job_id, "job.0001");
  EXPECT_EQ(plan->jobs[1].analysis_ids.size(), 2u);
  EXPECT_EQ(plan->jobs[1].bytes, 30);
  EXPECT_EQ(plan->analysis_count, 3);
  EXPECT_EQ(plan->total_bytes, 162921781544 + 30);
  EXPECT_EQ(plan->summary_tsv, kSummary);
}

TEST(PlanFromSummary, NamesTheBadLine) {
  auto plan = PlanFromSummary("job.0001\t1\t10\tabc\n");
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(plan.status().message()), HasSubstr("line 1"));
  EXPECT_EQ(PlanFromSummary("# only a comment\n").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(FillFromTemplate, WritesTheJobIdsFirstAndKeepsTheTemplate) {
  auto plan = PlanFromSummary(kSummary);
  ASSERT_TRUE(plan.ok());
  ASSERT_TRUE(FillFromTemplate("PACA-CA",
                               R"({"study_id": "PACA-CA", "analysis_id": [], "cpus": 1,
                                   "upload_song_url": "https://song.azure.icgc.overture.bio"})",
                               &*plan)
                  .ok());
  EXPECT_EQ(plan->params_json.at("job.0002"),
            "{\n"
            "  \"_job_id\": \"job.0002\",\n"
            "  \"study_id\": \"PACA-CA\",\n"
            "  \"analysis_id\": [\n"
            "    \"78300f35-b394-425a-8f36-dfd90b6feb56\",\n"
            "    \"0a1b2c3d-0000-4000-8000-000000000002\"\n"
            "  ],\n"
            "  \"cpus\": 1,\n"
            "  \"upload_song_url\": \"https://song.azure.icgc.overture.bio\"\n"
            "}\n");
  // Every job's params.json is itself one JSON object.
  for (const auto& [job, text] : plan->params_json) EXPECT_TRUE(tracker::JsonObjectMembers(text, job).ok()) << text;
}

TEST(FillFromTemplate, RefusesATemplateOfAnotherStudy) {
  auto plan = PlanFromSummary(kSummary);
  ASSERT_TRUE(plan.ok());
  absl::Status s = FillFromTemplate("PACA-CA", R"({"study_id": "BOCA-UK"})", &*plan);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("BOCA-UK"));
  EXPECT_TRUE(plan->params_json.empty());
}

}  // namespace
}  // namespace jobctl
