// An ARGO RDPC's workflow services on loopback, for tests and the demo, as
// their sources answer (each handler names the file it follows):
//   POST /runs, POST /runs/{id}/cancel    icgc-argo/workflow-management
//       (wes/controller/impl/RunsApiController.java, model/RunsRequest.java,
//       WorkflowEngineParams.java, exception/model/ErrorResponse.java)
//   GET /runs, /runs/{id}, /runs/{id}/status, /service-info
//                                         icgc-argo/workflow-api (controller/
//       impl/RunsApiController.java, model/wes/State.java)
//   POST /graphql `runs`                  icgc-argo/workflow-api (schema.graphqls)
//       over the index icgc-argo/workflow-relay writes (tools/sim/argo_search.h)
//   POST /oauth/token                     an OAuth2 client-credentials endpoint
// Runs live in memory and move QUEUED -> RUNNING -> COMPLETE or an error
// state over configurable times; outcomes are drawn from --seed in creation
// order, so a replay with the same seed and the same requests gives the
// same runs. A run is seen by the GET endpoints and GraphQL only once the
// relay has indexed it (--index_delay_ms).
//
//   wes-sim --port=0 --seed=7 --queued_ms=200 --running_ms=800 --failure_rate=0.1
//
// Test controls (never authenticated, never faulted):
//   GET  /_sim/runs                   every run with its session and the request
//                                     as kept (no tags; api_token as its md5)
//   DELETE /_sim/runs/{id}            forget a run (a service that lost it)
//   POST /_sim/outcomes  {"outcomes": ["EXECUTOR_ERROR", "COMPLETE"]}
//                                     outcomes of the next runs, before random
//   POST /_sim/faults, DELETE /_sim/faults   see sim_server.h

#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <regex>
#include <set>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/json.h"
#include "tools/sim/argo_search.h"
#include "tools/sim/sim_server.h"

ABSL_FLAG(int, port, 0, "port on --host (0: any free one)");
ABSL_FLAG(std::string, port_file, "", "write the bound port here");
ABSL_FLAG(uint64_t, seed, 1, "seed of run ids, session ids and outcomes");
ABSL_FLAG(int, queued_ms, 200, "time a run stays QUEUED");
ABSL_FLAG(int, running_ms, 1000, "time a run stays RUNNING");
ABSL_FLAG(double, failure_rate, 0.0, "share of runs that end in EXECUTOR_ERROR");
ABSL_FLAG(std::string, client_id, "tracker", "OAuth2 client id accepted by /oauth/token");
ABSL_FLAG(std::string, client_secret, "tracker-secret", "OAuth2 client secret accepted");
ABSL_FLAG(int, token_ttl_s, 3600, "lifetime of issued tokens");
ABSL_FLAG(bool, require_auth, true, "refuse API calls without a valid bearer token");
ABSL_FLAG(int, index_delay_ms, 0,
          "time before a new run is searchable (workflow-relay indexes it from an event)");
ABSL_FLAG(bool, publish_to_song, true,
          "when a run completes, publish its analyses at the upload_song_url of its params, "
          "as the transfer workflow does (SONG simulator's /_sim/publish)");

