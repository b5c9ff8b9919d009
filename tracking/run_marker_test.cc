#include "tracking/run_marker.h"

#include <gtest/gtest.h>

namespace tracker::tracking {
namespace {

// Every marker shape in the real repository's history.
TEST(RunMarkerTest, ParsesTheShortShape) {
  auto m = ParseMarker("run.1626003611.rdpc_qa.wes-33d2f835491749adb1a1f75c6e1b1ff7");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->epoch_seconds, 1626003611);
  EXPECT_EQ(m->environment, "rdpc_qa");
  EXPECT_EQ(m->run_id, "wes-33d2f835491749adb1a1f75c6e1b1ff7");
  EXPECT_EQ(m->session_id, "");
}

TEST(RunMarkerTest, ParsesTheShapeWithASession) {
  auto m = ParseMarker(
      "run.1624228528.rdpc-prod.wes-1687af9a1ae744d5a266ab092ee7f4fa."
      "f1cd3a00-d2ab-4429-b6e6-9b252b28e22b");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->environment, "rdpc-prod");
  EXPECT_EQ(m->run_id, "wes-1687af9a1ae744d5a266ab092ee7f4fa");
  EXPECT_EQ(m->session_id, "f1cd3a00-d2ab-4429-b6e6-9b252b28e22b");
}

TEST(RunMarkerTest, FormatIsTheInverseOfParse) {
  for (const char* name :
       {"run.1626003611.rdpc_qa.wes-33d2f835491749adb1a1f75c6e1b1ff7",
        "run.1624228528.rdpc-prod.wes-1687af9a1ae744d5a266ab092ee7f4fa."
        "f1cd3a00-d2ab-4429-b6e6-9b252b28e22b",
        "run.1800000000.rdpc_prod.pending-3"}) {
    auto m = ParseMarker(name);
    ASSERT_TRUE(m.has_value()) << name;
    absl::StatusOr<std::string> back = FormatMarker(*m);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, name);
  }
}

TEST(RunMarkerTest, RefusesWhatIsNotAMarker) {
  for (const char* bad : {"params.json", "run.x.env.id", "run.1.env", ".gitkeep", "run.-1.e.r",
                          "run..env.id", "run.1..id", "run.1.env.", "run.1.e.r.s.t", "Run.1.e.r"}) {
    EXPECT_FALSE(ParseMarker(bad).has_value()) << bad;
  }
}

TEST(RunMarkerTest, FormatValidatesEveryPart) {
  EXPECT_EQ(FormatMarker({1, "rdpc_qa", "../x", ""}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(FormatMarker({0, "rdpc_qa", "wes-1", ""}).ok());
  EXPECT_FALSE(FormatMarker({1, "rdpc.qa", "wes-1", ""}).ok());
  EXPECT_FALSE(FormatMarker({1, "rdpc_qa", "wes-1", "a.b"}).ok());
}

TEST(RunMarkerTest, PendingMarkers) {
  absl::StatusOr<std::string> name = FormatPendingMarker(1800000000, "rdpc_qa", 2);
  ASSERT_TRUE(name.ok()) << name.status();
  EXPECT_EQ(*name, "run.1800000000.rdpc_qa.pending-2");
  auto m = ParseMarker(*name);
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(IsPendingRunId(m->run_id));
  EXPECT_EQ(PendingAttempt(m->run_id), 2);
  EXPECT_EQ(PendingRunId(7), "pending-7");
  EXPECT_FALSE(IsPendingRunId("wes-33d2f835491749adb1a1f75c6e1b1ff7"));
  EXPECT_EQ(PendingAttempt("wes-1"), 0);
  EXPECT_EQ(PendingAttempt("pending-x"), 0);
  EXPECT_FALSE(FormatPendingMarker(1, "rdpc/qa", 1).ok());
}

}  // namespace
}  // namespace tracker::tracking
