#include "common/json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

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

// SONG 1.x writes "analysisType" twice in every analysis (see
// tools/sim/song_sim.cc); JSON readers there keep the last value.
TEST(ParseJsonObjectTest, ARepeatedNameKeepsTheLastValue) {
  auto top = ParseJsonObject(
      R"({"analysisType":"sequencingRead","analysisId":"EGAR1","analysisState":"PUBLISHED",)"
      R"("analysisType":"variantCall"})",
      "SONG analysis");
  ASSERT_TRUE(top.ok()) << top.status();
  EXPECT_EQ(top->fields().size(), 3u);
  EXPECT_EQ(StringField(*top, "analysisType"), "variantCall");
  EXPECT_EQ(StringField(*top, "analysisState"), "PUBLISHED");

  // Nested, inside arrays, repeated three times, and an object replaced by a
  // scalar: each object is judged on its own.
  auto nested = ParseJsonObject(
      R"({"file":[{"objectId":"o1","n":1,"n":2,"n":3},{"objectId":"o2"}],)"
      R"( "x":{"y":{"z":[1],"z":{"deep":true,"deep":false}}}, "w":{"a":1}, "w":7})",
      "t");
  ASSERT_TRUE(nested.ok()) << nested.status();
  const auto& files = nested->fields().at("file").list_value();
  ASSERT_EQ(files.values_size(), 2);
  EXPECT_EQ(IntField(files.values(0).struct_value(), "n", 0), 3);
  EXPECT_EQ(StringField(files.values(1).struct_value(), "objectId"), "o2");
  const auto* y = ObjectField(ObjectField(&*nested, "x"), "y");
  ASSERT_NE(y, nullptr);
  const auto* z = ObjectField(y, "z");
  ASSERT_NE(z, nullptr);
  EXPECT_FALSE(z->fields().at("deep").bool_value());
  EXPECT_EQ(IntField(*nested, "w", 0), 7);

  // Objects that are elements of a top-level array member, and an array of arrays.
  auto arrays = ParseJsonObject(R"({"a":[[{"k":"1","k":"2"}],[]],"b":[{"k":1,"j":2,"k":3}]})", "t");
  ASSERT_TRUE(arrays.ok()) << arrays.status();
  EXPECT_EQ(StringField(arrays->fields().at("a").list_value().values(0).list_value().values(0)
                            .struct_value(), "k"),
            "2");
  const auto& b = arrays->fields().at("b").list_value().values(0).struct_value();
  EXPECT_EQ(IntField(b, "k", 0), 3);
  EXPECT_EQ(IntField(b, "j", 0), 2);
}

TEST(ParseJsonObjectTest, NamesAreComparedDecoded) {
  auto m = ParseJsonObject(R"({"a":1,"\u0061":2, "\u00e9\ud83d\ude00":"x","é😀":"y"})", "t");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->fields().size(), 2u);
  EXPECT_EQ(IntField(*m, "a", 0), 2);
  EXPECT_EQ(StringField(*m, "é😀"), "y");
  // Escapes in values and names survive the rewrite untouched.
  auto e = ParseJsonObject(
      R"({"q\"":"1","q\"":"a\"b\\c\n\u00e9 ,}]","big":12345678901234,"f":-1.5e3,"f2":0,"f2":-0.25})",
      "t");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(StringField(*e, "q\""), "a\"b\\c\né ,}]");
  EXPECT_EQ(e->fields().at("big").number_value(), 12345678901234.0);
  EXPECT_EQ(e->fields().at("f").number_value(), -1500.0);
  EXPECT_EQ(e->fields().at("f2").number_value(), -0.25);
}

TEST(ParseJsonObjectTest, BadJsonIsStillRefusedWithAClearMessage) {
  for (const char* bad : {"", "{", R"({"a":1,"a":})", R"({"a":1,"a":2)", R"({"a":1,"a":tru})",
                          R"({"a":1,"a":"x)", R"({"a":1,"a" 2})", R"({"a":[1,{"b":1,"b":2}})",
                          R"({"a":1,"\u00zz":2,"a":3})", "<html>gateway</html>",
                          R"({"a":1,"a":2} trailing)", R"({"a":01,"a":2})"}) {
    auto m = ParseJsonObject(bad, "SONG analysis");
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(m.status().message()), HasSubstr("SONG analysis is not a JSON object: "))
        << bad;
  }
  // Deep nesting is refused, never a crash.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto d = ParseJsonObject(absl::StrCat(R"({"a":1,"a":)", deep, "}"), "t");
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
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
