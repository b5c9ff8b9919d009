// SlackNotifier (the incoming webhook's request, its errors without the
// secret URL), LogOnlyNotifier (nothing is sent, and it says so) and the
// Alerter's deduplication.

#include "services/scheduler/notifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

#include "common/json.h"
#include "services/scheduler/recording_notifier.h"
#include "testing/fake_clock.h"
#include "testing/fake_http_client.h"

namespace tracker::scheduler {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;

constexpr char kWebhook[] = "https://hooks.slack.test/services/T000/B000/secret";

TEST(SlackNotifierTest, PostsTheTextAsJsonOnce) {
  auto http = std::make_shared<testing::FakeHttpClient>();
  http->Push(200, "ok");
  SlackNotifier slack(http, kWebhook);
  ASSERT_TRUE(slack.Post("PACA-CA backlog 1\n\"quoted\"").ok());
  ASSERT_EQ(http->requests().size(), 1u);
  const HttpRequest req = http->requests()[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, kWebhook);
  EXPECT_FALSE(req.idempotent);  // a retry could post the message twice
  EXPECT_THAT(req.headers, ElementsAre(Pair("Content-Type", "application/json")));
  auto body = ParseJsonObject(req.body, "body");
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(StringField(*body, "text"), "PACA-CA backlog 1\n\"quoted\"");
  EXPECT_EQ(StringField(*body, "username"), "scheduler");
}

TEST(SlackTextTest, TheLevelsEmojiOnALineOfItsOwnThenTheMessage) {
  EXPECT_EQ(SlackText(AlertLevel::kCritical, "qa stopped"), ":fire:\nqa stopped");
  EXPECT_EQ(SlackText(AlertLevel::kWarning, "qa is down"), ":warning:\nqa is down");
  EXPECT_EQ(SlackText(AlertLevel::kInfo, "a\nb"), ":information_source:\na\nb");
}

TEST(SlackNotifierTest, ErrorsAreUnavailableAndNeverShowTheUrl) {
  auto http = std::make_shared<testing::FakeHttpClient>();
  http->Push(absl::UnavailableError(std::string("cannot connect to ") + kWebhook));
  http->Push(500, "oops");
  SlackNotifier slack(http, kWebhook);
  absl::Status unreachable = slack.Post("hello");
  EXPECT_EQ(unreachable.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(unreachable.message()), Not(HasSubstr("secret")));
  absl::Status refused = slack.Post("hello");
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(refused.message(), "Slack webhook answered HTTP 500");
}

TEST(LogOnlyNotifierTest, SaysThereIsNoWebhook) {
  LogOnlyNotifier none;
  absl::Status s = none.Post("hello");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "no Slack webhook configured");
}

class AlerterTest : public ::testing::Test {
 protected:
  testing::FakeClock clock_;
  RecordingNotifier notifier_;
  Alerter alerts_{&notifier_, &clock_, absl::Hours(6)};
};

TEST_F(AlerterTest, OneAlertPerKeyUntilTheRepeatTime) {
  EXPECT_TRUE(alerts_.Alert(AlertLevel::kWarning, "wes_down:qa", "qa is down"));
  EXPECT_FALSE(alerts_.Alert(AlertLevel::kWarning, "wes_down:qa", "qa is down"));
  EXPECT_TRUE(alerts_.Alert(AlertLevel::kCritical, "excessive:qa", "qa stopped"));
  clock_.Advance(absl::Hours(6));
  EXPECT_TRUE(alerts_.Alert(AlertLevel::kInfo, "wes_down:qa", "qa is still down"));
  EXPECT_THAT(notifier_.texts(), ElementsAre(":warning:\nqa is down", ":fire:\nqa stopped",
                                             ":information_source:\nqa is still down"));
}

TEST_F(AlerterTest, AResolvedProblemAlertsAgainAtOnce) {
  EXPECT_TRUE(alerts_.Alert(AlertLevel::kWarning, "push", "cannot push"));
  alerts_.Resolve("push");
  EXPECT_TRUE(alerts_.Alert(AlertLevel::kWarning, "push", "cannot push"));
  EXPECT_EQ(notifier_.Count("cannot push"), 2);
}

TEST_F(AlerterTest, AnAlertThatCannotBePostedStillCountsAsSent) {
  // It is in the log; posting it again every cycle would only add noise.
  notifier_.Answer(absl::UnavailableError("Slack down"));
  EXPECT_TRUE(alerts_.Alert(AlertLevel::kWarning, "fetch", "cannot fetch"));
  EXPECT_FALSE(alerts_.Alert(AlertLevel::kWarning, "fetch", "cannot fetch"));
  EXPECT_EQ(notifier_.texts().size(), 1u);
}

}  // namespace
}  // namespace tracker::scheduler