namespace tracker::sim {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

struct Run {
  std::string id;
  int64_t seq = 0;
  Struct request;  // as kept: the posted body without what ARGO drops
  std::string session_id;
  std::string outcome;  // final state
  std::string state = "QUEUED";
  absl::Time created;
  absl::Time started;
  absl::Time ended;
  bool cancel_requested = false;
  std::string error;  // stderr of a failed run
};

std::string Iso(absl::Time t) {
  return t == absl::Time() ? "" : absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

class WesSim {
 public:
  explicit WesSim(uint64_t seed) : rng_(seed) {}

  void Install(httplib::Server& s) {
    faults_.Install(s);
    s.Get("/service-info", [this](const httplib::Request&, httplib::Response& res) {
      Json(res, R"({"workflow_type_versions":{"NFL":{"workflow_type_version":["21.04"]}},)"
                R"("supported_wes_versions":["1.1.0"],"supported_filesystem_protocols":["file"],)"
                R"("workflow_engine_versions":{"nextflow":"21.04"},"system_state_counts":{},)"
                R"("auth_instructions_url":"","tags":{"simulator":"wes-sim"}})");
    });
    // ego serves its token endpoint at /api/oauth/token (the original's
    // token_url); /oauth/token is kept for configs written for it.
    for (const char* path : {"/oauth/token", "/api/oauth/token"}) {
      s.Post(path, [this](const httplib::Request& req, httplib::Response& res) { Token(req, res); });
    }
    // The RDPC's gateway serves the runs API under /api/v1 (workflow-gateway
    // nginx.conf.template: rewrite ^/api/v1/runs(/.*)? /runs$1); both paths.
    for (const std::string prefix : {"", "/api/v1"}) {
      s.Post(prefix + "/runs", [this](const httplib::Request& req, httplib::Response& res) {
        if (Authorized(req, res)) Create(req, res);
      });
      s.Get(prefix + "/runs", [this](const httplib::Request& req, httplib::Response& res) {
        if (Authorized(req, res)) List(req, res);
      });
      s.Get(prefix + R"(/runs/([^/]+)/status)",
            [this](const httplib::Request& req, httplib::Response& res) {
              if (Authorized(req, res)) Status(req.matches[1], req.path, res);
            });
      s.Get(prefix + R"(/runs/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
        if (Authorized(req, res)) Log(req.matches[1], req.path, res);
      });
      s.Post(prefix + R"(/runs/([^/]+)/cancel)",
             [this](const httplib::Request& req, httplib::Response& res) {
               if (Authorized(req, res)) Cancel(req.matches[1], res);
             });
    }
    s.Post("/graphql", [this](const httplib::Request& req, httplib::Response& res) {
      if (Authorized(req, res)) Graphql(req, res);
    });
    s.Get("/_sim/runs", [this](const httplib::Request&, httplib::Response& res) { Dump(res); });
    // A run the service no longer knows, as after the outages in which the
    // real campaign's queued runs were lost (the index lost them).
    s.Delete(R"(/_sim/runs/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      absl::MutexLock lock(&mu_);
      const std::string id = req.matches[1];
      if (runs_.erase(id) == 0) return JsonError(res, 404, "no run " + id);
      order_.erase(std::remove(order_.begin(), order_.end(), id), order_.end());
      Json(res, "{}");
    });
    s.Post("/_sim/outcomes", [this](const httplib::Request& req, httplib::Response& res) {
      auto body = ParseJsonObject(req.body, "outcomes");
      if (!body.ok()) return JsonError(res, 400, std::string(body.status().message()));
      absl::MutexLock lock(&mu_);
      const auto& list = body->fields().at("outcomes").list_value();
      for (const auto& v : list.values()) scripted_.push_back(v.string_value());
      Json(res, "{}");
    });
  }

  // Moves runs along their timeline; publishes a completing run's analyses
  // before it shows COMPLETE, as the real workflow's last step does.
  void Tick() {
    const absl::Time now = absl::Now();
    std::vector<std::pair<std::string, Struct>> to_publish;
    {
      absl::MutexLock lock(&mu_);
      for (auto& [id, run] : runs_) {
        if (run.cancel_requested && (run.state == "QUEUED" || run.state == "RUNNING" ||
                                     run.state == "INITIALIZING" || run.state == "CANCELING")) {
          run.state = "CANCELED";
          run.ended = now;
          continue;
        }
        if (run.state == "QUEUED" && now - run.created >= queued_) {
          run.state = "RUNNING";
          run.started = now;
        }
        if (run.state == "RUNNING" && now - run.started >= running_) {
          if (run.outcome == "COMPLETE" && publish_) {
            to_publish.emplace_back(id, run.request);
          } else {
            Finish(run, now);
          }
        }
      }
    }
    for (auto& [id, request] : to_publish) {
      bool published = Publish(request);
      absl::MutexLock lock(&mu_);
      auto it = runs_.find(id);
      if (it == runs_.end() || it->second.state != "RUNNING") continue;
      if (published) Finish(it->second, absl::Now());
      // else: SONG unreachable, the run keeps "uploading"; tried next tick.
    }
  }

