#include "tools/sim/argo_search.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json.h"
#include "tools/sim/graphql_query.h"

namespace tracker::sim {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;
using graphql::Field;

// The object types of schema.graphqls that a `runs` query reaches, with
// their fields; an object-typed field names its type.
const std::map<std::string, std::map<std::string, std::string>>& Types() {
  static const auto* types = new std::map<std::string, std::map<std::string, std::string>>{
      {"RunsSearchResult", {{"content", "Run"}, {"info", "SearchResultInfo"}, {"__typename", ""}}},
      {"SearchResultInfo",
       {{"contentCount", ""}, {"hasNextFrom", ""}, {"totalHits", ""}, {"__typename", ""}}},
      {"Run",
       {{"runId", ""}, {"sessionId", ""}, {"repository", ""}, {"state", ""}, {"parameters", ""},
        {"startTime", ""}, {"completeTime", ""}, {"success", ""}, {"exitStatus", ""},
        {"errorReport", ""}, {"duration", ""}, {"commandLine", ""},
        {"engineParameters", "EngineParameters"}, {"__typename", ""}}},
      {"EngineParameters",
       {{"defaultContainer", ""}, {"launchDir", ""}, {"projectDir", ""}, {"resume", ""},
        {"revision", ""}, {"workDir", ""}, {"latest", ""}, {"__typename", ""}}},
  };
  return *types;
}

// RunsFilter's input fields (all String).
const std::set<std::string> kFilterFields = {"runId",      "sessionId", "state",
                                             "repository", "analysisId", "studyId"};

// graphql-java's validation messages (graphql.validation.ValidationError).
std::string Validate(const std::vector<Field>& fields, const std::string& type,
                     const std::string& path) {
  for (const Field& f : fields) {
    const std::string at = path.empty() ? f.name : absl::StrCat(path, "/", f.name);
    auto known = Types().at(type).find(f.name);
    if (known == Types().at(type).end()) {
      return absl::StrCat("Validation error of type FieldUndefined: Field '", f.name,
                          "' in type '", type, "' is undefined @ '", at, "'");
    }
    if (!known->second.empty() && f.selections.empty()) {
      return absl::StrCat("Validation error of type SubSelectionRequired: Sub selection required "
                          "for type ", known->second, " of field ", f.name, " @ '", at, "'");
    }
    if (known->second.empty() && !f.selections.empty()) {
      return absl::StrCat("Validation error of type SubSelectionNotAllowed: Sub selection not "
                          "allowed on leaf type of field ", f.name, " @ '", at, "'");
    }
    if (!known->second.empty()) {
      std::string error = Validate(f.selections, known->second, at);
      if (!error.empty()) return error;
    }
  }
  return "";
}

// Elasticsearch's standard analyzer, near enough: lower-cased runs of
// letters and digits.
std::set<std::string> Tokens(const std::string& text) {
  std::set<std::string> out;
  std::string cur;
  for (char c : text + " ") {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      cur.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else if (!cur.empty()) {
      out.insert(cur);
      cur.clear();
    }
  }
  return out;
}

void AddTokens(const Value& v, std::set<std::string>* out) {
  if (v.kind_case() == Value::kStringValue) {
    for (auto& t : Tokens(v.string_value())) out->insert(t);
  } else if (v.has_list_value()) {
    for (const Value& item : v.list_value().values()) AddTokens(item, out);
  }
}

// A match query with operator AND (or minimum_should_match 100%): every
// token of the value is in the field. Text, not exact: RunRepository's
// analysisId and studyId filters can match more than the caller meant.
bool Matches(const Value& field, const std::string& value) {
  std::set<std::string> have;
  AddTokens(field, &have);
  for (const std::string& t : Tokens(value)) {
    if (have.count(t) == 0) return false;
  }
  return true;
}

bool MatchesAny(const Struct& params, const std::vector<std::string>& fields,
                const std::string& value) {
  for (const std::string& field : fields) {
    auto it = params.fields().find(field);
    if (it != params.fields().end() && Matches(it->second, value)) return true;
  }
  return false;
}

bool Selected(const IndexedRun& run, const Struct& filter) {
  for (const auto& [key, value] : filter.fields()) {
    if (value.has_null_value()) continue;  // a null input field is not a filter
    const std::string v = value.string_value();
    if (key == "runId" && run.run_id != v) return false;
    if (key == "sessionId" && run.session_id != v) return false;
    if (key == "state" && run.state != v) return false;
    if (key == "repository") {
      Value repository;
      repository.set_string_value(run.repository);
      if (!Matches(repository, v)) return false;
    }
    if (key == "analysisId" &&
        !MatchesAny(run.parameters, {"analysis_id", "normal_aln_analysis_id", "tumour_aln_analysis_id"}, v)) {
      return false;
    }
    if (key == "studyId" && !MatchesAny(run.parameters, {"study_id"}, v)) return false;
  }
  return true;
}

Value Error(const std::string& message, bool validation) {
  Value e;
  auto& f = *e.mutable_struct_value()->mutable_fields();
  f["message"].set_string_value(message);
  if (validation) {
    (*f["extensions"].mutable_struct_value()->mutable_fields())["classification"].set_string_value(
        "ValidationError");
  }
  return e;
}

std::string Errors(const std::vector<Value>& errors) {
  Struct out;
  auto* list = (*out.mutable_fields())["errors"].mutable_list_value();
  for (const Value& e : errors) *list->add_values() = e;
  (*out.mutable_fields())["data"].set_null_value({});
  return ToJson(out);
}

// One `runs` field: filter, default sort (startTime, newest first), page
// (EsDefaults: from 0, size 10), info as RunService builds it.
Value Runs(const Field& field, const std::vector<IndexedRun>& runs) {
  Struct filter, page;
  if (field.arguments.count("filter") && field.arguments.at("filter").has_struct_value()) {
    filter = field.arguments.at("filter").struct_value();
  }
  if (field.arguments.count("page") && field.arguments.at("page").has_struct_value()) {
    page = field.arguments.at("page").struct_value();
  }
  std::vector<const IndexedRun*> hits;
  for (const IndexedRun& run : runs) {
    if (Selected(run, filter)) hits.push_back(&run);
  }
  std::stable_sort(hits.begin(), hits.end(), [](const IndexedRun* a, const IndexedRun* b) {
    return a->start_ms > b->start_ms;
  });
  const int64_t from = std::max(0, IntField(page, "from", 0));
  const int64_t size = std::max(1, IntField(page, "size", 10));
  const int64_t total = hits.size();
  Struct result;
  auto& f = *result.mutable_fields();
  f["__typename"].set_string_value("RunsSearchResult");
  auto* content = f["content"].mutable_list_value();
  for (int64_t i = from; i < std::min(total, from + size); ++i) {
    *content->add_values()->mutable_struct_value() = RunObject(*hits[i]);
  }
  auto& info = *f["info"].mutable_struct_value()->mutable_fields();
  info["__typename"].set_string_value("SearchResultInfo");
  info["contentCount"].set_string_value(absl::StrCat(content->values_size()));
  // RunService: nextFrom = (totalHits - from) / size > 0, integer division.
  info["hasNextFrom"].set_string_value((total - from) / size > 0 ? "true" : "false");
  info["totalHits"].set_string_value(absl::StrCat(total));
  Value out;
  *out.mutable_struct_value() = std::move(result);
  return graphql::Project(out, field.selections);
}

}  // namespace

