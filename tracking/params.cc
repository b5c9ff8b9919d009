#include "tracking/params.h"

#include "absl/strings/str_cat.h"
#include "common/json.h"
#include "tracking/ids.h"

namespace tracker::tracking {

absl::StatusOr<std::vector<std::string>> ParamsAnalysisIds(absl::string_view params_json) {
  auto params = ParseJsonObject(params_json, "params.json");
  if (!params.ok()) return params.status();
  std::vector<std::string> out;
  auto it = params->fields().find(kParamsAnalysisKey);
  if (it == params->fields().end()) return out;
  const auto not_a_list = [] {
    return absl::InvalidArgumentError(
        absl::StrCat("params.json: \"", kParamsAnalysisKey, "\" must be a list of strings"));
  };
  if (it->second.kind_case() == google::protobuf::Value::kStringValue) {
    out.push_back(it->second.string_value());
  } else if (it->second.kind_case() == google::protobuf::Value::kListValue) {
    for (const auto& v : it->second.list_value().values()) {
      if (v.kind_case() != google::protobuf::Value::kStringValue) return not_a_list();
      out.push_back(v.string_value());
    }
  } else {
    return not_a_list();
  }
  for (const std::string& id : out) {
    if (absl::Status s = ValidateAnalysisId(id); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("params.json: ", s.message()));
    }
  }
  return out;
}

}  // namespace tracker::tracking
