#include "services/wes_poller/poller.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "common/json.h"
#include <cstdlib>

#include "proto/tracker/v1/run_states.h"
#include "testing/fake_http_client.h"

namespace tracker::wes {
namespace {

using testing::FakeHttpClient;
using tracker::v1::RunState;

constexpr char kApiToken[] = "song-token-5a1f";
constexpr char kSession[] = "2b7fd1a3-5c38-4e1a-9d3b-0f5f4c6a7e21";

struct PollerFixture : ::testing::Test {
  std::shared_ptr<FakeHttpClient> fake = std::make_shared<FakeHttpClient>();
  std::unique_ptr<Poller> poller;

  void SetUp() override {
    TrackerConfig config;
    ComputeEnvironment wes;
    wes.name = "wes_env";
    wes.wes_url = "http://wes.test/api/v1/";
    wes.nfs_root_paths = {"/nfs-dev-1-vol-wes-1", "/nfs-dev-1-vol-wes-2"};
    wes.api_token_env = "POLLER_TEST_API_TOKEN";
    setenv("POLLER_TEST_API_TOKEN", kApiToken, 1);
    config.compute_environments["wes_env"] = wes;
    ComputeEnvironment gql = wes;
    gql.name = "gql_env";
    gql.graphql_url = "http://rdpc.test/graphql";
    config.compute_environments["gql_env"] = gql;
    PollerOptions options;
    options.max_concurrency = 1;  // the fake's script is consumed in order
    options.graphql_batch_size = 3;
    poller = *Poller::Create(config, fake, options);
  }

  tracker::v1::GetRunStatesResponse States(const std::string& env,
                                           std::vector<std::string> ids,
                                           absl::Status* status = nullptr) {
    tracker::v1::GetRunStatesRequest req;
    req.set_environment(env);
    for (auto& id : ids) req.add_run_ids(id);
    auto r = poller->GetRunStates(req);
    if (status != nullptr) *status = r.status();
    return r.ok() ? *r : tracker::v1::GetRunStatesResponse();
  }

