// wes-poller and azure-verifier, as built, against the WES and SONG
// simulators over loopback: run life cycles on a WES back-end and a GraphQL
// back-end side by side, resume, every fault the simulators inject, the
// ambiguous start found again by its params, SONG outages, and no token in any log
// or error.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "proto/tracker/v1/verifier.grpc.pb.h"
#include "proto/tracker/v1/wes.grpc.pb.h"
#include "testing/test_util.h"

namespace tracker {
namespace {

using ::tracker::testing::ChildProcess;
using ::tracker::testing::Runfile;
using ::tracker::testing::Shell;
using ::tracker::testing::ShellQuote;
using ::tracker::testing::TempDir;
using ::tracker::testing::WaitForPortFile;
using namespace tracker::v1;  // NOLINT: generated message names

constexpr char kClientSecret[] = "qa-secret-4f9c2e";
constexpr char kApiToken[] = "song-api-token-3c9e71";

class HttpServicesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new Env();
  }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
  }

  struct Env {
    TempDir tmp;
    std::unique_ptr<ChildProcess> wes_a, wes_b, song, poller, verifier;
    int wes_a_port = 0, wes_b_port = 0, song_port = 0, metrics_port = 0;
    std::unique_ptr<WesPoller::Stub> wes;
    std::unique_ptr<AzureVerifier::Stub> verify;

    int Start(std::unique_ptr<ChildProcess>* child, const std::string& name,
              std::vector<std::string> argv) {
      std::string port_file = tmp.path() + "/" + name + ".port";
      argv.push_back("--port_file=" + port_file);
      *child = std::make_unique<ChildProcess>(argv, tmp.path() + "/" + name + ".log");
      int port = WaitForPortFile(port_file);
      EXPECT_GT(port, 0) << Shell("cat " + tmp.path() + "/" + name + ".log").output;
      return port;
    }

    Env() {
      wes_a_port = Start(&wes_a, "wes-a",
                         {Runfile("tools/sim/wes-sim"), "--seed=11", "--queued_ms=100",
                          "--running_ms=300", "--client_id=qa-client",
                          std::string("--client_secret=") + kClientSecret, "--token_ttl_s=2"});
      wes_b_port = Start(&wes_b, "wes-b",
                         {Runfile("tools/sim/wes-sim"), "--seed=12", "--queued_ms=100",
                          "--running_ms=300", "--client_id=prod-client",
                          "--client_secret=prod-secret-77a1"});
      song_port = Start(&song, "song", {Runfile("tools/sim/song-sim"), "--seed=3"});
      std::string config = tmp.path() + "/config.yaml";
      std::ofstream(config) << absl::StrCat(
          "job_tracking_repo: /dev/null\n"
          "compute_environments:\n"
          "  rdpc_qa:\n"
          "    wes_url: http://127.0.0.1:", wes_a_port, "\n"
          "    max_parallel_runs: 4\n"
          "    token_url: http://127.0.0.1:", wes_a_port, "/oauth/token\n"
          "    client_id_env: QA_CLIENT_ID\n"
          "    client_secret_env: QA_CLIENT_SECRET\n"
          "  rdpc_prod:\n"
          "    wes_url: http://127.0.0.1:", wes_b_port, "\n"
          "    graphql_url: http://127.0.0.1:", wes_b_port, "/graphql\n"
          "    max_parallel_runs: 4\n"
          "    token_url: http://127.0.0.1:", wes_b_port, "/oauth/token\n"
          "    client_id_env: PROD_CLIENT_ID\n"
          "    client_secret_env: PROD_CLIENT_SECRET\n"
          "    api_token_env: PROD_API_TOKEN\n"
          "    nfs_root_paths: [/nfs-prod-1, /nfs-prod-2]\n"
          "  unreachable:\n"
          "    wes_url: http://127.0.0.1:1\n"
          "    max_parallel_runs: 1\n");
      setenv("QA_CLIENT_ID", "qa-client", 1);
      setenv("QA_CLIENT_SECRET", kClientSecret, 1);
      setenv("PROD_CLIENT_ID", "prod-client", 1);
      setenv("PROD_CLIENT_SECRET", "prod-secret-77a1", 1);
      setenv("PROD_API_TOKEN", kApiToken, 1);
      int poller_port = Start(&poller, "wes-poller",
                              {Runfile("services/wes_poller/wes-poller"), "--listen=127.0.0.1:0", "--insecure_plaintext",
                               "--config=" + config, "--request_timeout_seconds=1",
                               "--retry_deadline_seconds=8", "--retry_attempts=4",
                               "--metrics_listen=127.0.0.1:0",
                               "--metrics_port_file=" + tmp.path() + "/poller.metrics_port"});
      metrics_port = WaitForPortFile(tmp.path() + "/poller.metrics_port");
      int verifier_port = Start(&verifier, "azure-verifier",
                                {Runfile("services/azure_verifier/azure-verifier"),
                                 "--listen=127.0.0.1:0", "--insecure_plaintext", "--request_timeout_seconds=1",
                                 "--retry_deadline_seconds=4", "--retry_attempts=3"});
      wes = WesPoller::NewStub(grpc::CreateChannel(absl::StrCat("127.0.0.1:", poller_port),
                                                   grpc::InsecureChannelCredentials()));
      verify = AzureVerifier::NewStub(grpc::CreateChannel(
          absl::StrCat("127.0.0.1:", verifier_port), grpc::InsecureChannelCredentials()));
    }
  };

  static std::string Url(int port, const std::string& path = "") {
    return absl::StrCat("http://127.0.0.1:", port, path);
  }
  // A simulator control call.
  static void Sim(int port, const std::string& method, const std::string& path,
                  const std::string& body = "") {
    auto r = Shell(absl::StrCat("curl -sf -X ", method, " -d ", ShellQuote(body), " ",
                                Url(port, path)));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  static grpc::Status StartRun(const std::string& env, const std::string& job,
                               StartRunResponse* out, const ResumeInfo* resume = nullptr) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    StartRunRequest req;
    req.set_environment(env);
    req.set_workflow_url("https://github.com/icgc-argo/song-score-transfer");
    req.set_workflow_version("0.4.0");
    req.set_params_json(absl::StrCat(R"({"study_id":"PACA-CA","analysis_id":["an-)", job,
                                     R"("],"upload_song_url":")", Url(env_->song_port), R"("})"));
    if (resume != nullptr) *req.mutable_resume() = *resume;
    return env_->wes->StartRun(&ctx, req, out);
  }

  static grpc::Status States(const std::string& env, const std::vector<std::string>& ids,
                             GetRunStatesResponse* out) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    GetRunStatesRequest req;
    req.set_environment(env);
    for (const auto& id : ids) req.add_run_ids(id);
    return env_->wes->GetRunStates(&ctx, req, out);
  }

  static RunStatus WaitTerminal(const std::string& env, const std::string& run_id) {
    RunStatus last;
    for (int i = 0; i < 100; ++i) {
      GetRunStatesResponse r;
      grpc::Status s = States(env, {run_id}, &r);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (s.ok()) last = r.runs(0);
      if (last.state() >= RUN_STATE_COMPLETE && last.state() != RUN_STATE_CANCELING) return last;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return last;
  }

  static grpc::Status Verify(const std::vector<std::string>& ids, VerifyAnalysesResponse* out,
                             bool with_score = true) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    VerifyAnalysesRequest req;
    req.set_song_url(Url(env_->song_port));
    if (with_score) req.set_score_url(Url(env_->song_port));
    req.set_study_id("PACA-CA");
    for (const auto& id : ids) req.add_analysis_ids(id);
    return env_->verify->VerifyAnalyses(&ctx, req, out);
  }

  void TearDown() override {
    // No test leaves a fault behind for the next.
    Sim(env_->wes_a_port, "DELETE", "/_sim/faults");
    Sim(env_->wes_b_port, "DELETE", "/_sim/faults");
    Sim(env_->song_port, "DELETE", "/_sim/faults");
  }

  static Env* env_;

 public:
  static WesPoller::Stub* Wes() { return env_->wes.get(); }
};

