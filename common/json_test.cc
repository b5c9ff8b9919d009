#include "common/json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tracker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST(JsonObjectMembersTest, KeepsOrderAndRawValues) {
  auto m = JsonObjectMembers(
      R"( {"b": 1.50, "a": {"x": [1, "}"]}, "c": null, "d": "q\"uo,te", "e:f" : [ ] } )", "t");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_THAT(*m, ElementsAre(Pair("b", "1.50"), Pair("a", R"({"x": [1, "}"]})"), Pair("c", "null"),
                              Pair("d", R"("q\"uo,te")"), Pair("e:f", "[ ]")));
}

TEST(JsonObjectMembersTest, DecodesEscapedNames) {
  auto m = JsonObjectMembers(R"({"a\u0062": 1, "\"q\"": 2})", "t");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_THAT(*m, ElementsAre(Pair("ab", "1"), Pair("\"q\"", "2")));
}

TEST(JsonObjectMembersTest, RefusesWhatIsNotOneObject) {
  for (const char* bad : {"", "[]", "{", R"({"a" 1})", R"({"a": 1,})", R"({"a": 1} x)",
                          R"({"a": tru})", R"({"a": 1, "a": 2})", R"({"a": 01x})"}) {
    auto m = JsonObjectMembers(bad, "the template");
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(m.status().message()), HasSubstr("the template is not a JSON object"))
        << bad;
  }
}

TEST(JsonQuoteTest, EscapesAndRoundTrips) {
  const std::string text = "a\"b\\c\n\x01 PACA-CA";
  const std::string quoted = JsonQuote(text);
  EXPECT_EQ(quoted.front(), '"');
  EXPECT_EQ(quoted.find('\n'), std::string::npos);
  auto back = ParseJsonObject("{\"k\": " + quoted + "}", "t");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(StringField(*back, "k"), text);
  EXPECT_EQ(JsonQuote("job.0001"), "\"job.0001\"");
}

TEST(ToJsonTest, UsesProtoFieldNames) {
  google::protobuf::Struct s;
  (*s.mutable_fields())["study_id"].set_string_value("PACA-CA");
  EXPECT_EQ(ToJson(s), R"({"study_id":"PACA-CA"})");
}

}  // namespace
}  // namespace tracker