  FaultInjector faults_;
  absl::Duration index_delay_;
  absl::Duration queued_;
  absl::Duration running_;
  double failure_rate_ = 0;
  bool publish_ = true;
  bool require_auth_ = true;
  std::string client_id_, client_secret_;
  absl::Duration token_ttl_;

 private:
  static void Finish(Run& run, absl::Time now) {
    run.state = run.outcome;
    run.ended = now;
    if (run.outcome != "COMPLETE") {
      run.error = absl::StrCat("Error executing process > 'transfer (", run.id.substr(4, 8),
                               ")'\nCaused by: Process terminated with an error exit status (1)");
    }
  }

  std::string Hex(int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out.push_back("0123456789abcdef"[rng_() % 16]);
    return out;
  }

  bool Authorized(const httplib::Request& req, httplib::Response& res) {
    if (!require_auth_) return true;
    std::string auth = req.get_header_value("Authorization");
    if (absl::StartsWith(auth, "Bearer ")) {
      absl::MutexLock lock(&mu_);
      auto it = tokens_.find(auth.substr(7));
      if (it != tokens_.end() && absl::Now() < it->second) return true;
    }
    JsonError(res, 401, "a valid bearer token is required");
    return false;
  }

  void Token(const httplib::Request& req, httplib::Response& res) {
    std::string id, secret;
    std::string auth = req.get_header_value("Authorization");
    std::string decoded;
    if (absl::StartsWith(auth, "Basic ") && absl::Base64Unescape(auth.substr(6), &decoded)) {
      size_t colon = decoded.find(':');
      id = decoded.substr(0, colon);
      secret = colon == std::string::npos ? "" : decoded.substr(colon + 1);
    }
    if (req.has_param("client_id")) id = req.get_param_value("client_id");
    if (req.has_param("client_secret")) secret = req.get_param_value("client_secret");
    if (req.get_param_value("grant_type") != "client_credentials" &&
        req.body.find("grant_type=client_credentials") == std::string::npos) {
      return Json(res, R"({"error":"unsupported_grant_type"})", 400);
    }
    if (id != client_id_ || secret != client_secret_) {
      return Json(res, R"({"error":"invalid_client"})", 401);
    }
    absl::MutexLock lock(&mu_);
    std::string token = absl::StrCat("sim-", Hex(40));
    tokens_[token] = absl::Now() + token_ttl_;
    Json(res, absl::StrFormat(R"({"access_token":"%s","token_type":"bearer","expires_in":%d})",
                              token, absl::ToInt64Seconds(token_ttl_)));
  }

  // workflow-management's ErrorResponse: {"msg": "[@<epoch ms>]: ...",
  // "status_code": N} (exception/GlobalWebExceptionHandler.java).
  static void ArgoError(httplib::Response& res, int status, const std::string& message) {
    Json(res, absl::StrCat(R"({"msg":)", JsonQuote(absl::StrCat("[@", absl::ToUnixMillis(absl::Now()),
                                                          "]: ", message)),
                           R"(,"status_code":)", status, "}"),
         status);
  }

  // java.util.UUID.fromString: five groups of hex digits.
  static bool IsUuid(const std::string& s) {
    static const std::regex kUuid(
        "^[0-9a-fA-F]{1,8}-[0-9a-fA-F]{1,4}-[0-9a-fA-F]{1,4}-[0-9a-fA-F]{1,4}-[0-9a-fA-F]{1,12}$");
    return std::regex_match(s, kUuid);
  }