HttpServicesTest::Env* HttpServicesTest::env_ = nullptr;

TEST_F(HttpServicesTest, WesRunCompletesAndItsAnalysesArePublished) {
  StartRunResponse started;
  ASSERT_TRUE(StartRun("rdpc_qa", "job.0001", &started).ok());
  EXPECT_EQ(started.run_id().rfind("wes-", 0), 0u);
  EXPECT_EQ(started.run_id().size(), 36u);
  VerifyAnalysesResponse before;
  ASSERT_TRUE(Verify({"an-job.0001"}, &before).ok());
  EXPECT_FALSE(before.verified());
  EXPECT_EQ(before.analyses(0).state(), ANALYSIS_STATE_NOT_FOUND);

  RunStatus done = WaitTerminal("rdpc_qa", started.run_id());
  EXPECT_EQ(done.state(), RUN_STATE_COMPLETE);
  EXPECT_FALSE(done.start_time().empty());
  EXPECT_FALSE(done.end_time().empty());
  VerifyAnalysesResponse after;
  ASSERT_TRUE(Verify({"an-job.0001"}, &after).ok());
  EXPECT_TRUE(after.verified()) << after.summary();
  EXPECT_TRUE(after.analyses(0).objects_checked());
  EXPECT_EQ(after.analyses(0).file_count(), 2);
}

