#include "services/wes_poller/argo_graphql.h"

#include <gtest/gtest.h>

#include "common/json.h"

namespace tracker::wes {
namespace {

TEST(ArgoGraphqlTest, RunsByIdAsksEachRunUnderItsOwnAliasWithTheOriginalsFields) {
  GraphqlRequest r = RunsByIdRequest({"wes-1", "wes-2"});
  ASSERT_EQ(r.aliases, (std::vector<std::string>{"r0", "r1"}));
  auto body = ParseJsonObject(r.body, "body");
  ASSERT_TRUE(body.ok()) << body.status();
  const std::string query = StringField(*body, "query");
  EXPECT_EQ(query.find("query RunsById($r0: String!, $r1: String!) {"), 0u) << query;
  EXPECT_NE(query.find("r1: runs(filter: {runId: $r1}) { content { runId sessionId state"),
            std::string::npos);
  for (const char* field : {"success", "exitStatus", "errorReport", "startTime", "completeTime",
                            "duration", "parameters", "repository",
                            "engineParameters { launchDir projectDir resume revision workDir }"}) {
    EXPECT_NE(query.find(field), std::string::npos) << field;
  }
  const auto& vars = body->fields().at("variables").struct_value();
  EXPECT_EQ(StringField(vars, "r0"), "wes-1");
  EXPECT_EQ(StringField(vars, "r1"), "wes-2");
}

TEST(ArgoGraphqlTest, RunsByAnalysisPagesWithFromAndSize) {
  GraphqlRequest r = RunsByAnalysisRequest("a-1", 50, 25);
  auto body = *ParseJsonObject(r.body, "body");
  EXPECT_NE(StringField(body, "query").find(
                "runs(filter: {analysisId: $analysisId}, page: {from: $from, size: $size})"),
            std::string::npos);
  EXPECT_NE(StringField(body, "query").find("info { contentCount hasNextFrom totalHits }"),
            std::string::npos);
  const auto& vars = body.fields().at("variables").struct_value();
  EXPECT_EQ(vars.fields().at("from").number_value(), 50);
  EXPECT_EQ(vars.fields().at("size").number_value(), 25);
}

TEST(ArgoGraphqlTest, ReadsARunAndItsParams) {
  auto pages = ParseRunsAnswer(
      R"({"data":{"runs":{"content":[{"runId":"wes-1","sessionId":"5f0d","state":"EXECUTOR_ERROR",)"
      R"("success":false,"exitStatus":1,"errorReport":null,"startTime":"1626105600000",)"
      R"("completeTime":null,"duration":3600000,"repository":"https://github.com/x/y.git",)"
      R"("engineParameters":{"launchDir":"/n/wfuser/0.4.0","projectDir":"/n/0.4.0","resume":null,)"
      R"("revision":"0.4.0","workDir":"/n/wfuser/0.4.0/work"},)"
      R"("parameters":{"study_id":"PACA-CA","analysis_id":["a-1","a-2"]}}],)"
      R"("info":{"contentCount":"1","hasNextFrom":"true","totalHits":"11"}}}})",
      {"runs"});
  ASSERT_TRUE(pages.ok()) << pages.status();
  const GraphqlPage& page = pages->at("runs");
  ASSERT_TRUE(page.status.ok());
  EXPECT_TRUE(page.has_next);
  ASSERT_EQ(page.runs.size(), 1u);
  const GraphqlRun& run = page.runs[0];
  EXPECT_EQ(run.status.run_id(), "wes-1");
  EXPECT_EQ(run.status.state(), tracker::v1::RUN_STATE_EXECUTOR_ERROR);
  EXPECT_EQ(run.status.start_time(), "2021-07-12T16:00:00.000Z");
  EXPECT_EQ(run.status.end_time(), "");
  EXPECT_EQ(run.status.error_summary(), "exit status 1");  // no errorReport
  EXPECT_EQ(run.resume.session_id(), "5f0d");
  EXPECT_EQ(run.resume.launch_dir(), "/n/wfuser/0.4.0");
  EXPECT_EQ(run.resume.work_dir(), "/n/wfuser/0.4.0/work");
  EXPECT_EQ(run.resume.project_dir(), "/n/0.4.0");
  EXPECT_EQ(run.study_id, "PACA-CA");
  EXPECT_EQ(run.analysis_ids, (std::vector<std::string>{"a-1", "a-2"}));
}

TEST(ArgoGraphqlTest, ErrorsAreStatuses) {
  // An alias missing from data, with no error naming it.
  auto pages = ParseRunsAnswer(R"({"data":{}})", {"r0"});
  ASSERT_TRUE(pages.ok());
  EXPECT_EQ(pages->at("r0").status.code(), absl::StatusCode::kUnavailable);
  // Apollo's gateway marks validation errors with extensions.code.
  auto invalid = ParseRunsAnswer(
      R"({"errors":[{"message":"Cannot query field \"x\" on type \"Run\".",)"
      R"("extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]})",
      {"r0"});
  EXPECT_EQ(invalid.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(invalid.status().message().find("Cannot query field"), std::string::npos);
  EXPECT_EQ(ParseRunsAnswer("not json", {"r0"}).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ParseRunsAnswer(R"({"errors":[{"message":"timeout"}]})", {"r0"}).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST(ArgoGraphqlTest, EpochMillisecondsBecomeIso) {
  EXPECT_EQ(IsoFromEpochMillis("1629400000000"), "2021-08-19T19:06:40.000Z");
  EXPECT_EQ(IsoFromEpochMillis("2021-08-19T19:06:40Z"), "2021-08-19T19:06:40Z");
  EXPECT_EQ(IsoFromEpochMillis(""), "");
}

}  // namespace
}  // namespace tracker::wes
