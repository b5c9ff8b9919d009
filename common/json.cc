#include "common/json.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"

namespace tracker {

absl::Status ParseJson(absl::string_view text, google::protobuf::Message* out,
                       absl::string_view what) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(text.data(), text.size()), out, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is not the JSON expected: ", status.message().ToString()));
  }
  return absl::OkStatus();
}

absl::StatusOr<google::protobuf::Struct> ParseJsonObject(absl::string_view text,
                                                         absl::string_view what) {
  google::protobuf::Struct out;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(text.data(), text.size()), &out);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is not a JSON object: ", status.message().ToString()));
  }
  return out;
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

std::string StringField(const google::protobuf::Struct& s, const std::string& key) {
  auto it = s.fields().find(key);
  if (it == s.fields().end() || it->second.kind_case() != google::protobuf::Value::kStringValue) {
    return "";
  }
  return it->second.string_value();
}

}  // namespace tracker
