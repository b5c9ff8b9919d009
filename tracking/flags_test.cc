#include "tracking/flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tracker::tracking {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(FlagsTest, NamesAndPaths) {
  EXPECT_EQ(FlagFileName(FlagKind::kPause, "rdpc_prod"), "pause.rdpc_prod");
  EXPECT_EQ(FlagFileName(FlagKind::kExcessiveFailure, "rdpc_qa"), "excessive_failure.rdpc_qa.txt");
  EXPECT_EQ(FlagPath(FlagKind::kPause, "rdpc-prod"), "jobs/pause.rdpc-prod");
}

// Every file directly under jobs/ in the real repository's history.
TEST(FlagsTest, ParsesTheRealFileNames) {
  auto f = ParseFlagFileName("excessive_failure.rdpc_prod.txt");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->kind, FlagKind::kExcessiveFailure);
  EXPECT_EQ(f->environment, "rdpc_prod");
  EXPECT_EQ(ParseFlagFileName("excessive_failure.rdpc_qa.txt")->environment, "rdpc_qa");
  for (const char* env : {"rdpc_prod", "rdpc-prod", "drpc-prod"}) {  // drpc: a real typo
    auto p = ParseFlagFileName(std::string("pause.") + env);
    ASSERT_TRUE(p.has_value()) << env;
    EXPECT_EQ(p->kind, FlagKind::kPause);
    EXPECT_EQ(p->environment, env);
  }
  for (const char* other : {".gitignore", "pause.", "pause.a.b", "excessive_failure.x",
                            "excessive_failure..txt", "README.md"}) {
    EXPECT_FALSE(ParseFlagFileName(other).has_value()) << other;
  }
}

TEST(FlagsTest, ExcessiveFailureContentRoundTrips) {
  const std::vector<std::string> runs = {
      "run.1629900000.rdpc_prod.wes-1687af9a1ae744d5a266ab092ee7f4fa",
      "run.1629900100.rdpc_prod.wes-33d2f835491749adb1a1f75c6e1b1ff7"};
  const std::string content = FormatExcessiveFailureContent(runs);
  EXPECT_EQ(content,
            "recently_failed_runs: [run.1629900000.rdpc_prod.wes-1687af9a1ae744d5a266ab092ee7f4fa, "
            "run.1629900100.rdpc_prod.wes-33d2f835491749adb1a1f75c6e1b1ff7]\n");
  EXPECT_EQ(ParseExcessiveFailureContent(content), runs);
}

TEST(FlagsTest, ParsingToleratesHandEdits) {
  EXPECT_THAT(ParseExcessiveFailureContent("# looked at these\nrecently_failed_runs: [\n"
                                           "  run.1.rdpc_qa.wes-a,\r\n  run.2.rdpc_qa.wes-b\n]"),
              ElementsAre("run.1.rdpc_qa.wes-a", "run.2.rdpc_qa.wes-b"));
  EXPECT_THAT(ParseExcessiveFailureContent("recently_failed_runs: []\n"), IsEmpty());
  EXPECT_THAT(ParseExcessiveFailureContent(""), IsEmpty());
}

}  // namespace
}  // namespace tracker::tracking
