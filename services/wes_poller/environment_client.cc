#include "services/wes_poller/environment_client.h"

#include <google/protobuf/struct.pb.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "common/json.h"
#include "common/url.h"
#include "proto/tracker/v1/run_states.h"
#include "services/wes_poller/start_body.h"
#include "tracking/ids.h"

namespace tracker::wes {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

// A service may quote the request in its error (a JSON parse error, a
// validation message): the api_token never leaves in a status.
absl::Status Scrubbed(const absl::Status& status, const std::string& secret) {
  if (secret.empty() || status.message().find(secret) == absl::string_view::npos) return status;
  return absl::Status(status.code(),
                      absl::StrReplaceAll(status.message(), {{secret, "<api_token>"}}));
}

}  // namespace

EnvironmentClient::EnvironmentClient(ComputeEnvironment env, std::shared_ptr<HttpClient> http,
                                     std::shared_ptr<TokenProvider> tokens, std::string api_token,
                                     absl::Duration request_timeout)
    : env_(std::move(env)),
      base_(absl::StripSuffix(env_.wes_url, "/")),
      http_(std::move(http)),
      tokens_(std::move(tokens)),
      api_token_(std::move(api_token)),
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

absl::StatusOr<std::map<std::string, GraphqlPage>> EnvironmentClient::Graphql(
    const GraphqlRequest& query) {
  HttpRequest request;
  request.method = "POST";
  request.url = env_.graphql_url;
  request.idempotent = true;  // a query only reads
  request.headers = {{"Content-Type", "application/json"}};
  request.body = query.body;
  auto response = Call(request);
  if (!response.ok()) return response.status();
  if (response->status != 200) {
    return HttpError(absl::StrCat(env_.name, ": GraphQL runs query"), request, *response);
  }
  auto pages = ParseRunsAnswer(response->body, query.aliases);
  if (!pages.ok()) return Prefixed(absl::StrCat(env_.name, ": GraphQL runs query"), pages.status());
  return pages;
}

absl::StatusOr<std::vector<absl::StatusOr<RunDetail>>> EnvironmentClient::GraphqlRuns(
    const std::vector<std::string>& run_ids) {
  GraphqlRequest query = RunsByIdRequest(run_ids);
  auto pages = Graphql(query);
  if (!pages.ok()) return pages.status();
  std::vector<absl::StatusOr<RunDetail>> out;
  for (size_t i = 0; i < run_ids.size(); ++i) {
    GraphqlPage& page = (*pages)[query.aliases[i]];
    if (!page.status.ok()) {
      out.push_back(Prefixed(env_.name, page.status));
    } else if (page.runs.empty()) {
      // Not indexed (yet): ARGO's search shows a run once workflow-relay
      // has indexed an event of it.
      out.push_back(absl::NotFoundError(absl::StrCat(env_.name, ": no run ", run_ids[i], " in ",
                                                     RedactUrl(env_.graphql_url))));
    } else {
      RunDetail detail = std::move(page.runs[0]);
      detail.status.set_run_id(run_ids[i]);
      out.push_back(std::move(detail));
    }
  }
  return out;
}

absl::StatusOr<std::vector<absl::StatusOr<tracker::v1::RunStatus>>> EnvironmentClient::GetStatuses(
    const std::vector<std::string>& run_ids) {
  auto details = GraphqlRuns(run_ids);
  if (!details.ok()) return details.status();
  std::vector<absl::StatusOr<tracker::v1::RunStatus>> out;
  for (auto& detail : *details) {
    if (detail.ok()) {
      out.push_back(std::move(detail->status));
    } else {
      out.push_back(detail.status());
    }
  }
  return out;
}

absl::StatusOr<tracker::v1::RunStatus> EnvironmentClient::GetStatus(const std::string& run_id) {
  if (uses_graphql()) {
    auto statuses = GetStatuses({run_id});
    if (!statuses.ok()) return statuses.status();
    return std::move((*statuses)[0]);
  }
  auto body = GetOk(absl::StrCat("/runs/", run_id, "/status"), "run status");
  if (!body.ok()) return body.status();
  auto parsed = ParseJsonObject(*body, "WES run status");
  if (!parsed.ok()) return absl::UnavailableError(absl::StrCat(env_.name, ": ", parsed.status().message()));
  tracker::v1::RunStatus status;
  status.set_run_id(run_id);
  status.set_state(tracker::v1::ParseRunState(ScalarField(&*parsed, "state")));
  if (!tracker::v1::IsTerminal(status.state())) return status;
  // Finished: the detail has the times and, for a failure, what went wrong.
  auto detail = GetWesRunLog(run_id);
  if (!detail.ok()) return detail.status();
  return detail->status;
}

absl::StatusOr<RunDetail> EnvironmentClient::GetDetail(const std::string& run_id) {
  if (!uses_graphql()) return GetWesRunLog(run_id);
  auto details = GraphqlRuns({run_id});
  if (!details.ok()) return details.status();
  return std::move((*details)[0]);
}

