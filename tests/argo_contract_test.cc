// The recorded ARGO documents of tests/contract (each written from ARGO's
// and the original scheduler's sources, listed in tests/contract/README.md)
// against both sides: our client's builders and parsers, and the
// simulator's serializer. Neither side can drift from the real shapes
// without failing here.

#include <fstream>
#include <sstream>

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "absl/strings/str_replace.h"
#include "common/json.h"
#include "services/wes_poller/argo_graphql.h"
#include "services/wes_poller/start_body.h"
#include "tools/sim/argo_search.h"

namespace tracker {
namespace {

using google::protobuf::Struct;
using google::protobuf::util::MessageDifferencer;

constexpr char kA1[] = "0a1b2c3d-0000-4000-8000-000000000001";
constexpr char kA2[] = "0a1b2c3d-0000-4000-8000-000000000002";

std::string Read(const std::string& name) {
  std::ifstream in("tests/contract/" + name);
  std::stringstream out;
  out << in.rdbuf();
  EXPECT_FALSE(out.str().empty()) << name;
  return out.str();
}

Struct Doc(const std::string& name) {
  auto parsed = ParseJsonObject(Read(name), name);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : Struct();
}

void ExpectSameJson(const Struct& got, const Struct& want) {
  std::string diff;
  MessageDifferencer differ;
  differ.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differ.Compare(want, got)) << diff << "\ngot: " << ToJson(got);
}

// The params.json the generator writes in the real format.
std::string Params() {
  Struct body = Doc("original_start_body.json");
  Struct params = body.fields().at("workflow_params").struct_value();
  params.mutable_fields()->erase("api_token");
  return ToJson(params);
}

tracker::v1::StartRunRequest Request() {
  tracker::v1::StartRunRequest req;
  req.set_workflow_url("https://github.com/icgc-argo/icgc-25k-azure-transfer.git");
  req.set_workflow_version("azure-transfer-wf.v0.12.0");
  req.set_offline(true);
  req.set_params_json(Params());
  return req;
}

TEST(ArgoContractTest, AFreshStartSendsTheOriginalsBody) {
  auto req = Request();
  auto dirs = wes::DirectoriesFor(req, {"/nfs-1-c1", "/nfs-2-c3"}, "/nfs-1-c1");
  auto body = wes::StartRunBody(req, dirs, "<PROD_API_TOKEN>");
  ASSERT_TRUE(body.ok()) << body.status();
  ExpectSameJson(*ParseJsonObject(*body, "ours"), Doc("original_start_body.json"));
}

TEST(ArgoContractTest, AResumeSendsTheOriginalsBody) {
  auto req = Request();
  req.mutable_resume()->set_session_id("2b7fd1a3-5c38-4e1a-9d3b-0f5f4c6a7e21");
  req.mutable_resume()->set_launch_dir("/nfs-2-c3/wfuser/azure-transfer-wf.v0.12.0");
  req.mutable_resume()->set_work_dir("/nfs-2-c3/wfuser/azure-transfer-wf.v0.12.0/work");
  auto dirs = wes::DirectoriesFor(req, {"/nfs-1-c1", "/nfs-2-c3"}, "/nfs-1-c1");
  auto body = wes::StartRunBody(req, dirs, "<PROD_API_TOKEN>");
  ASSERT_TRUE(body.ok()) << body.status();
  ExpectSameJson(*ParseJsonObject(*body, "ours"), Doc("original_resume_body.json"));
}

TEST(ArgoContractTest, OurParserReadsTheRecordedRunsPage) {
  auto pages = wes::ParseRunsAnswer(Read("argo_runs_page.json"), {"runs"});
  ASSERT_TRUE(pages.ok()) << pages.status();
  const auto& page = pages->at("runs");
  ASSERT_EQ(page.runs.size(), 1u);
  EXPECT_FALSE(page.has_next);
  const auto& run = page.runs[0];
  EXPECT_EQ(run.status.run_id(), "wes-7c1e0b5a2f6d4e3a9b8c1d2e3f4a5b6c");
  EXPECT_EQ(run.status.state(), tracker::v1::RUN_STATE_EXECUTOR_ERROR);
  EXPECT_EQ(run.status.start_time(), "2021-07-12T16:00:00.000Z");
  EXPECT_EQ(run.status.end_time(), "2021-07-12T17:00:00.000Z");
  EXPECT_EQ(run.resume.session_id(), "2b7fd1a3-5c38-4e1a-9d3b-0f5f4c6a7e21");
  EXPECT_EQ(run.resume.work_dir(), "/nfs-2-c3/wfuser/azure-transfer-wf.v0.12.0/work");
  EXPECT_EQ(run.study_id, "PACA-CA");
  EXPECT_EQ(run.analysis_ids, (std::vector<std::string>{kA1, kA2}));
}

// The run of the recorded page as the simulator holds it.
sim::IndexedRun RecordedRun() {
  sim::IndexedRun run;
  run.run_id = "wes-7c1e0b5a2f6d4e3a9b8c1d2e3f4a5b6c";
  run.session_id = "2b7fd1a3-5c38-4e1a-9d3b-0f5f4c6a7e21";
  run.state = "EXECUTOR_ERROR";
  run.repository = "https://github.com/icgc-argo/icgc-25k-azure-transfer.git";
  run.parameters = *ParseJsonObject(
      std::string(R"({"_job_id":"job.0001","study_id":"PACA-CA","analysis_id":[")") + kA1 +
          R"(",")" + kA2 +
          R"("],"upload_song_url":"https://song.azure.icgc.overture.bio","api_token":"secret"})",
      "params");
  run.engine = *ParseJsonObject(
      R"({"revision":"azure-transfer-wf.v0.12.0","offline":true,)"
      R"("project_dir":"/nfs-2-c3/azure-transfer-wf.v0.12.0",)"
      R"("launch_dir":"/nfs-2-c3/wfuser/azure-transfer-wf.v0.12.0",)"
      R"("work_dir":"/nfs-2-c3/wfuser/azure-transfer-wf.v0.12.0/work"})",
      "engine");
  run.start_ms = 1626105600000;
  run.complete_ms = 1626109200000;
  run.exit_status = 1;
  run.error_report = "Error executing process > 'download:songScoreDownload:scoreDownload (1)'";
  return run;
}