std::string RelayMd5(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(text.data(), text.size(), digest, &n, EVP_md5(), nullptr);
  std::string out;
  for (unsigned int i = 0; i < n; ++i) absl::StrAppend(&out, absl::Hex(digest[i]));
  return out;
}

Struct RunObject(const IndexedRun& run) {
  Struct out;
  auto& f = *out.mutable_fields();
  auto text_or_null = [&](const std::string& key, const std::string& value) {
    if (value.empty()) {
      f[key].set_null_value({});
    } else {
      f[key].set_string_value(value);
    }
  };
  f["__typename"].set_string_value("Run");
  f["runId"].set_string_value(run.run_id);
  text_or_null("sessionId", run.session_id);
  text_or_null("repository", run.repository);
  f["state"].set_string_value(run.state);
  Struct params = run.parameters;
  if (params.fields().count("api_token")) {
    (*params.mutable_fields())["api_token"].set_string_value(
        RelayMd5(StringField(params, "api_token")));
  }
  *f["parameters"].mutable_struct_value() = std::move(params);
  text_or_null("startTime", run.start_ms > 0 ? absl::StrCat(run.start_ms) : "");
  text_or_null("completeTime", run.complete_ms > 0 ? absl::StrCat(run.complete_ms) : "");
  if (run.complete_ms > 0) {
    f["success"].set_bool_value(run.state == "COMPLETE");
    f["duration"].set_number_value(static_cast<double>(run.complete_ms - run.start_ms));
  } else {
    f["success"].set_null_value({});
    f["duration"].set_null_value({});
  }
  if (run.exit_status >= 0) {
    f["exitStatus"].set_number_value(run.exit_status);
  } else {
    f["exitStatus"].set_null_value({});
  }
  text_or_null("errorReport", run.error_report);
  f["commandLine"].set_string_value(absl::StrCat("nextflow run ", run.repository, " -r ",
                                                 StringField(run.engine, "revision")));
  auto& e = *f["engineParameters"].mutable_struct_value()->mutable_fields();
  e["__typename"].set_string_value("EngineParameters");
  for (const auto& [ours, theirs] : std::vector<std::pair<std::string, std::string>>{
           {"defaultContainer", "default_container"}, {"launchDir", "launch_dir"},
           {"projectDir", "project_dir"}, {"resume", "resume"}, {"revision", "revision"},
           {"workDir", "work_dir"}}) {
    std::string value = StringField(run.engine, theirs);
    if (value.empty()) {
      e[ours].set_null_value({});
    } else {
      e[ours].set_string_value(value);
    }
  }
  e["latest"].set_null_value({});
  return out;
}