  tracker::v1::StartRunRequest Start() {
    tracker::v1::StartRunRequest req;
    req.set_environment("wes_env");
    req.set_workflow_url("https://github.com/icgc-argo/song-score-transfer");
    req.set_workflow_version("0.4.0");
    req.set_params_json(R"({"study_id":"PACA-CA"})");
    return req;
  }
};

TEST_F(PollerFixture, RunningNeedsOneRequestAFailureReadsTheLog) {
  fake->Push(200, R"({"run_id":"wes-1","state":"RUNNING"})");
  fake->Push(200, R"({"run_id":"wes-2","state":"EXECUTOR_ERROR"})");
  fake->Push(200, R"({"run_id":"wes-2","state":"EXECUTOR_ERROR","run_log":{"start_time":"t0",)"
                  R"("end_time":"t1","exit_code":1,"stderr":"Process terminated"}})");
  fake->Push(200, R"({"run_id":"wes-3","state":"SOMETHING_NEW"})");
  auto r = States("wes_env", {"wes-1", "wes-2", "wes-3"});
  ASSERT_EQ(r.runs_size(), 3);
  EXPECT_EQ(r.runs(0).state(), tracker::v1::RUN_STATE_RUNNING);
  EXPECT_EQ(r.runs(1).state(), tracker::v1::RUN_STATE_EXECUTOR_ERROR);
  EXPECT_EQ(r.runs(1).end_time(), "t1");
  EXPECT_EQ(r.runs(1).error_summary(), "exit code 1: Process terminated");
  EXPECT_EQ(r.runs(2).state(), tracker::v1::RUN_STATE_UNKNOWN);
  auto reqs = fake->requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(reqs[0].url, "http://wes.test/api/v1/runs/wes-1/status");
  EXPECT_EQ(reqs[2].url, "http://wes.test/api/v1/runs/wes-2");
}

TEST_F(PollerFixture, PerRunErrorsAndAWholeOutage) {
  fake->Push(404, R"({"msg":"not found"})");
  fake->Push(200, R"({"state":"QUEUED"})");
  auto r = States("wes_env", {"wes-gone", "wes-ok"});
  EXPECT_EQ(r.runs(0).error_code(), static_cast<int>(absl::StatusCode::kNotFound));
  EXPECT_EQ(r.runs(0).state(), tracker::v1::RUN_STATE_UNSPECIFIED);
  EXPECT_EQ(r.runs(1).state(), tracker::v1::RUN_STATE_QUEUED);

  fake->Push(503);
  fake->Push(absl::UnavailableError("connection refused"));
  absl::Status status;
  States("wes_env", {"wes-a", "wes-b"}, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
}

// workflow-api's RunsSearchResult page (schema.graphqls): one request
// holds a `runs` per id under an alias; an alias can fail alone.
TEST_F(PollerFixture, GraphqlReadsPagesInBatches) {
  fake->Push(200, R"({"data":{"r0":{"content":[{"runId":"wes-9","sessionId":"s-1",)"
                  R"("state":"FAILED","startTime":"1629400000000","completeTime":"1629403600000",)"
                  R"("errorReport":"oom","engineParameters":{"workDir":"/w","launchDir":"/l"}}]},)"
                  R"("r1":{"content":[]},"r2":null},)"
                  R"("errors":[{"message":"Elasticsearch is down","path":["r2"]}]})");
  fake->Push(200, R"({"data":{"r0":{"content":[{"runId":"wes-4","state":"RUNNING"}]}}})");
  auto r = States("gql_env", {"wes-9", "wes-none", "wes-x", "wes-4"});
  ASSERT_EQ(r.runs_size(), 4);
  EXPECT_EQ(r.runs(0).state(), tracker::v1::RUN_STATE_FAILED);
  EXPECT_TRUE(tracker::v1::IsFailure(r.runs(0).state()));
  EXPECT_EQ(r.runs(0).start_time(), "2021-08-19T19:06:40.000Z");  // epoch ms as ISO 8601
  EXPECT_EQ(r.runs(0).end_time(), "2021-08-19T20:06:40.000Z");
  EXPECT_EQ(r.runs(0).error_summary(), "oom");
  EXPECT_EQ(r.runs(1).error_code(), static_cast<int>(absl::StatusCode::kNotFound));
  EXPECT_EQ(r.runs(2).error_code(), static_cast<int>(absl::StatusCode::kUnavailable));
  EXPECT_NE(r.runs(2).error_message().find("Elasticsearch is down"), std::string::npos);
  EXPECT_EQ(r.runs(3).state(), tracker::v1::RUN_STATE_RUNNING);
  auto reqs = fake->requests();
  ASSERT_EQ(reqs.size(), 2u);  // 4 runs, batches of 3
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].url, "http://rdpc.test/graphql");
  EXPECT_TRUE(reqs[0].idempotent);
  auto body = *ParseJsonObject(reqs[0].body, "body");
  EXPECT_NE(StringField(body, "query").find("r2: runs(filter: {runId: $r2})"), std::string::npos);
  EXPECT_EQ(StringField(body.fields().at("variables").struct_value(), "r1"), "wes-none");
}

TEST_F(PollerFixture, GraphqlErrorsWithoutDataSayWhy) {
  fake->Push(200, R"({"data":null,"errors":[{"message":"Validation error of type FieldUndefined: )"
                  R"(Field 'duration' in type 'Run' is undefined","extensions":)"
                  R"({"classification":"ValidationError"}}]})");
  absl::Status status;
  States("gql_env", {"wes-1"}, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kOk);  // the call answers, the run says why
  fake->Push(200, R"({"data":null,"errors":[{"message":"Validation error of type FieldUndefined"}]})");
  auto r = States("gql_env", {"wes-1"});
  ASSERT_EQ(r.runs_size(), 1);
  EXPECT_EQ(r.runs(0).error_code(), static_cast<int>(absl::StatusCode::kFailedPrecondition));
  EXPECT_NE(r.runs(0).error_message().find("schema"), std::string::npos);
  fake->Push(200, "<html>gateway</html>");
  States("gql_env", {"wes-1"}, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
}

