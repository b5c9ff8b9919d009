#ifndef COMMON_JSON_H_
#define COMMON_JSON_H_

// JSON through protobuf's parser: REST answers are read into messages that
// describe only the fields we use (unknown fields ignored), arbitrary
// objects into google.protobuf.Struct.

#include <string>
#include <utility>
#include <vector>

#include <google/protobuf/message.h>
#include <google/protobuf/struct.pb.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tracker {

// INVALID_ARGUMENT naming `what` when `text` is not one JSON object.
absl::StatusOr<google::protobuf::Struct> ParseJsonObject(absl::string_view text,
                                                         absl::string_view what);

// Compact JSON with the .proto field names (snake_case), as REST APIs here
// expect.
std::string ToJson(const google::protobuf::Message& message);

// One JSON string literal, escaped.
std::string JsonQuote(absl::string_view s);

// The members of one JSON object in their order, each value as its raw text
// (number formats and nested layout as written), for files that copy an
// admin's JSON member by member. INVALID_ARGUMENT naming `what` when `text`
// is not one object, a value is not JSON, or a name appears twice.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> JsonObjectMembers(
    absl::string_view text, absl::string_view what);

// A Struct field as a string ("" when absent or not a string).
std::string StringField(const google::protobuf::Struct& s, const std::string& key);
// A member that is a number, as an int; `fallback` when absent or not one.
int IntField(const google::protobuf::Struct& s, const std::string& key, int fallback);
// A member that is an object (null when `s` is null, or the member absent
// or not an object).
const google::protobuf::Struct* ObjectField(const google::protobuf::Struct* s,
                                            const std::string& key);
// A member that is a string, or a number written as an integer (services
// send epoch times and exit codes either way); "" otherwise.
std::string ScalarField(const google::protobuf::Struct* s, const std::string& key);

}  // namespace tracker

#endif  // COMMON_JSON_H_