TEST_F(HttpServicesTest, GraphqlAndWesEnvironmentsSideBySideWithResume) {
  Sim(env_->wes_b_port, "POST", "/_sim/outcomes", R"({"outcomes":["EXECUTOR_ERROR"]})");
  StartRunResponse qa, prod;
  ASSERT_TRUE(StartRun("rdpc_qa", "job.0002", &qa).ok());
  ASSERT_TRUE(StartRun("rdpc_prod", "job.0003", &prod).ok());
  RunStatus qa_done = WaitTerminal("rdpc_qa", qa.run_id());
  RunStatus prod_done = WaitTerminal("rdpc_prod", prod.run_id());
  EXPECT_EQ(qa_done.state(), RUN_STATE_COMPLETE);
  EXPECT_EQ(prod_done.state(), RUN_STATE_EXECUTOR_ERROR);
  EXPECT_NE(prod_done.error_summary().find("exit status"), std::string::npos)
      << prod_done.error_summary();
  // A run id of one environment is unknown in the other.
  GetRunStatesResponse cross;
  ASSERT_TRUE(States("rdpc_prod", {qa.run_id()}, &cross).ok());
  EXPECT_EQ(cross.runs(0).error_code(), grpc::StatusCode::NOT_FOUND);

  // Resume the failed run: same session, same directories.
  grpc::ClientContext ctx;
  GetResumeInfoRequest rreq;
  rreq.set_environment("rdpc_prod");
  rreq.set_run_id(prod.run_id());
  GetResumeInfoResponse info;
  ASSERT_TRUE(env_->wes->GetResumeInfo(&ctx, rreq, &info).ok());
  EXPECT_EQ(info.resume().session_id().size(), 36u);
  // The directories are those the run was started with, under an NFS root.
  EXPECT_EQ(info.resume().work_dir(), prod.started_with().work_dir());
  EXPECT_EQ(info.resume().launch_dir(), prod.started_with().launch_dir());
  EXPECT_EQ(info.resume().work_dir().rfind("/nfs-prod-", 0), 0u) << info.resume().work_dir();
  StartRunResponse resumed;
  ASSERT_TRUE(StartRun("rdpc_prod", "job.0003", &resumed, &info.resume()).ok());
  RunStatus resumed_done = WaitTerminal("rdpc_prod", resumed.run_id());
  EXPECT_EQ(resumed_done.state(), RUN_STATE_COMPLETE);
  grpc::ClientContext ctx2;
  rreq.set_run_id(resumed.run_id());
  GetResumeInfoResponse info2;
  ASSERT_TRUE(env_->wes->GetResumeInfo(&ctx2, rreq, &info2).ok());
  EXPECT_EQ(info2.resume().session_id(), info.resume().session_id());
  EXPECT_EQ(info2.resume().work_dir(), info.resume().work_dir());
}

