#include "services/wes_poller/environment_client.h"

#include <google/protobuf/struct.pb.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/json.h"
#include "common/log.h"
#include "services/wes_poller/run_state.h"
#include "tracking/ids.h"

namespace tracker::wes {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

// ARGO's workflow-search schema (SPEC.md section 2).
constexpr char kRunQuery[] =
    "query RunById($runId: String) { runs(filter: {runId: $runId}) { runId sessionId state "
    "startTime completeTime errorReport engineParameters { launchDir projectDir resume "
    "revision workDir } } }";

const Value* Field(const Struct& s, const std::string& key) {
  auto it = s.fields().find(key);
  return it == s.fields().end() ? nullptr : &it->second;
}

const Struct* Object(const Struct& s, const std::string& key) {
  const Value* v = Field(s, key);
  return v != nullptr && v->has_struct_value() ? &v->struct_value() : nullptr;
}

// ARGO's GraphQL gives times as epoch milliseconds; WES as ISO 8601. One
// form for every caller: milliseconds become ISO 8601 (UTC); anything else
// is kept as the service wrote it.
std::string IsoTime(const std::string& text) {
  int64_t millis;
  if (text.size() < 10 || !absl::SimpleAtoi(text, &millis) || millis <= 0) return text;
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromUnixMillis(millis), absl::UTCTimeZone());
}

// A string, or a number printed as an integer (GraphQL times may be epoch
// milliseconds); "" otherwise.
std::string Text(const Struct* s, const std::string& key) {
  if (s == nullptr) return "";
  const Value* v = Field(*s, key);
  if (v == nullptr) return "";
  if (v->kind_case() == Value::kStringValue) return v->string_value();
  if (v->kind_case() == Value::kNumberValue) {
    return absl::StrCat(static_cast<int64_t>(v->number_value()));
  }
  return "";
}

std::string Tail(const std::string& s, size_t n) {
  return s.size() <= n ? s : "..." + s.substr(s.size() - n);
}

}  // namespace

EnvironmentClient::EnvironmentClient(ComputeEnvironment env, std::shared_ptr<HttpClient> http,
                                     std::shared_ptr<TokenProvider> tokens,
                                     absl::Duration request_timeout)
    : env_(std::move(env)),
      base_(absl::StripSuffix(env_.wes_url, "/")),
      http_(std::move(http)),
      tokens_(std::move(tokens)),
      timeout_(request_timeout) {}

absl::StatusOr<HttpResponse> EnvironmentClient::Call(HttpRequest request) {
  request.timeout = timeout_;
  request.headers.emplace_back("Accept", "application/json");
  auto response = SendAuthorized(*http_, tokens_.get(), std::move(request));
  if (!response.ok()) return Prefixed(env_.name, response.status());
  return response;
}

absl::StatusOr<std::string> EnvironmentClient::GetOk(const std::string& path,
                                                     absl::string_view what) {
  HttpRequest request;
  request.url = base_ + path;
  auto response = Call(request);
  if (!response.ok()) return response.status();
  if (response->status != 200) {
    return HttpError(absl::StrCat(env_.name, ": ", what), request, *response);
  }
  return std::move(response->body);
}

absl::StatusOr<tracker::v1::RunStatus> EnvironmentClient::GetStatus(const std::string& run_id) {
  if (uses_graphql()) {
    auto detail = GraphqlRun(run_id);
    if (!detail.ok()) return detail.status();
    return detail->status;
  }
  auto body = GetOk(absl::StrCat("/runs/", run_id, "/status"), "run status");
  if (!body.ok()) return body.status();
  auto parsed = ParseJsonObject(*body, "WES run status");
  if (!parsed.ok()) return absl::UnavailableError(absl::StrCat(env_.name, ": ", parsed.status().message()));
  tracker::v1::RunStatus status;
  status.set_run_id(run_id);
  status.set_state(ParseRunState(Text(&*parsed, "state")));
  if (!IsTerminal(status.state())) return status;
  // Finished: the detail has the times and, for a failure, what went wrong.
  auto detail = GetWesRunLog(run_id);
  if (!detail.ok()) return detail.status();
  return detail->status;
}

absl::StatusOr<RunDetail> EnvironmentClient::GetDetail(const std::string& run_id) {
  if (uses_graphql()) return GraphqlRun(run_id);
  return GetWesRunLog(run_id);
}