TEST(ArgoContractTest, TheSimulatorAnswersOurQueryWithTheRecordedPage) {
  sim::IndexedRun other = RecordedRun();
  other.run_id = "wes-00000000000000000000000000000001";
  other.parameters = *ParseJsonObject(R"({"study_id":"PACA-CA","analysis_id":["x"]})", "p");
  std::string answer = sim::AnswerGraphql(wes::RunsByAnalysisRequest(kA1, 0, 10).body,
                                          {other, RecordedRun()});
  ExpectSameJson(*ParseJsonObject(answer, "sim"), Doc("argo_runs_page.json"));
}

// The original scheduler's SINGLE_RUN_QUERY, verbatim (scripts/scheduler.py,
// get_run_state): __typename and commandLine included.
TEST(ArgoContractTest, TheSimulatorAnswersTheOriginalsQuery) {
  const std::string query =
      "query SINGLE_RUN_QUERY($runId: String!) {\n runs(filter: {runId: $runId}) {\n content {\n"
      " runId\n sessionId\n commandLine\n completeTime\n duration\n engineParameters {\n"
      " launchDir\n projectDir\n resume\n revision\n workDir\n __typename\n }\n errorReport\n"
      " exitStatus\n parameters\n repository\n startTime\n state\n success\n __typename\n }\n"
      " __typename\n }\n}";
  std::string body = "{\"operationName\":\"SINGLE_RUN_QUERY\",\"variables\":{\"runId\":"
                     "\"wes-7c1e0b5a2f6d4e3a9b8c1d2e3f4a5b6c\"},\"query\":" + JsonQuote(query) + "}";
  auto answer = ParseJsonObject(sim::AnswerGraphql(body, {RecordedRun()}), "sim");
  ASSERT_TRUE(answer.ok());
  const auto& runs = answer->fields().at("data").struct_value().fields().at("runs").struct_value();
  EXPECT_EQ(StringField(runs, "__typename"), "RunsSearchResult");
  const auto& run = runs.fields().at("content").list_value().values(0).struct_value();
  EXPECT_EQ(StringField(run, "__typename"), "Run");
  EXPECT_EQ(StringField(run, "state"), "EXECUTOR_ERROR");
  EXPECT_EQ(StringField(run.fields().at("engineParameters").struct_value(), "__typename"),
            "EngineParameters");
  // And our parser reads the same answer.
  auto pages = wes::ParseRunsAnswer(sim::AnswerGraphql(body, {RecordedRun()}), {"runs"});
  ASSERT_TRUE(pages.ok()) << pages.status();
  EXPECT_EQ(pages->at("runs").runs[0].resume.launch_dir(),
            "/nfs-2-c3/wfuser/azure-transfer-wf.v0.12.0");
}

TEST(ArgoContractTest, TheSimulatorRefusesFieldsTheSchemaLacks) {
  std::string body = R"({"query":"{ runs { content { runId tags } } }"})";
  auto answer = ParseJsonObject(sim::AnswerGraphql(body, {RecordedRun()}), "sim");
  ASSERT_TRUE(answer.ok());
  EXPECT_TRUE(answer->fields().at("data").has_null_value());
  auto pages = wes::ParseRunsAnswer(sim::AnswerGraphql(body, {RecordedRun()}), {"runs"});
  EXPECT_EQ(pages.status().code(), absl::StatusCode::kFailedPrecondition) << pages.status();
  // workflow-relay's md5, leading zeros of each byte dropped (Sanitize.md5).
  EXPECT_EQ(sim::RelayMd5("secret"), "5ebe2294ecd0e0f08eab7690d2a6ee69");
}

}  // namespace
}  // namespace tracker