TEST_F(HttpServicesTest, TransientFaultsNeverChangeTheAnswer) {
  StartRunResponse run;
  ASSERT_TRUE(StartRun("rdpc_qa", "job.0004", &run).ok());
  RunStatus truth = WaitTerminal("rdpc_qa", run.run_id());
  ASSERT_EQ(truth.state(), RUN_STATE_COMPLETE);
  const std::vector<std::string> faults = {
      R"({"mode":"status","status":503,"count":2})",
      R"({"mode":"status","status":500,"count":1})",
      R"({"mode":"status","status":502,"count":1})",
      R"({"mode":"status","status":429,"retry_after_s":1,"count":1})",
      R"({"mode":"reset","count":2})",
      R"({"mode":"hang","hang_ms":2500,"count":1})",
      R"({"mode":"none","latency_ms":300})",
  };
  for (const auto& fault : faults) {
    Sim(env_->wes_a_port, "POST", "/_sim/faults", fault);
    GetRunStatesResponse r;
    auto t0 = absl::Now();
    grpc::Status s = States("rdpc_qa", {run.run_id()}, &r);
    ASSERT_TRUE(s.ok()) << fault << ": " << s.error_message();
    EXPECT_EQ(r.runs(0).state(), RUN_STATE_COMPLETE) << fault;
    EXPECT_EQ(r.runs(0).error_code(), 0) << fault;
    if (fault.find("429") != std::string::npos) {
      EXPECT_GE(absl::Now() - t0, absl::Seconds(1)) << "Retry-After not honoured";
    }
    Sim(env_->wes_a_port, "DELETE", "/_sim/faults");
  }
  // The same on the GraphQL back-end.
  StartRunResponse prod;
  ASSERT_TRUE(StartRun("rdpc_prod", "job.0005", &prod).ok());
  RunStatus prod_truth = WaitTerminal("rdpc_prod", prod.run_id());
  Sim(env_->wes_b_port, "POST", "/_sim/faults", R"({"mode":"status","status":503,"count":2})");
  GetRunStatesResponse r;
  ASSERT_TRUE(States("rdpc_prod", {prod.run_id()}, &r).ok());
  EXPECT_EQ(r.runs(0).state(), prod_truth.state());
}

TEST_F(HttpServicesTest, AnOutageIsUnavailableNeverARunState) {
  StartRunResponse run;
  ASSERT_TRUE(StartRun("rdpc_qa", "job.0006", &run).ok());
  for (const char* fault : {R"({"mode":"status","status":503})", R"({"mode":"reset"})"}) {
    Sim(env_->wes_a_port, "POST", "/_sim/faults", fault);
    GetRunStatesResponse r;
    grpc::Status s = States("rdpc_qa", {run.run_id()}, &r);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << fault;
    EXPECT_EQ(s.error_message().find("sim-"), std::string::npos) << s.error_message();
    EXPECT_EQ(s.error_message().find("Bearer"), std::string::npos) << s.error_message();
    Sim(env_->wes_a_port, "DELETE", "/_sim/faults");
  }
  GetRunStatesResponse r;
  EXPECT_EQ(States("unreachable", {"wes-0123"}, &r).error_code(), grpc::StatusCode::UNAVAILABLE);
  StartRunResponse never;
  grpc::Status s = StartRun("unreachable", "job.0007", &never);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(s.error_message().find("nothing was started"), std::string::npos) << s.error_message();
}

