#include "services/wes_poller/argo_graphql.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/json.h"
#include "proto/tracker/v1/run_states.h"

namespace tracker::wes {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

// The fields the original scheduler read (scripts/scheduler.py,
// SINGLE_RUN_QUERY), as workflow-api's schema names them (type Run,
// type EngineParameters).
constexpr char kRunFields[] =
    "runId sessionId state success exitStatus errorReport startTime completeTime duration "
    "engineParameters { launchDir projectDir resume revision workDir } parameters repository";

const Value* Member(const Struct* s, const std::string& key) {
  if (s == nullptr) return nullptr;
  auto it = s->fields().find(key);
  return it == s->fields().end() ? nullptr : &it->second;
}

GraphqlRun ReadRun(const Struct& run) {
  GraphqlRun out;
  out.status.set_run_id(ScalarField(&run, "runId"));
  out.status.set_state(tracker::v1::ParseRunState(ScalarField(&run, "state")));
  out.status.set_start_time(IsoFromEpochMillis(ScalarField(&run, "startTime")));
  out.status.set_end_time(IsoFromEpochMillis(ScalarField(&run, "completeTime")));
  if (tracker::v1::IsFailure(out.status.state())) {
    std::string report = ScalarField(&run, "errorReport");
    std::string exit_status = ScalarField(&run, "exitStatus");
    if (report.empty() && !exit_status.empty()) report = absl::StrCat("exit status ", exit_status);
    out.status.set_error_summary(ErrorTail(report));
  }
  const Struct* engine = ObjectField(&run, "engineParameters");
  out.resume.set_session_id(ScalarField(&run, "sessionId"));
  out.resume.set_work_dir(ScalarField(engine, "workDir"));
  out.resume.set_launch_dir(ScalarField(engine, "launchDir"));
  out.resume.set_project_dir(ScalarField(engine, "projectDir"));
  out.resume.set_revision(ScalarField(engine, "revision"));
  *out.status.mutable_run_info() = out.resume;
  ReadRunParams(ObjectField(&run, "parameters"), &out);
  return out;
}

// graphql-java marks validation errors with extensions.classification;
// Apollo's gateway (in front of the RDPC's services) with extensions.code.
bool IsValidationError(const Struct& error) {
  const Struct* ext = ObjectField(&error, "extensions");
  return ScalarField(ext, "classification") == "ValidationError" ||
         ScalarField(ext, "code") == "GRAPHQL_VALIDATION_FAILED" ||
         absl::StartsWith(ScalarField(&error, "message"), "Validation error");
}

}  // namespace

void ReadRunParams(const Struct* params, GraphqlRun* out) {
  out->study_id = ScalarField(params, "study_id");
  // The transfer workflow's analysis_id is a list; other workflows give one.
  if (const Value* ids = Member(params, "analysis_id")) {
    if (ids->has_list_value()) {
      for (const Value& id : ids->list_value().values()) {
        if (id.kind_case() == Value::kStringValue) out->analysis_ids.push_back(id.string_value());
      }
    } else if (ids->kind_case() == Value::kStringValue) {
      out->analysis_ids.push_back(ids->string_value());
    }
  }
}

std::string ErrorTail(const std::string& text) {
  constexpr size_t kKeep = 500;
  return text.size() <= kKeep ? text : "..." + text.substr(text.size() - kKeep);
}

std::string IsoFromEpochMillis(const std::string& text) {
  int64_t millis;
  if (text.size() < 10 || !absl::SimpleAtoi(text, &millis) || millis <= 0) return text;
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromUnixMillis(millis),
                          absl::UTCTimeZone());
}