TEST_F(PollerFixture, StartRunSendsArgosBodyOnceAndNamesTheOutcome) {
  auto req = Start();
  req.set_offline(true);
  req.mutable_resume()->set_session_id(kSession);
  req.mutable_resume()->set_work_dir("/nfs-dev-1-vol-wes-2/wfuser/0.4.0/work");
  req.mutable_resume()->set_launch_dir("/nfs-dev-1-vol-wes-2/wfuser/0.4.0");
  fake->Push(200, R"({"run_id":"wes-0123456789abcdef0123456789abcdef"})");
  auto ok = poller->StartRun(req);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->run_id(), "wes-0123456789abcdef0123456789abcdef");
  EXPECT_EQ(ok->started_with().project_dir(), "/nfs-dev-1-vol-wes-2/0.4.0");  // the resumed run's root
  EXPECT_EQ(ok->started_with().session_id(), kSession);
  auto sent = fake->requests()[0];
  EXPECT_FALSE(sent.idempotent);
  EXPECT_EQ(sent.url, "http://wes.test/api/v1/runs");
  auto body = *ParseJsonObject(sent.body, "body");
  const auto& engine = body.fields().at("workflow_engine_params").struct_value();
  EXPECT_EQ(StringField(engine, "resume"), kSession);
  EXPECT_EQ(StringField(engine, "work_dir"), "/nfs-dev-1-vol-wes-2/wfuser/0.4.0/work");
  EXPECT_EQ(StringField(engine, "launch_dir"), "/nfs-dev-1-vol-wes-2/wfuser/0.4.0");
  EXPECT_EQ(StringField(engine, "project_dir"), "/nfs-dev-1-vol-wes-2/0.4.0");
  EXPECT_EQ(StringField(engine, "revision"), "0.4.0");
  ASSERT_TRUE(engine.fields().at("offline").has_bool_value());  // a JSON boolean
  EXPECT_TRUE(engine.fields().at("offline").bool_value());
  const auto& params = body.fields().at("workflow_params").struct_value();
  EXPECT_EQ(StringField(params, "study_id"), "PACA-CA");
  EXPECT_EQ(StringField(params, "api_token"), kApiToken);
  // The original sent no tags, and ARGO would drop them.
  EXPECT_EQ(body.fields().count("tags"), 0u);

  // Fresh runs take the NFS roots in turn, in the original's layout.
  std::vector<std::string> roots;
  for (int i = 0; i < 2; ++i) {
    fake->Push(200, R"({"run_id":"wes-0123456789abcdef0123456789abcdee"})");
    auto fresh = poller->StartRun(Start());
    ASSERT_TRUE(fresh.ok()) << fresh.status();
    EXPECT_TRUE(fresh->started_with().session_id().empty());
    roots.push_back(fresh->started_with().project_dir());
    auto e = ParseJsonObject(fake->requests().back().body, "body")
                 ->fields().at("workflow_engine_params").struct_value();
    EXPECT_EQ(e.fields().count("resume"), 0u);
    EXPECT_FALSE(e.fields().at("offline").bool_value());
    EXPECT_EQ(StringField(e, "launch_dir"),
              absl::StrReplaceAll(roots.back(), {{"/0.4.0", "/wfuser/0.4.0"}}));
    EXPECT_EQ(StringField(e, "work_dir"), StringField(e, "launch_dir") + "/work");
  }
  EXPECT_NE(roots[0], roots[1]);

  struct Case {
    absl::StatusOr<HttpResponse> answer;
    absl::StatusCode code;
  };
  HttpResponse r500, r400, r429, bad;
  r500.status = 500;
  r400.status = 400;
  r429.status = 429;
  bad.status = 200;
  bad.body = "{}";
  std::vector<Case> cases = {
      {r500, absl::StatusCode::kDeadlineExceeded},
      {r400, absl::StatusCode::kInvalidArgument},
      {r429, absl::StatusCode::kUnavailable},
      {bad, absl::StatusCode::kDeadlineExceeded},
      {absl::UnavailableError("connection refused"), absl::StatusCode::kUnavailable},
      {MarkMaybeSent(absl::UnavailableError("reset")), absl::StatusCode::kDeadlineExceeded},
  };
  for (auto& c : cases) {
    fake->Push(c.answer);
    auto r = poller->StartRun(Start());
    EXPECT_EQ(r.status().code(), c.code) << r.status();
  }
}

TEST_F(PollerFixture, ResumeNeedsANextflowSessionUuid) {
  auto req = Start();
  req.mutable_resume()->set_session_id("not-a-session");
  auto r = poller->StartRun(req);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "UUID")) << r.status();
  EXPECT_TRUE(fake->requests().empty());
}

TEST_F(PollerFixture, TheApiTokenNeverLeavesInAStatus) {
  // A service that quotes the request back in its error.
  fake->SetHandler([](const HttpRequest& r) -> absl::StatusOr<HttpResponse> {
    HttpResponse out;
    out.status = 400;
    out.body = R"({"msg":"bad request: )" + r.body.substr(0, 150) + "\"}";
    return out;
  });
  auto r = poller->StartRun(Start());
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(absl::StrContains(r.status().ToString(), kApiToken)) << r.status();
}