TEST_F(HttpServicesTest, AmbiguousStartIsReportedAndTheRunFoundByItsParams) {
  // The service creates the run, then the connection drops.
  Sim(env_->wes_a_port, "POST", "/_sim/faults",
      R"({"mode":"reset_after","path":"/runs","method":"POST","count":1})");
  StartRunResponse lost;
  grpc::Status s = StartRun("rdpc_qa", "job.0100", &lost);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << s.error_message();
  EXPECT_NE(s.error_message().find("find it before starting again"), std::string::npos);
  // A 500 answer to the POST is just as ambiguous.
  Sim(env_->wes_a_port, "POST", "/_sim/faults",
      R"({"mode":"status","status":500,"path":"/runs","method":"POST","count":1})");
  EXPECT_EQ(StartRun("rdpc_qa", "job.0101", &lost).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  Sim(env_->wes_a_port, "DELETE", "/_sim/faults");

  // Found by the job's params, as ARGO keeps them (it keeps no tags).
  auto find = [](const std::string& job) {
    grpc::ClientContext ctx;
    FindRunsOfJobRequest of;
    of.set_environment("rdpc_qa");
    of.set_study_id("PACA-CA");
    of.add_analysis_ids("an-" + job);
    FindRunsOfJobResponse out;
    grpc::Status found = env_->wes->FindRunsOfJob(&ctx, of, &out);
    EXPECT_TRUE(found.ok()) << found.error_message();
    return out;
  };
  FindRunsOfJobResponse by_params = find("job.0100");
  ASSERT_EQ(by_params.runs_size(), 1);  // started exactly once, and found
  EXPECT_TRUE(by_params.exhaustive());
  EXPECT_TRUE(absl::StartsWith(by_params.runs(0).run_id(), "wes-")) << by_params.runs(0).run_id();
  FindRunsOfJobResponse none = find("job.0101");
  EXPECT_EQ(none.runs_size(), 0);  // the 500 came before anything was created
  EXPECT_TRUE(none.exhaustive());
}

FindRunsOfJobResponse FindRunsOf(const std::string& env, const std::string& job) {
  grpc::ClientContext ctx;
  FindRunsOfJobRequest req;
  req.set_environment(env);
  req.set_study_id("PACA-CA");
  req.add_analysis_ids("an-" + job);
  FindRunsOfJobResponse out;
  grpc::Status s = HttpServicesTest::Wes()->FindRunsOfJob(&ctx, req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out;
}

TEST_F(HttpServicesTest, FindRunsOfJobAmongManyRunsAndCancelWorks) {
  // GraphQL: searched by analysis, among every run of the environment.
  std::vector<std::string> ids;
  for (int i = 0; i < 230; ++i) {
    StartRunResponse r;
    ASSERT_TRUE(StartRun("rdpc_prod", absl::StrCat("bulk.", i), &r).ok());
    ids.push_back(r.run_id());
  }
  FindRunsOfJobResponse found = FindRunsOf("rdpc_prod", "bulk.17");
  ASSERT_EQ(found.runs_size(), 1);
  EXPECT_EQ(found.runs(0).run_id(), ids[17]);
  EXPECT_TRUE(found.exhaustive());

  // WES only: ARGO's GET /runs lists the newest 100, so an older run is out
  // of sight, and the answer says it may be incomplete.
  std::vector<std::string> qa_ids;
  for (int i = 0; i < 101; ++i) {
    StartRunResponse r;
    ASSERT_TRUE(StartRun("rdpc_qa", absl::StrCat("many.", i), &r).ok());
    qa_ids.push_back(r.run_id());
  }
  found = FindRunsOf("rdpc_qa", "many.100");
  ASSERT_EQ(found.runs_size(), 1);
  EXPECT_EQ(found.runs(0).run_id(), qa_ids[100]);
  EXPECT_FALSE(found.exhaustive());
  EXPECT_EQ(FindRunsOf("rdpc_qa", "many.0").runs_size(), 0);

  // CANCELED is told by GraphQL (workflow-api's REST status calls it
  // UNKNOWN).
  StartRunResponse doomed;
  ASSERT_TRUE(StartRun("rdpc_prod", "job.cancel", &doomed).ok());
  grpc::ClientContext cctx;
  CancelRunRequest creq;
  creq.set_environment("rdpc_prod");
  creq.set_run_id(doomed.run_id());
  CancelRunResponse cancelled;
  ASSERT_TRUE(env_->wes->CancelRun(&cctx, creq, &cancelled).ok());
  EXPECT_EQ(WaitTerminal("rdpc_prod", doomed.run_id()).state(), RUN_STATE_CANCELED);

  // Many runs at once, in batches, all answered.
  GetRunStatesResponse all;
  ASSERT_TRUE(States("rdpc_prod", ids, &all).ok());
  ASSERT_EQ(all.runs_size(), 230);
  for (int i = 0; i < 230; ++i) {
    EXPECT_EQ(all.runs(i).run_id(), ids[i]);
    EXPECT_NE(all.runs(i).state(), RUN_STATE_UNSPECIFIED);
    EXPECT_EQ(all.runs(i).error_code(), 0) << all.runs(i).error_message();
  }
}

TEST_F(HttpServicesTest, SongStatesOutagesAndCache) {
  Sim(env_->song_port, "PUT", "/_sim/analyses",
      R"({"study_id":"PACA-CA","analysis_id":"an-unpub","state":"UNPUBLISHED","object_ids":["o1"]})");
  Sim(env_->song_port, "PUT", "/_sim/analyses",
      R"({"study_id":"PACA-CA","analysis_id":"an-supp","state":"SUPPRESSED","object_ids":["o2"]})");
  Sim(env_->song_port, "PUT", "/_sim/analyses",
      R"({"study_id":"PACA-CA","analysis_id":"an-pub","state":"PUBLISHED","object_ids":["o3"]})");
  Sim(env_->song_port, "PUT", "/_sim/analyses",
      R"({"study_id":"PACA-CA","analysis_id":"an-lost","state":"PUBLISHED","missing_object_ids":["o4"]})");
  VerifyAnalysesResponse r;
  ASSERT_TRUE(Verify({"an-unpub", "an-supp", "an-pub", "an-lost", "an-none"}, &r).ok());
  EXPECT_FALSE(r.verified());
  EXPECT_EQ(r.analyses(0).state(), ANALYSIS_STATE_UNPUBLISHED);
  EXPECT_EQ(r.analyses(1).state(), ANALYSIS_STATE_SUPPRESSED);
  EXPECT_EQ(r.analyses(2).state(), ANALYSIS_STATE_PUBLISHED);
  EXPECT_EQ(r.analyses(3).missing_object_ids(0), "o4");
  EXPECT_EQ(r.analyses(4).state(), ANALYSIS_STATE_NOT_FOUND);
  EXPECT_EQ(r.summary(),
            "1 of 5 analyses PUBLISHED; not yet: an-unpub (UNPUBLISHED), an-supp (SUPPRESSED), "
            "an-lost (PUBLISHED, 1 objects missing in SCORE), an-none (NOT_FOUND)");

  // SONG down: UNAVAILABLE, never "not published" ...
  for (const char* fault : {R"({"mode":"status","status":503})", R"({"mode":"reset"})",
                            R"({"mode":"status","status":500})"}) {
    Sim(env_->song_port, "POST", "/_sim/faults", fault);
    VerifyAnalysesResponse down;
    EXPECT_EQ(Verify({"an-unpub"}, &down).error_code(), grpc::StatusCode::UNAVAILABLE) << fault;
    Sim(env_->song_port, "DELETE", "/_sim/faults");
  }
  // ... except what was already seen PUBLISHED, which is remembered.
  Sim(env_->song_port, "POST", "/_sim/faults", R"({"mode":"status","status":503})");
  VerifyAnalysesResponse cached;
  ASSERT_TRUE(Verify({"an-pub"}, &cached).ok());
  EXPECT_TRUE(cached.verified());
  EXPECT_TRUE(cached.analyses(0).cached());
  // Transient trouble is retried through.
  for (const char* fault : {R"({"mode":"status","status":429,"retry_after_s":1,"count":1})",
                            R"({"mode":"status","status":502,"count":2})",
                            R"({"mode":"reset","count":1})",
                            R"({"mode":"hang","hang_ms":2000,"count":1})",
                            R"({"mode":"none","latency_ms":200})"}) {
    Sim(env_->song_port, "POST", "/_sim/faults", fault);
    VerifyAnalysesResponse retried;
    grpc::Status s = Verify({"an-unpub", "an-supp"}, &retried);
    ASSERT_TRUE(s.ok()) << fault << ": " << s.error_message();
    EXPECT_EQ(retried.analyses(0).state(), ANALYSIS_STATE_UNPUBLISHED) << fault;
    EXPECT_EQ(retried.analyses(1).state(), ANALYSIS_STATE_SUPPRESSED) << fault;
    Sim(env_->song_port, "DELETE", "/_sim/faults");
  }
}

// song-sim answers in SONG 1.x's shape, "analysisType" first and last
// (tools/sim/song_sim.cc cites SONG's source); the verifier reads it.
TEST_F(HttpServicesTest, SongAnswerWithTheRepeatedAnalysisTypeIsPublished) {
  Sim(env_->song_port, "PUT", "/_sim/analyses",
      R"({"study_id":"PACA-CA","analysis_id":"an-song1","state":"PUBLISHED","object_ids":["o9","o10"]})");
  auto raw = Shell(absl::StrCat("curl -sf ", Url(env_->song_port, "/studies/PACA-CA/analysis/an-song1")));
  ASSERT_EQ(raw.exit_code, 0) << raw.output;
  EXPECT_TRUE(absl::StartsWith(raw.output, R"({"analysisType":"sequencingRead",)")) << raw.output;
  EXPECT_TRUE(absl::EndsWith(raw.output, R"(,"analysisType":"sequencingRead"})")) << raw.output;
  size_t seen = 0;
  for (size_t at = 0; (at = raw.output.find(R"("analysisType")", at)) != std::string::npos; ++at) {
    ++seen;
  }
  EXPECT_EQ(seen, 2u) << raw.output;
  VerifyAnalysesResponse r;
  grpc::Status s = Verify({"an-song1"}, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(r.verified()) << r.summary();
  EXPECT_EQ(r.analyses(0).state(), ANALYSIS_STATE_PUBLISHED);
  EXPECT_EQ(r.analyses(0).file_count(), 2);
  EXPECT_TRUE(r.analyses(0).objects_checked());
}

TEST_F(HttpServicesTest, BadInputGetsTheRightCode) {
  GetRunStatesResponse r;
  grpc::Status s = States("nowhere", {"wes-1"}, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(s.error_message().find("rdpc_qa"), std::string::npos) << s.error_message();
  EXPECT_EQ(States("rdpc_qa", {"../etc/passwd"}, &r).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(States("rdpc_qa", {""}, &r).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  grpc::ClientContext ctx;
  StartRunRequest bad;
  bad.set_environment("rdpc_qa");
  bad.set_workflow_url("x");
  bad.set_params_json("[1,2");
  StartRunResponse out;
  EXPECT_EQ(env_->wes->StartRun(&ctx, bad, &out).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  grpc::ClientContext vctx;
  VerifyAnalysesRequest vreq;
  vreq.set_song_url("file:///etc");
  vreq.set_study_id("PACA-CA");
  vreq.add_analysis_ids("a");
  VerifyAnalysesResponse vout;
  EXPECT_EQ(env_->verify->VerifyAnalyses(&vctx, vreq, &vout).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  grpc::ClientContext vctx2;
  vreq.set_song_url(Url(env_->song_port));
  vreq.set_study_id("PACA-CA/../x");
  EXPECT_EQ(env_->verify->VerifyAnalyses(&vctx2, vreq, &vout).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// What Prometheus scrapes from the wes-poller: its gRPC requests by method
// and code, its HTTP attempts by host, method and status class, token
// refreshes; bounded labels only (no run id, no secret).
TEST_F(HttpServicesTest, MetricsAreExposedForPrometheus) {
  auto scrape = [] {
    auto r = Shell("curl -sf -D - " + Url(env_->metrics_port, "/metrics"));
    EXPECT_EQ(r.exit_code, 0);
    return r.output;
  };
  // The value of one series in a scrape (0 when absent).
  auto value = [](const std::string& text, const std::string& series) {
    size_t at = text.find("\n" + series + " ");
    return at == std::string::npos ? 0.0 : std::stod(text.substr(at + series.size() + 2));
  };
  const std::string not_found =
      R"(tracker_grpc_server_requests_total{method="/tracker.v1.WesPoller/GetRunStates",code="NOT_FOUND"})";
  const std::string host = absl::StrCat("127.0.0.1:", env_->wes_b_port);
  const std::string posts = absl::StrCat(R"(tracker_http_client_requests_total{host=")", host,
                                         R"(",method="POST",status_class="2xx"})");
  const std::string before = scrape();
  StartRunResponse run;
  ASSERT_TRUE(StartRun("rdpc_prod", "job.0300", &run).ok());
  GetRunStatesResponse states;
  ASSERT_TRUE(States("rdpc_prod", {run.run_id()}, &states).ok());
  GetRunStatesResponse none;
  EXPECT_FALSE(States("nope", {"wes-1"}, &none).ok());
  const std::string out = scrape();
  EXPECT_EQ(value(out, not_found), value(before, not_found) + 1);
  EXPECT_GE(value(out, posts), value(before, posts) + 2);  // the start and the GraphQL query
  EXPECT_NE(out.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(out.find("# TYPE tracker_grpc_server_requests_total counter"), std::string::npos);
  EXPECT_NE(out.find(R"(tracker_grpc_server_request_duration_seconds_bucket{method="/tracker.v1.WesPoller/StartRun",le="+Inf"})"),
            std::string::npos);
  EXPECT_NE(out.find(absl::StrCat(R"(tracker_token_refreshes_total{host=")", host, R"(",result="ok"})")),
            std::string::npos);
  EXPECT_EQ(out.find(run.run_id()), std::string::npos);
  EXPECT_EQ(out.find(kApiToken), std::string::npos);
  EXPECT_EQ(out.find("prod-secret"), std::string::npos);
}

TEST_F(HttpServicesTest, TokensAreRefreshedAndNeverLogged) {
  // rdpc_qa tokens live 2 s: calls across 3 s need a refresh, and work.
  StartRunResponse a, b;
  ASSERT_TRUE(StartRun("rdpc_qa", "job.0200", &a).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  ASSERT_TRUE(StartRun("rdpc_qa", "job.0201", &b).ok());
  // Every token the simulators issued starts with "sim-"; no secret or
  // token may appear in any service log.
  for (const char* log : {"wes-poller.log", "azure-verifier.log"}) {
    auto out = Shell("cat " + ShellQuote(env_->tmp.path() + "/" + log));
    EXPECT_EQ(out.output.find("sim-"), std::string::npos) << log;
    EXPECT_EQ(out.output.find(kClientSecret), std::string::npos) << log;
    EXPECT_EQ(out.output.find("prod-secret"), std::string::npos) << log;
    EXPECT_EQ(out.output.find(kApiToken), std::string::npos) << log;
    EXPECT_EQ(out.output.find("Bearer"), std::string::npos) << log;
  }
  // The api_token went to the service, in the run's params, and nowhere
  // else: ARGO's search shows its md5.
  StartRunResponse prod;
  ASSERT_TRUE(StartRun("rdpc_prod", "job.0202", &prod).ok());
  const std::string query = ShellQuote(absl::StrCat(
      R"({"query":"{ runs(filter: {runId: \")", prod.run_id(), R"(\"}) { content { parameters } } }"})"));
  auto shown = Shell(absl::StrCat(
      "tok=$(curl -sf -X POST -d 'grant_type=client_credentials&client_id=prod-client&client_secret=prod-secret-77a1' ",
      Url(env_->wes_b_port, "/oauth/token"), " | sed 's/.*\"access_token\":\"\\([^\"]*\\)\".*/\\1/'); ",
      "curl -sf -X POST -H 'Content-Type: application/json' -H \"Authorization: Bearer $tok\" -d ", query, " ",
      Url(env_->wes_b_port, "/graphql")));
  EXPECT_NE(shown.output.find("\"api_token\""), std::string::npos) << shown.output;
  EXPECT_EQ(shown.output.find(kApiToken), std::string::npos) << shown.output;
  auto refreshed = Shell("grep -c token_refreshed " + ShellQuote(env_->tmp.path() + "/wes-poller.log"));
  EXPECT_GE(std::stoi(refreshed.output), 2) << "the short-lived token was not refreshed";
}

}  // namespace
}  // namespace tracker