absl::StatusOr<RunDetail> EnvironmentClient::GetWesRunLog(const std::string& run_id) {
  auto body = GetOk(absl::StrCat("/runs/", run_id), "run log");
  if (!body.ok()) return body.status();
  auto parsed = ParseJsonObject(*body, "WES run log");
  if (!parsed.ok()) return absl::UnavailableError(absl::StrCat(env_.name, ": ", parsed.status().message()));
  RunDetail out;
  out.status.set_run_id(run_id);
  out.status.set_state(ParseRunState(Text(&*parsed, "state")));
  const Struct* log = Object(*parsed, "run_log");
  out.status.set_start_time(Text(log, "start_time"));
  out.status.set_end_time(Text(log, "end_time"));
  const Struct* request = Object(*parsed, "request");
  if (const Struct* tags = request ? Object(*request, "tags") : nullptr) {
    for (const auto& [k, v] : tags->fields()) {
      if (v.kind_case() == Value::kStringValue) (*out.status.mutable_tags())[k] = v.string_value();
    }
  }
  const Struct* engine = request ? Object(*request, "workflow_engine_params") : nullptr;
  out.resume.set_work_dir(Text(engine, "work_dir"));
  out.resume.set_launch_dir(Text(engine, "launch_dir"));
  out.resume.set_project_dir(Text(engine, "project_dir"));
  out.resume.set_revision(Text(engine, "revision"));
  // Nextflow's session id: ARGO reports it with the run log; a resumed run
  // keeps the session it resumed.
  std::string session = Text(log, "session_id");
  if (session.empty()) session = Text(&*parsed, "session_id");
  if (session.empty()) session = Text(engine, "resume");
  out.resume.set_session_id(session);
  if (out.status.state() != tracker::v1::RUN_STATE_COMPLETE && IsTerminal(out.status.state())) {
    std::string exit_code = Text(log, "exit_code");
    std::string stderr_text = Text(log, "stderr");
    out.status.set_error_summary(absl::StrCat(
        exit_code.empty() ? "" : absl::StrCat("exit code ", exit_code),
        !exit_code.empty() && !stderr_text.empty() ? ": " : "", Tail(stderr_text, 500)));
  }
  return out;
}

absl::StatusOr<RunDetail> EnvironmentClient::GraphqlRun(const std::string& run_id) {
  Struct body;
  (*body.mutable_fields())["query"].set_string_value(kRunQuery);
  (*(*body.mutable_fields())["variables"].mutable_struct_value()->mutable_fields())["runId"]
      .set_string_value(run_id);
  HttpRequest request;
  request.method = "POST";
  request.url = env_.graphql_url;
  request.idempotent = true;  // a query only reads
  request.headers = {{"Content-Type", "application/json"}};
  request.body = ToJson(body);
  auto response = Call(request);
  if (!response.ok()) return response.status();
  if (response->status != 200) {
    return HttpError(absl::StrCat(env_.name, ": GraphQL runs query"), request, *response);
  }
  auto parsed = ParseJsonObject(response->body, "GraphQL answer");
  if (!parsed.ok()) return absl::UnavailableError(absl::StrCat(env_.name, ": ", parsed.status().message()));
  const Value* errors = Field(*parsed, "errors");
  const Struct* data = Object(*parsed, "data");
  const Value* runs = data ? Field(*data, "runs") : nullptr;
  if (runs == nullptr || !runs->has_list_value()) {
    std::string why = errors && errors->has_list_value() && errors->list_value().values_size() > 0 &&
                              errors->list_value().values(0).has_struct_value()
                          ? Text(&errors->list_value().values(0).struct_value(), "message")
                          : "no data.runs in the answer";
    return absl::UnavailableError(
        absl::StrCat(env_.name, ": GraphQL runs query failed: ", why.substr(0, 200)));
  }
  if (runs->list_value().values_size() == 0 || !runs->list_value().values(0).has_struct_value()) {
    return absl::NotFoundError(absl::StrCat(env_.name, ": no run ", run_id, " in ", RedactUrl(env_.graphql_url)));
  }
  const Struct& run = runs->list_value().values(0).struct_value();
  RunDetail out;
  out.status.set_run_id(run_id);
  out.status.set_state(ParseRunState(Text(&run, "state")));
  out.status.set_start_time(IsoTime(Text(&run, "startTime")));
  out.status.set_end_time(IsoTime(Text(&run, "completeTime")));
  if (out.status.state() != tracker::v1::RUN_STATE_COMPLETE && IsTerminal(out.status.state())) {
    out.status.set_error_summary(Tail(Text(&run, "errorReport"), 500));
  }
  const Struct* engine = Object(run, "engineParameters");
  out.resume.set_session_id(Text(&run, "sessionId"));
  out.resume.set_work_dir(Text(engine, "workDir"));
  out.resume.set_launch_dir(Text(engine, "launchDir"));
  out.resume.set_project_dir(Text(engine, "projectDir"));
  out.resume.set_revision(Text(engine, "revision"));
  return out;
}

