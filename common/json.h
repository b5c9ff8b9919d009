#ifndef COMMON_JSON_H_
#define COMMON_JSON_H_

// JSON through protobuf's parser: REST answers are read into messages that
// describe only the fields we use (unknown fields ignored), arbitrary
// objects into google.protobuf.Struct.

#include <string>

#include <google/protobuf/message.h>
#include <google/protobuf/struct.pb.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tracker {

// INVALID_ARGUMENT naming `what` when `text` is not JSON of that shape.
absl::Status ParseJson(absl::string_view text, google::protobuf::Message* out,
                       absl::string_view what);
absl::StatusOr<google::protobuf::Struct> ParseJsonObject(absl::string_view text,
                                                         absl::string_view what);

// Compact JSON with the .proto field names (snake_case), as REST APIs here
// expect.
std::string ToJson(const google::protobuf::Message& message);

// A Struct field as a string ("" when absent or not a string).
std::string StringField(const google::protobuf::Struct& s, const std::string& key);

}  // namespace tracker

#endif  // COMMON_JSON_H_
