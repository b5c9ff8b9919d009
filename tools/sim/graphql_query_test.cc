#include "tools/sim/graphql_query.h"

#include <google/protobuf/util/message_differencer.h>

#include "common/json.h"
#include "gtest/gtest.h"

namespace tracker::sim::graphql {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

Struct Vars(const std::string& json) { return *ParseJsonObject(json, "variables"); }

TEST(GraphqlQueryTest, NamedQueryWithVariablesAliasesAndNestedSelections) {
  auto fields = Parse(
      "query Runs($a: String, $size: Int = 5) {\n"
      "  # two runs in one request\n"
      "  r0: runs(filter: {runId: $a}, page: {from: 0, size: $size}) { content { runId "
      "engineParameters { workDir } } info { hasNextFrom } }\n"
      "  r1: runs(filter: {runId: \"wes-2\"}) { content { runId } }\n"
      "}",
      Vars(R"({"a": "wes-1"})"));
  ASSERT_TRUE(fields.ok()) << fields.status();
  ASSERT_EQ(fields->size(), 2u);
  const Field& r0 = (*fields)[0];
  EXPECT_EQ(r0.alias, "r0");
  EXPECT_EQ(r0.name, "runs");
  EXPECT_EQ(r0.arguments.at("filter").struct_value().fields().at("runId").string_value(), "wes-1");
  EXPECT_EQ(r0.arguments.at("page").struct_value().fields().at("size").number_value(), 5);
  ASSERT_EQ(r0.selections.size(), 2u);
  EXPECT_EQ(r0.selections[0].name, "content");
  EXPECT_EQ(r0.selections[0].selections[1].selections[0].name, "workDir");
  EXPECT_EQ((*fields)[1].arguments.at("filter").struct_value().fields().at("runId").string_value(),
            "wes-2");
}

TEST(GraphqlQueryTest, AnonymousQueryAndLiterals) {
  auto fields = Parse(R"({ runs(filter: {state: RUNNING, ok: true, n: -1.5, x: null, l: ["a", "b\"c"]}) { content { runId } } })",
                      Struct());
  ASSERT_TRUE(fields.ok()) << fields.status();
  const auto& filter = (*fields)[0].arguments.at("filter").struct_value().fields();
  EXPECT_EQ(filter.at("state").string_value(), "RUNNING");
  EXPECT_TRUE(filter.at("ok").bool_value());
  EXPECT_EQ(filter.at("n").number_value(), -1.5);
  EXPECT_TRUE(filter.at("x").has_null_value());
  EXPECT_EQ(filter.at("l").list_value().values(1).string_value(), "b\"c");
}

TEST(GraphqlQueryTest, AMissingVariableIsNull) {
  auto fields = Parse("query Q($a: String) { runs(filter: {runId: $a}) { content { runId } } }",
                      Struct());
  ASSERT_TRUE(fields.ok()) << fields.status();
  EXPECT_TRUE((*fields)[0].arguments.at("filter").struct_value().fields().at("runId").has_null_value());
}

TEST(GraphqlQueryTest, RefusesWhatItDoesNotUnderstand) {
  for (const std::string bad : {
           "{ runs { ...RunFields } }",                          // fragment spread
           "fragment F on Run { runId }",                        // fragment definition
           "{ runs @include(if: true) { content { runId } } }",  // directive
           "{ runs(filter: {runId: \"x) { content { runId } } }",  // unterminated string
           "{ runs { content { runId } }",                       // unbalanced
           "{ }",                                                // empty selection
           "mutation { cancel }",                                // not a query
           "{ a } { b }",                                        // two operations
       }) {
    auto fields = Parse(bad, Struct());
    EXPECT_EQ(fields.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(fields.status().message().find("Syntax Error"), std::string::npos) << bad;
  }
}

TEST(GraphqlQueryTest, ProjectKeepsOnlyTheSelectedMembersUnderTheirAliases) {
  auto fields = Parse("{ runs { content { id: runId state engineParameters { workDir } missing } } }",
                      Struct());
  ASSERT_TRUE(fields.ok()) << fields.status();
  auto page = ParseJsonObject(
      R"({"content": [{"runId": "wes-1", "state": "RUNNING", "sessionId": "s",
                       "engineParameters": {"workDir": "/w", "launchDir": "/l"}}],
          "info": {"totalHits": 1}})",
      "page");
  ASSERT_TRUE(page.ok());
  Value in;
  *in.mutable_struct_value() = *page;
  Value out = Project(in, (*fields)[0].selections);
  auto want = ParseJsonObject(R"({"content": [{"id": "wes-1", "state": "RUNNING",
      "engineParameters": {"workDir": "/w"}, "missing": null}]})",
                              "expected");
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(out.struct_value(), *want))
      << ToJson(out.struct_value());
}

}  // namespace
}  // namespace tracker::sim::graphql
