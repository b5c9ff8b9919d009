#include "services/wes_poller/start_body.h"

#include <gtest/gtest.h>

#include "common/json.h"

namespace tracker::wes {
namespace {

using google::protobuf::Struct;

constexpr char kSession[] = "2b7fd1a3-5c38-4e1a-9d3b-0f5f4c6a7e21";
const std::vector<std::string> kRoots = {"/nfs-1-c1", "/nfs-2-c3/"};

tracker::v1::StartRunRequest Request() {
  tracker::v1::StartRunRequest req;
  req.set_workflow_url("https://github.com/icgc-argo/icgc-25k-azure-transfer.git");
  req.set_workflow_version("azure-transfer-wf.v0.12.0");
  req.set_params_json(R"({"study_id":"PACA-CA","analysis_id":["a-1"],"cpus":1})");
  return req;
}

Struct Engine(const std::string& body) {
  return ParseJsonObject(body, "body")->fields().at("workflow_engine_params").struct_value();
}

TEST(StartBodyTest, AFreshRunGetsTheOriginalsLayoutUnderItsRoot) {
  RunDirectories dirs = DirectoriesFor(Request(), kRoots, "/nfs-2-c3/");
  EXPECT_EQ(dirs.project_dir, "/nfs-2-c3/azure-transfer-wf.v0.12.0");
  EXPECT_EQ(dirs.launch_dir, "/nfs-2-c3/wfuser/azure-transfer-wf.v0.12.0");
  EXPECT_EQ(dirs.work_dir, "/nfs-2-c3/wfuser/azure-transfer-wf.v0.12.0/work");
  auto body = StartRunBody(Request(), dirs, "tok");
  ASSERT_TRUE(body.ok()) << body.status();
  Struct engine = Engine(*body);
  EXPECT_EQ(engine.fields().count("resume"), 0u);
  EXPECT_EQ(StringField(engine, "launch_dir"), dirs.launch_dir);
  EXPECT_FALSE(engine.fields().at("offline").bool_value());
  auto params = ParseJsonObject(*body, "body")->fields().at("workflow_params").struct_value();
  EXPECT_EQ(StringField(params, "api_token"), "tok");
  EXPECT_EQ(params.fields().at("cpus").number_value(), 1);  // types kept
}

TEST(StartBodyTest, AResumeKeepsTheFailedRunsDirectoriesAndItsRoot) {
  auto req = Request();
  req.mutable_resume()->set_session_id(kSession);
  req.mutable_resume()->set_launch_dir("/nfs-2-c3/wfuser/azure-transfer-wf.v0.11.0");
  req.mutable_resume()->set_work_dir("/nfs-2-c3/wfuser/azure-transfer-wf.v0.11.0/work");
  RunDirectories dirs = DirectoriesFor(req, kRoots, "/nfs-1-c1");
  EXPECT_EQ(dirs.project_dir, "/nfs-2-c3/azure-transfer-wf.v0.12.0");
  EXPECT_EQ(dirs.launch_dir, "/nfs-2-c3/wfuser/azure-transfer-wf.v0.11.0");
  EXPECT_EQ(dirs.work_dir, "/nfs-2-c3/wfuser/azure-transfer-wf.v0.11.0/work");
  auto body = StartRunBody(req, dirs, "");
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(StringField(Engine(*body), "resume"), kSession);
  auto params = ParseJsonObject(*body, "body")->fields().at("workflow_params").struct_value();
  EXPECT_EQ(params.fields().count("api_token"), 0u);  // none configured: none sent
}

TEST(StartBodyTest, RefusesWhatArgoWouldRefuse) {
  auto req = Request();
  req.mutable_resume()->set_session_id("run-name-not-a-session");
  EXPECT_EQ(StartRunBody(req, {}, "").status().code(), absl::StatusCode::kInvalidArgument);
  req = Request();
  req.clear_workflow_url();
  EXPECT_EQ(StartRunBody(req, {}, "").status().code(), absl::StatusCode::kInvalidArgument);
  req = Request();
  req.set_params_json("[1]");
  EXPECT_EQ(StartRunBody(req, {}, "").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tracker::wes