TEST_F(PollerFixture, AnApiTokenVariableNamedAndUnsetIsAConfigError) {
  TrackerConfig config;
  ComputeEnvironment env;
  env.name = "rdpc_prod";
  env.wes_url = "http://wes.test/api/v1";
  env.api_token_env = "POLLER_TEST_UNSET_VARIABLE";
  unsetenv("POLLER_TEST_UNSET_VARIABLE");
  config.compute_environments["rdpc_prod"] = env;
  auto p = Poller::Create(config, fake);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(p.status().message(), "POLLER_TEST_UNSET_VARIABLE"));
}

// workflow-api's `runs(filter: {analysisId})` matches the id as text in
// parameters.analysis_id and the alignment ids: candidates are checked.
TEST_F(PollerFixture, FindRunsOfJobSearchesByAnalysisAndChecksTheParams) {
  const std::string a1 = "0a1b2c3d-0000-4000-8000-000000000001";
  const std::string a2 = "0a1b2c3d-0000-4000-8000-000000000002";
  fake->Push(200, R"({"data":{"runs":{"content":[)"
                  R"({"runId":"wes-mine","state":"RUNNING","parameters":{"study_id":"PACA-CA",)"
                  R"("analysis_id":[")" + a2 + R"(",")" + a1 + R"("],"api_token":"9f86d08"}},)"
                  R"({"runId":"wes-other-job","state":"COMPLETE","parameters":{"study_id":"PACA-CA",)"
                  R"("analysis_id":[")" + a1 + R"("]}},)"
                  R"({"runId":"wes-alignment","state":"COMPLETE","parameters":{"study_id":"PACA-CA",)"
                  R"("normal_aln_analysis_id":")" + a1 + R"("}}],)"
                  R"("info":{"contentCount":"3","hasNextFrom":"false","totalHits":"3"}}}})");
  tracker::v1::FindRunsOfJobRequest req;
  req.set_environment("gql_env");
  req.set_study_id("PACA-CA");
  req.add_analysis_ids(a1);
  req.add_analysis_ids(a2);
  auto found = poller->FindRunsOfJob(req);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->runs_size(), 1);
  EXPECT_EQ(found->runs(0).run_id(), "wes-mine");
  EXPECT_TRUE(found->exhaustive());
  ASSERT_EQ(fake->requests().size(), 1u);
  auto body = *ParseJsonObject(fake->requests()[0].body, "body");
  EXPECT_EQ(StringField(body.fields().at("variables").struct_value(), "analysisId"), a1);

  // Without GraphQL: the newest listed runs, each read once.
  fake->SetHandler([&](const HttpRequest& r) -> absl::StatusOr<HttpResponse> {
    HttpResponse out;
    out.status = 200;
    if (absl::EndsWith(r.url, "/runs?page_size=100")) {
      out.body = R"({"runs":[{"run_id":"wes-a","state":"RUNNING"},{"run_id":"wes-b","state":"COMPLETE"}]})";
    } else if (absl::EndsWith(r.url, "/runs/wes-a")) {
      out.body = R"({"state":"RUNNING","request":{"workflow_params":{"study_id":"PACA-CA","analysis_id":[")" +
                 a1 + R"("]}}})";
    } else if (absl::EndsWith(r.url, "/runs/wes-b")) {
      out.body = R"({"state":"COMPLETE","request":{"workflow_params":{"study_id":"PACA-CA","analysis_id":[")" +
                 a1 + R"(",")" + a2 + R"("]}}})";
    } else {
      out.status = 404;
    }
    return out;
  });
  req.set_environment("wes_env");
  found = poller->FindRunsOfJob(req);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->runs_size(), 1);
  EXPECT_EQ(found->runs(0).run_id(), "wes-b");
  EXPECT_EQ(found->runs(0).state(), tracker::v1::RUN_STATE_COMPLETE);
  EXPECT_TRUE(found->exhaustive());

  req.set_study_id("paca-ca");
  EXPECT_EQ(poller->FindRunsOfJob(req).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(PollerFixture, BadInput) {
  absl::Status status;
  States("nope", {"wes-1"}, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(status.message(), "gql_env, wes_env")) << status;
  States("wes_env", {"wes/../x"}, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  auto req = Start();
  req.set_params_json("not json");
  EXPECT_EQ(poller->StartRun(req).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(fake->requests().empty());  // nothing reached the service
}

}  // namespace
}  // namespace tracker::wes