GraphqlRequest RunsByIdRequest(const std::vector<std::string>& run_ids) {
  GraphqlRequest out;
  std::vector<std::string> params, fields, vars;
  for (size_t i = 0; i < run_ids.size(); ++i) {
    std::string alias = absl::StrCat("r", i);
    params.push_back(absl::StrCat("$", alias, ": String!"));
    fields.push_back(absl::StrCat(alias, ": runs(filter: {runId: $", alias, "}) { content { ",
                                  kRunFields, " } }"));
    vars.push_back(absl::StrCat(JsonQuote(alias), ":", JsonQuote(run_ids[i])));
    out.aliases.push_back(std::move(alias));
  }
  std::string query = absl::StrCat("query RunsById(", absl::StrJoin(params, ", "), ") { ",
                                   absl::StrJoin(fields, " "), " }");
  out.body = absl::StrCat("{\"query\":", JsonQuote(query), ",\"variables\":{",
                          absl::StrJoin(vars, ","), "}}");
  return out;
}

GraphqlRequest RunsByAnalysisRequest(const std::string& analysis_id, int from, int size) {
  // No `sorts`: workflow-api sorts by startTime, newest first, by default
  // (RunRepository), and older schema versions have no `sorts` argument.
  std::string query = absl::StrCat(
      "query RunsByAnalysis($analysisId: String!, $from: Int!, $size: Int!) { runs(filter: "
      "{analysisId: $analysisId}, page: {from: $from, size: $size}) { content { ",
      kRunFields, " } info { contentCount hasNextFrom totalHits } } }");
  GraphqlRequest out;
  out.aliases = {"runs"};
  out.body = absl::StrCat("{\"query\":", JsonQuote(query), ",\"variables\":{\"analysisId\":",
                          JsonQuote(analysis_id), ",\"from\":", from, ",\"size\":", size, "}}");
  return out;
}

absl::StatusOr<std::map<std::string, GraphqlPage>> ParseRunsAnswer(
    const std::string& body, const std::vector<std::string>& aliases) {
  auto parsed = ParseJsonObject(body, "GraphQL answer");
  if (!parsed.ok()) return absl::UnavailableError(parsed.status().message());
  std::vector<std::string> messages;
  bool validation = false;
  std::map<std::string, absl::Status> by_alias;
  if (const Value* errors = Member(&*parsed, "errors"); errors && errors->has_list_value()) {
    for (const Value& e : errors->list_value().values()) {
      if (!e.has_struct_value()) continue;
      const Struct& error = e.struct_value();
      std::string message = ScalarField(&error, "message").substr(0, 300);
      validation = validation || IsValidationError(error);
      messages.push_back(message);
      const Value* path = Member(&error, "path");
      if (path && path->has_list_value() && path->list_value().values_size() > 0) {
        by_alias[path->list_value().values(0).string_value()] =
            absl::UnavailableError(absl::StrCat("GraphQL error: ", message));
      }
    }
  }
  const Struct* data = ObjectField(&*parsed, "data");
  if (data == nullptr) {
    std::string why = messages.empty() ? "the answer has no data"
                                       : absl::StrCat("GraphQL errors: ", absl::StrJoin(messages, "; "));
    if (validation) {
      return absl::FailedPreconditionError(
          absl::StrCat(why, " (the service's schema differs from the one this client reads)"));
    }
    return absl::UnavailableError(why);
  }
  std::map<std::string, GraphqlPage> out;
  for (const std::string& alias : aliases) {
    GraphqlPage& page = out[alias];
    const Struct* result = ObjectField(data, alias);
    if (result == nullptr) {
      auto error = by_alias.find(alias);
      page.status = error != by_alias.end()
                        ? error->second
                        : absl::UnavailableError(absl::StrCat("no data.", alias, " in the answer"));
      continue;
    }
    if (const Value* content = Member(result, "content"); content && content->has_list_value()) {
      for (const Value& run : content->list_value().values()) {
        if (run.has_struct_value()) page.runs.push_back(ReadRun(run.struct_value()));
      }
    }
    // SearchResultInfo gives hasNextFrom as a String! ("true"/"false").
    const Value* next = Member(ObjectField(result, "info"), "hasNextFrom");
    page.has_next = next != nullptr && ((next->kind_case() == Value::kStringValue &&
                                         next->string_value() == "true") ||
                                        (next->kind_case() == Value::kBoolValue && next->bool_value()));
  }
  return out;
}

}  // namespace tracker::wes