std::string AnswerGraphql(const std::string& body, const std::vector<IndexedRun>& runs) {
  auto request = ParseJsonObject(body, "GraphQL request");
  if (!request.ok()) return Errors({Error(std::string(request.status().message()), false)});
  Struct variables;
  auto vars = request->fields().find("variables");
  if (vars != request->fields().end() && vars->second.has_struct_value()) {
    variables = vars->second.struct_value();
  }
  auto fields = graphql::Parse(StringField(*request, "query"), variables);
  if (!fields.ok()) return Errors({Error(std::string(fields.status().message()), false)});
  for (const Field& f : *fields) {
    if (f.name != "runs") {
      return Errors({Error(absl::StrCat("Validation error of type FieldUndefined: Field '", f.name,
                                        "' in type 'Query' is undefined @ '", f.name, "'"),
                           true)});
    }
    std::string invalid = Validate(f.selections, "RunsSearchResult", f.name);
    if (!invalid.empty()) return Errors({Error(invalid, true)});
    auto filter = f.arguments.find("filter");
    if (filter != f.arguments.end() && filter->second.has_struct_value()) {
      for (const auto& [key, value] : filter->second.struct_value().fields()) {
        if (kFilterFields.count(key) == 0) {
          return Errors({Error(absl::StrCat("Validation error of type WrongType: argument 'filter' "
                                            "contains a field not in 'RunsFilter': '", key,
                                            "' @ '", f.name, "'"),
                               true)});
        }
      }
    }
  }
  Struct out;
  auto& data = *(*out.mutable_fields())["data"].mutable_struct_value()->mutable_fields();
  for (const Field& f : *fields) data[f.alias] = Runs(f, runs);
  return ToJson(out);
}

}  // namespace tracker::sim