absl::StatusOr<GraphqlPage> EnvironmentClient::FindRunsByAnalysis(const std::string& analysis_id,
                                                                  int from, int size) {
  GraphqlRequest query = RunsByAnalysisRequest(analysis_id, from, size);
  auto pages = Graphql(query);
  if (!pages.ok()) return pages.status();
  GraphqlPage& page = (*pages)[query.aliases[0]];
  if (!page.status.ok()) return Prefixed(env_.name, page.status);
  return std::move(page);
}

absl::StatusOr<RunDetail> EnvironmentClient::GetWesRunLog(const std::string& run_id) {
  auto body = GetOk(absl::StrCat("/runs/", run_id), "run log");
  if (!body.ok()) return body.status();
  auto parsed = ParseJsonObject(*body, "WES run log");
  if (!parsed.ok()) return absl::UnavailableError(absl::StrCat(env_.name, ": ", parsed.status().message()));
  RunDetail out;
  out.status.set_run_id(run_id);
  out.status.set_state(tracker::v1::ParseRunState(ScalarField(&*parsed, "state")));
  const Struct* log = ObjectField(&*parsed, "run_log");
  out.status.set_start_time(ScalarField(log, "start_time"));
  out.status.set_end_time(ScalarField(log, "end_time"));
  const Struct* request = ObjectField(&*parsed, "request");
  ReadRunParams(ObjectField(request, "workflow_params"), &out);
  const Struct* engine = ObjectField(request, "workflow_engine_params");
  out.resume.set_work_dir(ScalarField(engine, "work_dir"));
  out.resume.set_launch_dir(ScalarField(engine, "launch_dir"));
  out.resume.set_project_dir(ScalarField(engine, "project_dir"));
  out.resume.set_revision(ScalarField(engine, "revision"));
  // Nextflow's session id: with the run log where the service reports it;
  // a resumed run keeps the session it resumed.
  std::string session = ScalarField(log, "session_id");
  if (session.empty()) session = ScalarField(&*parsed, "session_id");
  if (session.empty()) session = ScalarField(engine, "resume");
  out.resume.set_session_id(session);
  *out.status.mutable_run_info() = out.resume;
  if (tracker::v1::IsFailure(out.status.state())) {
    std::string exit_code = ScalarField(log, "exit_code");
    std::string stderr_text = ScalarField(log, "stderr");
    out.status.set_error_summary(absl::StrCat(
        exit_code.empty() ? "" : absl::StrCat("exit code ", exit_code),
        !exit_code.empty() && !stderr_text.empty() ? ": " : "", ErrorTail(stderr_text)));
  }
  return out;
}

std::string EnvironmentClient::NextNfsRoot() {
  if (env_.nfs_root_paths.empty()) return "";  // no directories sent: the service's defaults
  absl::MutexLock lock(&mu_);
  return env_.nfs_root_paths[next_root_++ % env_.nfs_root_paths.size()];
}

absl::StatusOr<std::string> EnvironmentClient::StartRun(const tracker::v1::StartRunRequest& req,
                                                        tracker::v1::ResumeInfo* started_with) {
  auto run_id = PostRun(req, started_with);
  if (!run_id.ok()) return Scrubbed(run_id.status(), api_token_);
  return run_id;
}

absl::StatusOr<std::string> EnvironmentClient::PostRun(const tracker::v1::StartRunRequest& req,
                                                       tracker::v1::ResumeInfo* started_with) {
  RunDirectories dirs = DirectoriesFor(req, env_.nfs_root_paths, NextNfsRoot());
  auto body = StartRunBody(req, dirs, api_token_);
  if (!body.ok()) return body.status();
  started_with->set_project_dir(dirs.project_dir);
  started_with->set_launch_dir(dirs.launch_dir);
  started_with->set_work_dir(dirs.work_dir);
  started_with->set_revision(req.workflow_version());
  started_with->set_session_id(req.resume().session_id());

  HttpRequest request;
  request.method = "POST";
  request.url = base_ + "/runs";
  request.idempotent = false;  // a second POST would start a second run
  request.headers = {{"Content-Type", "application/json"}};
  request.body = *std::move(body);
  auto response = Call(request);
  request.body.clear();  // it holds the api_token: never kept longer than the call
  const std::string unknown =
      "; the run may or may not have started: find it before starting again";
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
  std::string run_id = parsed.ok() ? ScalarField(&*parsed, "run_id") : "";
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
  page.next_page_token = ScalarField(&*parsed, "next_page_token");
  auto runs = parsed->fields().find("runs");
  if (runs != parsed->fields().end() && runs->second.has_list_value()) {
    for (const Value& v : runs->second.list_value().values()) {
      if (!v.has_struct_value()) continue;
      tracker::v1::RunStatus s;
      s.set_run_id(ScalarField(&v.struct_value(), "run_id"));
      s.set_state(tracker::v1::ParseRunState(ScalarField(&v.struct_value(), "state")));
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