absl::StatusOr<std::string> EnvironmentClient::StartRun(const tracker::v1::StartRunRequest& req) {
  Struct body;
  auto& f = *body.mutable_fields();
  f["workflow_url"].set_string_value(req.workflow_url());
  auto params = ParseJsonObject(req.params_json().empty() ? "{}" : req.params_json(), "params_json");
  if (!params.ok()) return params.status();
  *f["workflow_params"].mutable_struct_value() = *std::move(params);
  auto& engine = *f["workflow_engine_params"].mutable_struct_value()->mutable_fields();
  for (const auto& [k, v] : req.engine_params()) engine[k].set_string_value(v);
  if (!req.workflow_version().empty()) engine["revision"].set_string_value(req.workflow_version());
  const auto& resume = req.resume();
  if (!resume.session_id().empty()) {
    engine["resume"].set_string_value(resume.session_id());
    if (!resume.work_dir().empty()) engine["work_dir"].set_string_value(resume.work_dir());
    if (!resume.launch_dir().empty()) engine["launch_dir"].set_string_value(resume.launch_dir());
    if (!resume.project_dir().empty()) engine["project_dir"].set_string_value(resume.project_dir());
  }
  auto& tags = *f["tags"].mutable_struct_value()->mutable_fields();
  for (const auto& [k, v] : req.tags()) tags[k].set_string_value(v);

  HttpRequest request;
  request.method = "POST";
  request.url = base_ + "/runs";
  request.idempotent = false;  // a second POST would start a second run
  request.headers = {{"Content-Type", "application/json"}};
  request.body = ToJson(body);
  auto response = Call(request);
  const std::string unknown =
      "; the run may or may not have started: find it by its tags before starting again";
  if (!response.ok()) {
    if (RequestMayHaveBeenSent(response.status())) {
      return absl::DeadlineExceededError(absl::StrCat(response.status().message(), unknown));
    }
    return absl::UnavailableError(absl::StrCat(response.status().message(), "; nothing was started"));
  }
  if (response->status >= 500) {
    // The service may have created the run before failing to answer.
    return absl::DeadlineExceededError(
        absl::StrCat(HttpError(env_.name + ": start run", request, *response).message(), unknown));
  }
  if (response->status == 408 || response->status == 429) {
    return absl::UnavailableError(absl::StrCat(
        HttpError(env_.name + ": start run", request, *response).message(), "; nothing was started"));
  }
  if (response->status < 200 || response->status >= 300) {
    return HttpError(env_.name + ": start run refused", request, *response);
  }
  auto parsed = ParseJsonObject(response->body, "start run answer");
  std::string run_id = parsed.ok() ? Text(&*parsed, "run_id") : "";
  if (run_id.empty() || !tracking::ValidateRunId(run_id).ok()) {
    return absl::DeadlineExceededError(absl::StrCat(
        env_.name, ": the start answer has no usable run_id", unknown));
  }
  return run_id;
}

absl::StatusOr<RunPage> EnvironmentClient::ListRuns(const std::string& page_token, int page_size) {
  std::string path = absl::StrCat("/runs?page_size=", page_size);
  if (!page_token.empty()) absl::StrAppend(&path, "&page_token=", UrlEncode(page_token));
  auto body = GetOk(path, "list runs");
  if (!body.ok()) return body.status();
  auto parsed = ParseJsonObject(*body, "WES run list");
  if (!parsed.ok()) return absl::UnavailableError(absl::StrCat(env_.name, ": ", parsed.status().message()));
  RunPage page;
  page.next_page_token = Text(&*parsed, "next_page_token");
  const Value* runs = Field(*parsed, "runs");
  if (runs != nullptr && runs->has_list_value()) {
    for (const Value& v : runs->list_value().values()) {
      if (!v.has_struct_value()) continue;
      tracker::v1::RunStatus s;
      s.set_run_id(Text(&v.struct_value(), "run_id"));
      s.set_state(ParseRunState(Text(&v.struct_value(), "state")));
      if (!s.run_id().empty()) page.runs.push_back(std::move(s));
    }
  }
  return page;
}

absl::Status EnvironmentClient::CancelRun(const std::string& run_id) {
  HttpRequest request;
  request.method = "POST";
  request.url = absl::StrCat(base_, "/runs/", run_id, "/cancel");
  request.idempotent = true;  // cancelling twice cancels once
  auto response = Call(request);
  if (!response.ok()) return response.status();
  if (response->status < 200 || response->status >= 300) {
    return HttpError(env_.name + ": cancel run", request, *response);
  }
  return absl::OkStatus();
}

}  // namespace tracker::wes