  // RunsApiController.postRun: RunsRequest (workflow_url @NotBlank;
  // unknown members such as `offline` ignored; WorkflowEngineParams.resume
  // a UUID), answered {"run_id": "wes-<32 hex>"} (WesUtils.generateWesRunId).
  // Only workflow_url, workflow_params and workflow_engine_params go on
  // (RunsApiController builds RunParams of those three): `tags` are
  // accepted and dropped, as in WfMgmtRunMsgConverters and the Avro
  // WfMgmtRunMsg.avsc, which have no tags.
  void Create(const httplib::Request& req, httplib::Response& res) {
    auto body = ParseJsonObject(req.body, "run request");
    if (!body.ok()) return ArgoError(res, 400, "Failed to read HTTP message");
    if (StringField(*body, "workflow_url").empty()) {
      return ArgoError(res, 400, "workflow_url is a required field!");
    }
    std::string resume;
    auto engine = body->fields().find("workflow_engine_params");
    if (engine != body->fields().end() && engine->second.has_struct_value()) {
      resume = StringField(engine->second.struct_value(), "resume");
    }
    if (!resume.empty() && !IsUuid(resume)) {
      return ArgoError(res, 400, "Failed to read HTTP message: cannot deserialize value of type "
                                 "`java.util.UUID` from String");
    }
    absl::MutexLock lock(&mu_);
    Run run;
    run.id = absl::StrCat("wes-", Hex(32));
    run.seq = next_seq_++;
    for (const char* kept : {"workflow_url", "workflow_params", "workflow_engine_params"}) {
      auto it = body->fields().find(kept);
      if (it != body->fields().end()) (*run.request.mutable_fields())[kept] = it->second;
    }
    run.created = absl::Now();
    double draw = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (!scripted_.empty()) {
      run.outcome = scripted_.front();
      scripted_.erase(scripted_.begin());
    } else {
      run.outcome = draw < failure_rate_ ? "EXECUTOR_ERROR" : "COMPLETE";
    }
    if (!resume.empty()) {
      if (sessions_.count(resume) == 0) {
        // Nextflow: "Can't find a run with the specified id"; the failed
        // event becomes EXECUTOR_ERROR (management's event converter).
        run.outcome = "EXECUTOR_ERROR";
      }
      run.session_id = resume;
    } else {
      run.session_id = absl::StrCat(Hex(8), "-", Hex(4), "-", Hex(4), "-", Hex(4), "-", Hex(12));
    }
    sessions_.insert(run.session_id);
    order_.push_back(run.id);
    std::string id = run.id;
    runs_[id] = std::move(run);
    Json(res, absl::StrCat(R"({"run_id":")", id, R"("})"));
  }

  bool Indexed(const Run& run, absl::Time now) const { return now - run.created >= index_delay_; }

  // workflow-api's model/wes/State.fromValue knows RUNNING, QUEUED,
  // COMPLETE and EXECUTOR_ERROR; its REST answers call any other state
  // (FAILED, SYSTEM_ERROR, CANCELED...) UNKNOWN.
  static std::string RestState(const std::string& state) {
    return state == "RUNNING" || state == "QUEUED" || state == "COMPLETE" ||
                   state == "EXECUTOR_ERROR"
               ? state
               : "UNKNOWN";
  }

  // workflow-api RunsApiController.listRuns: page_size and page_token are
  // read and ignored; the newest 100 runs (DEFAULT_HIT_SIZE), newest first,
  // and no next_page_token.
  void List(const httplib::Request&, httplib::Response& res) {
    absl::MutexLock lock(&mu_);
    const absl::Time now = absl::Now();
    Struct out;
    auto* runs = (*out.mutable_fields())["runs"].mutable_list_value();
    for (auto it = order_.rbegin(); it != order_.rend() && runs->values_size() < 100; ++it) {
      const Run& r = runs_.at(*it);
      if (!Indexed(r, now)) continue;
      auto& f = *runs->add_values()->mutable_struct_value()->mutable_fields();
      f["run_id"].set_string_value(r.id);
      f["state"].set_string_value(RestState(r.state));
    }
    Json(res, ToJson(out));
  }

  // workflow-api throws ResponseStatusException(NOT_FOUND, "Cannot find run
  // log with run id = <id>") for a run its index does not have
  // (service/wes/WesRunService.java getWorkflowById); it has no exception
  // handler of its own, so Spring Boot 2.1's (pom.xml: spring-boot-starter-
  // web 2.1.2) BasicErrorController answers with DefaultErrorAttributes:
  // timestamp, status, error (the reason phrase), message, path.
  static void RunNotFound(httplib::Response& res, const std::string& id, const std::string& path) {
    Json(res,
         absl::StrCat(R"({"timestamp":)",
                      JsonQuote(absl::FormatTime("%Y-%m-%dT%H:%M:%E3S+0000", absl::Now(),
                                                 absl::UTCTimeZone())),
                      R"(,"status":404,"error":"Not Found","message":)",
                      JsonQuote("Cannot find run log with run id = " + id), R"(,"path":)",
                      JsonQuote(path), "}"),
         404);
  }

