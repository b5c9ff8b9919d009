#include "services/wes_poller/poller.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "common/json.h"
#include "services/wes_poller/run_state.h"
#include "testing/fake_http_client.h"

namespace tracker::wes {
namespace {

using testing::FakeHttpClient;
using tracker::v1::RunState;

struct PollerFixture : ::testing::Test {
  std::shared_ptr<FakeHttpClient> fake = std::make_shared<FakeHttpClient>();
  std::unique_ptr<Poller> poller;

  void SetUp() override {
    TrackerConfig config;
    ComputeEnvironment wes;
    wes.name = "wes_env";
    wes.wes_url = "http://wes.test/api/v1/";
    config.compute_environments["wes_env"] = wes;
    ComputeEnvironment gql = wes;
    gql.name = "gql_env";
    gql.graphql_url = "http://rdpc.test/graphql";
    config.compute_environments["gql_env"] = gql;
    PollerOptions options;
    options.max_concurrency = 1;  // the fake's script is consumed in order
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
    (*req.mutable_tags())["tracker_job"] = "PACA-CA/2021-07-09/job.0001";
    return req;
  }
};

TEST(RunState, ParsesWesStatesAndCallsTheRestUnknown) {
  EXPECT_EQ(ParseRunState("COMPLETE"), tracker::v1::RUN_STATE_COMPLETE);
  EXPECT_EQ(ParseRunState("EXECUTOR_ERROR"), tracker::v1::RUN_STATE_EXECUTOR_ERROR);
  EXPECT_EQ(ParseRunState("PREEMPTED"), tracker::v1::RUN_STATE_PREEMPTED);
  EXPECT_EQ(ParseRunState("SUCCEEDED"), tracker::v1::RUN_STATE_UNKNOWN);
  EXPECT_EQ(ParseRunState(""), tracker::v1::RUN_STATE_UNKNOWN);
  EXPECT_EQ(ParseRunState("UNSPECIFIED"), tracker::v1::RUN_STATE_UNKNOWN);
  EXPECT_EQ(RunStateName(tracker::v1::RUN_STATE_SYSTEM_ERROR), "SYSTEM_ERROR");
  EXPECT_TRUE(IsTerminal(tracker::v1::RUN_STATE_CANCELED));
  EXPECT_FALSE(IsTerminal(tracker::v1::RUN_STATE_CANCELING));
}

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

TEST_F(PollerFixture, GraphqlBackEnd) {
  fake->Push(200, R"({"data":{"runs":[{"runId":"wes-9","sessionId":"s-1","state":"SYSTEM_ERROR",)"
                  R"("startTime":1629400000000,"completeTime":"1629403600000","errorReport":"oom",)"
                  R"("engineParameters":{"workDir":"/w","launchDir":"/l","projectDir":"/p"}}]}})");
  fake->Push(200, R"({"data":{"runs":[]}})");
  fake->Push(200, R"({"errors":[{"message":"Elasticsearch is down"}]})");
  auto r = States("gql_env", {"wes-9", "wes-none", "wes-x"});
  EXPECT_EQ(r.runs(0).state(), tracker::v1::RUN_STATE_SYSTEM_ERROR);
  EXPECT_EQ(r.runs(0).start_time(), "2021-08-19T19:06:40.000Z");  // epoch ms as ISO 8601
  EXPECT_EQ(r.runs(0).end_time(), "2021-08-19T20:06:40.000Z");
  EXPECT_EQ(r.runs(0).error_summary(), "oom");
  EXPECT_EQ(r.runs(1).error_code(), static_cast<int>(absl::StatusCode::kNotFound));
  EXPECT_EQ(r.runs(2).error_code(), static_cast<int>(absl::StatusCode::kUnavailable));
  EXPECT_NE(r.runs(2).error_message().find("Elasticsearch is down"), std::string::npos);
  auto req = fake->requests()[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "http://rdpc.test/graphql");
  EXPECT_TRUE(req.idempotent);
  auto body = *ParseJsonObject(req.body, "body");
  EXPECT_NE(StringField(body, "query").find("runs(filter: {runId: $runId})"), std::string::npos);
}

TEST_F(PollerFixture, StartRunSendsArgosBodyOnceAndNamesTheOutcome) {
  auto req = Start();
  req.mutable_resume()->set_session_id("s-1");
  req.mutable_resume()->set_work_dir("/w");
  fake->Push(200, R"({"run_id":"wes-0123456789abcdef0123456789abcdef"})");
  auto ok = poller->StartRun(req);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->run_id(), "wes-0123456789abcdef0123456789abcdef");
  auto sent = fake->requests()[0];
  EXPECT_FALSE(sent.idempotent);
  auto body = *ParseJsonObject(sent.body, "body");
  const auto& engine = body.fields().at("workflow_engine_params").struct_value();
  EXPECT_EQ(StringField(engine, "resume"), "s-1");
  EXPECT_EQ(StringField(engine, "work_dir"), "/w");
  EXPECT_EQ(StringField(engine, "revision"), "0.4.0");
  EXPECT_EQ(StringField(body.fields().at("tags").struct_value(), "tracker_job"),
            "PACA-CA/2021-07-09/job.0001");
  EXPECT_EQ(StringField(body.fields().at("workflow_params").struct_value(), "study_id"),
            "PACA-CA");

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

TEST_F(PollerFixture, FindRunsByTagReadsEachRunOnce) {
  fake->SetHandler([](const HttpRequest& r) -> absl::StatusOr<HttpResponse> {
    HttpResponse out;
    out.status = 200;
    if (absl::EndsWith(r.url, "/runs?page_size=100")) {
      out.body = R"({"runs":[{"run_id":"wes-a","state":"RUNNING"}],"next_page_token":"p2"})";
    } else if (absl::EndsWith(r.url, "page_token=p2")) {
      out.body = R"({"runs":[{"run_id":"wes-b","state":"COMPLETE"}],"next_page_token":""})";
    } else if (absl::EndsWith(r.url, "/runs/wes-a")) {
      out.body = R"({"state":"RUNNING","request":{"tags":{"job":"j1"}}})";
    } else if (absl::EndsWith(r.url, "/runs/wes-b")) {
      out.body = R"({"state":"COMPLETE","request":{"tags":{"job":"j2"}}})";
    } else {
      out.status = 404;
    }
    return out;
  });
  tracker::v1::FindRunsByTagRequest req;
  req.set_environment("wes_env");
  req.set_tag_key("job");
  req.set_tag_value("j2");
  auto found = poller->FindRunsByTag(req);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->runs_size(), 1);
  EXPECT_EQ(found->runs(0).run_id(), "wes-b");
  EXPECT_EQ(found->runs(0).state(), tracker::v1::RUN_STATE_COMPLETE);
  size_t first = fake->requests().size();
  EXPECT_EQ(first, 4u);
  ASSERT_TRUE(poller->FindRunsByTag(req).ok());
  EXPECT_EQ(fake->requests().size(), first + 2);  // pages again, tags cached
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
