#include "common/json.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace tracker {

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

std::string JsonQuote(absl::string_view s) {
  google::protobuf::Value value;
  value.set_string_value(std::string(s));
  return ToJson(value);
}

namespace {

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The end of the value starting at `pos`: the first ',' or '}' outside
// strings and brackets. Only boundaries are found here; protobuf's parser
// judges whether the text between them is JSON.
size_t ValueEnd(absl::string_view text, size_t pos) {
  int depth = 0;
  for (; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (c == '"') {
      for (++pos; pos < text.size() && text[pos] != '"'; ++pos) {
        if (text[pos] == '\\') ++pos;
      }
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return pos;
      --depth;
    } else if (c == ',' && depth == 0) {
      return pos;
    }
  }
  return pos;
}

}  // namespace

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> JsonObjectMembers(
    absl::string_view text, absl::string_view what) {
  // The whole text must be one object: protobuf's parser says so first.
  if (absl::Status whole = ParseJsonObject(text, what).status(); !whole.ok()) return whole;
  std::vector<std::pair<std::string, std::string>> members;
  size_t pos = text.find('{') + 1;
  auto skip_space = [&] {
    while (pos < text.size() && IsJsonSpace(text[pos])) ++pos;
  };
  for (bool first = true;; first = false) {
    skip_space();
    // protobuf's parser lets a trailing comma through; JSON does not.
    if (pos >= text.size() || text[pos] == '}') {
      if (!first) {
        return absl::InvalidArgumentError(absl::StrCat(what, " is not a JSON object: a , before }"));
      }
      break;
    }
    // The name: a string literal, decoded by the same parser.
    size_t close = pos + 1;
    while (close < text.size() && text[close] != '"') close += text[close] == '\\' ? 2 : 1;
    auto name = ParseJsonObject(absl::StrCat("{", text.substr(pos, close + 1 - pos), ": 0}"), what);
    if (!name.ok() || name->fields().size() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(what, " has a member name it cannot read"));
    }
    std::string key = name->fields().begin()->first;
    pos = text.find(':', close + 1) + 1;
    skip_space();
    const size_t end = ValueEnd(text, pos);
    absl::string_view raw = absl::StripTrailingAsciiWhitespace(text.substr(pos, end - pos));
    for (const auto& m : members) {
      if (m.first == key) {
        return absl::InvalidArgumentError(
            absl::StrCat(what, " is not a JSON object: \"", key, "\" appears twice"));
      }
    }
    members.emplace_back(std::move(key), std::string(raw));
    pos = end;
    if (pos >= text.size() || text[pos] == '}') break;
    ++pos;  // the ',' between members
  }
  return members;
}

std::string StringField(const google::protobuf::Struct& s, const std::string& key) {
  auto it = s.fields().find(key);
  if (it == s.fields().end() || it->second.kind_case() != google::protobuf::Value::kStringValue) {
    return "";
  }
  return it->second.string_value();
}

int IntField(const google::protobuf::Struct& s, const std::string& key, int fallback) {
  auto it = s.fields().find(key);
  return it != s.fields().end() && it->second.has_number_value()
             ? static_cast<int>(it->second.number_value())
             : fallback;
}

const google::protobuf::Struct* ObjectField(const google::protobuf::Struct* s,
                                            const std::string& key) {
  if (s == nullptr) return nullptr;
  auto it = s->fields().find(key);
  return it != s->fields().end() && it->second.has_struct_value() ? &it->second.struct_value()
                                                                  : nullptr;
}

std::string ScalarField(const google::protobuf::Struct* s, const std::string& key) {
  if (s == nullptr) return "";
  auto it = s->fields().find(key);
  if (it == s->fields().end()) return "";
  const google::protobuf::Value& v = it->second;
  if (v.kind_case() == google::protobuf::Value::kStringValue) return v.string_value();
  if (v.kind_case() == google::protobuf::Value::kNumberValue) {
    return absl::StrCat(static_cast<int64_t>(v.number_value()));
  }
  return "";
}

}  // namespace tracker