  void Status(const std::string& id, const std::string& path, httplib::Response& res) {
    absl::MutexLock lock(&mu_);
    auto it = runs_.find(id);
    if (it == runs_.end() || !Indexed(it->second, absl::Now())) return RunNotFound(res, id, path);
    Json(res, absl::StrCat(R"({"run_id":")", id, R"(","state":")", RestState(it->second.state),
                           R"("})"));
  }

  // The request as indexed: params with api_token as its md5
  // (workflow-relay's Sanitize of metadata.parameters.api_token).
  static Struct AsIndexed(const Struct& kept) {
    Struct request = kept;
    auto& rf = *request.mutable_fields();
    auto params = rf.find("workflow_params");
    if (params != rf.end() && params->second.has_struct_value()) {
      auto& pf = *params->second.mutable_struct_value()->mutable_fields();
      if (pf.count("api_token")) pf["api_token"].set_string_value(RelayMd5(pf["api_token"].string_value()));
    }
    return request;
  }

  Struct RunLog(const Run& r) {
    Struct out;
    auto& f = *out.mutable_fields();
    f["run_id"].set_string_value(r.id);
    f["state"].set_string_value(RestState(r.state));
    Struct request = AsIndexed(r.request);
    (*request.mutable_fields())["workflow_type"].set_string_value("nextflow");
    f["request"].mutable_struct_value()->Swap(&request);
    auto& log = *f["run_log"].mutable_struct_value()->mutable_fields();
    log["name"].set_string_value("transfer");
    log["session_id"].set_string_value(r.session_id);
    log["start_time"].set_string_value(Iso(r.started));
    log["end_time"].set_string_value(Iso(r.ended));
    if (r.state == "COMPLETE") log["exit_code"].set_number_value(0);
    if (!r.error.empty()) {
      log["exit_code"].set_number_value(1);
      log["stderr"].set_string_value(r.error);
    }
    f["task_logs"].mutable_list_value();
    f["outputs"].mutable_struct_value();
    return out;
  }

  void Log(const std::string& id, const std::string& path, httplib::Response& res) {
    absl::MutexLock lock(&mu_);
    auto it = runs_.find(id);
    if (it == runs_.end() || !Indexed(it->second, absl::Now())) return RunNotFound(res, id, path);
    Json(res, ToJson(RunLog(it->second)));
  }

  void Cancel(const std::string& id, httplib::Response& res) {
    absl::MutexLock lock(&mu_);
    auto it = runs_.find(id);
    if (it == runs_.end()) return ArgoError(res, 404, "run not found: " + id);
    it->second.cancel_requested = true;
    if (it->second.state == "QUEUED" || it->second.state == "RUNNING") it->second.state = "CANCELING";
    Json(res, absl::StrCat(R"({"run_id":")", id, R"("})"));
  }

  // POST /graphql: workflow-api's `runs` over the indexed runs.
  void Graphql(const httplib::Request& req, httplib::Response& res) {
    std::vector<IndexedRun> indexed;
    {
      absl::MutexLock lock(&mu_);
      const absl::Time now = absl::Now();
      for (const auto& id : order_) {
        const Run& r = runs_.at(id);
        if (Indexed(r, now)) indexed.push_back(ToIndexed(r));
      }
    }
    Json(res, AnswerGraphql(req.body, indexed));
  }

  static IndexedRun ToIndexed(const Run& r) {
    IndexedRun out;
    out.run_id = r.id;
    out.session_id = r.session_id;
    out.state = r.state;
    out.repository = StringField(r.request, "workflow_url");
    auto params = r.request.fields().find("workflow_params");
    if (params != r.request.fields().end() && params->second.has_struct_value()) {
      out.parameters = params->second.struct_value();
    }
    auto engine = r.request.fields().find("workflow_engine_params");
    if (engine != r.request.fields().end() && engine->second.has_struct_value()) {
      out.engine = engine->second.struct_value();
    }
    if (r.started != absl::Time()) out.start_ms = absl::ToUnixMillis(r.started);
    if (r.ended != absl::Time()) {
      out.complete_ms = absl::ToUnixMillis(r.ended);
      out.exit_status = r.state == "COMPLETE" ? 0 : 1;
    }
    out.error_report = r.error;
    return out;
  }

  void Dump(httplib::Response& res) {
    absl::MutexLock lock(&mu_);
    Struct out;
    auto* list = (*out.mutable_fields())["runs"].mutable_list_value();
    for (const auto& id : order_) {
      const Run& r = runs_.at(id);
      auto& f = *list->add_values()->mutable_struct_value()->mutable_fields();
      f["run_id"].set_string_value(r.id);
      f["state"].set_string_value(r.state);
      f["session_id"].set_string_value(r.session_id);
      *f["request"].mutable_struct_value() = AsIndexed(r.request);
      auto engine = r.request.fields().find("workflow_engine_params");
      if (engine != r.request.fields().end() && engine->second.has_struct_value()) {
        f["resume"].set_string_value(StringField(engine->second.struct_value(), "resume"));
      }
    }
    Json(res, ToJson(out));
  }

  // POSTs the run's analyses to the SONG simulator named by the params'
  // upload_song_url. True when published (or nothing to publish).
  bool Publish(const Struct& request) {
    auto params_it = request.fields().find("workflow_params");
    if (params_it == request.fields().end() || !params_it->second.has_struct_value()) return true;
    const Struct& params = params_it->second.struct_value();
    std::string song = StringField(params, "upload_song_url");
    std::string study = StringField(params, "study_id");
    if (song.empty() || study.empty()) return true;
    Struct body;
    (*body.mutable_fields())["study_id"].set_string_value(study);
    auto ids = params.fields().find("analysis_id");
    if (ids == params.fields().end()) return true;
    (*body.mutable_fields())["analysis_ids"] = ids->second;
    std::regex url(R"(^(https?://[^/]+)(.*)$)");
    std::smatch m;
    if (!std::regex_match(song, m, url)) return true;
    httplib::Client client(m[1].str());
    client.set_connection_timeout(2);
    client.set_read_timeout(5);
    auto r = client.Post((m[2].str() + "/_sim/publish").c_str(), ToJson(body), "application/json");
    return r && r->status == 200;
  }

  absl::Mutex mu_;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
  int64_t next_seq_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, Run> runs_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> order_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> sessions_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> scripted_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, absl::Time> tokens_ ABSL_GUARDED_BY(mu_);
};

}  // namespace
}  // namespace tracker::sim

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  tracker::sim::WesSim sim(absl::GetFlag(FLAGS_seed));
  sim.index_delay_ = absl::Milliseconds(absl::GetFlag(FLAGS_index_delay_ms));
  sim.queued_ = absl::Milliseconds(absl::GetFlag(FLAGS_queued_ms));
  sim.running_ = absl::Milliseconds(absl::GetFlag(FLAGS_running_ms));
  sim.failure_rate_ = absl::GetFlag(FLAGS_failure_rate);
  sim.publish_ = absl::GetFlag(FLAGS_publish_to_song);
  sim.require_auth_ = absl::GetFlag(FLAGS_require_auth);
  sim.client_id_ = absl::GetFlag(FLAGS_client_id);
  sim.client_secret_ = absl::GetFlag(FLAGS_client_secret);
  sim.token_ttl_ = absl::Seconds(absl::GetFlag(FLAGS_token_ttl_s));
  httplib::Server server;
  sim.Install(server);
  std::atomic<bool> stop{false};
  std::thread ticker([&] {
    while (!stop) {
      sim.Tick();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  int rc = tracker::sim::Serve(server, "wes-sim", absl::GetFlag(FLAGS_port),
                               absl::GetFlag(FLAGS_port_file));
  stop = true;
  ticker.join();
  return rc;
}
