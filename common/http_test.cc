#include <gtest/gtest.h>

#include <memory>

#include "common/http_client.h"
#include "common/http_retry.h"
#include "common/token_provider.h"
#include "testing/fake_http_client.h"

namespace tracker {
namespace {

using testing::FakeClock;
using testing::FakeHttpClient;

HttpRequest Get(std::string url = "http://wes.test/runs/wes-1") {
  HttpRequest r;
  r.url = std::move(url);
  return r;
}

struct RetryFixture : ::testing::Test {
  std::shared_ptr<FakeHttpClient> fake = std::make_shared<FakeHttpClient>();
  FakeClock clock;
  RetryPolicy policy;
  std::unique_ptr<RetryingHttpClient> client;
  void SetUp() override { Make(); }
  void Make() { client = std::make_unique<RetryingHttpClient>(fake, policy, &clock, 42); }
};

TEST_F(RetryFixture, RetriesRetryableStatusesThenSucceeds) {
  for (int status : {408, 429, 500, 502, 503, 504}) {
    fake->Push(status);
  }
  fake->Push(200, "ok");
  policy.max_attempts = 10;
  Make();
  auto r = client->Send(Get());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "ok");
  EXPECT_EQ(fake->requests().size(), 7u);
  // Capped exponential backoff with full jitter: each sleep within [0, cap].
  auto sleeps = clock.sleeps();
  ASSERT_EQ(sleeps.size(), 6u);
  for (size_t i = 0; i < sleeps.size(); ++i) {
    absl::Duration cap = std::min(policy.max_backoff, policy.initial_backoff * (1 << i));
    EXPECT_GE(sleeps[i], absl::ZeroDuration()) << i;
    EXPECT_LE(sleeps[i], cap) << i;
  }
}

TEST_F(RetryFixture, DoesNotRetryClientErrors) {
  for (int status : {400, 401, 403, 404, 409, 412}) {
    fake->Push(status);
    auto r = client->Send(Get());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, status);
  }
  EXPECT_EQ(fake->requests().size(), 6u);
  EXPECT_TRUE(clock.sleeps().empty());
}

TEST_F(RetryFixture, RetriesTransportErrors) {
  fake->Push(absl::UnavailableError("connection refused"));
  fake->Push(MarkMaybeSent(absl::UnavailableError("timed out")));
  fake->Push(200);
  auto r = client->Send(Get());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(fake->requests().size(), 3u);
}

TEST_F(RetryFixture, NeverRetriesNonIdempotentRequests) {
  fake->Push(MarkMaybeSent(absl::UnavailableError("reset")));
  HttpRequest post = Get("http://wes.test/runs");
  post.method = "POST";
  post.idempotent = false;
  auto r = client->Send(post);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(RequestMayHaveBeenSent(r.status()));
  fake->Push(503);
  auto r2 = client->Send(post);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->status, 503);
  EXPECT_EQ(fake->requests().size(), 2u);
}

TEST_F(RetryFixture, HonoursRetryAfterSeconds) {
  fake->Push(429, "", {{"retry-after", "7"}});
  fake->Push(200);
  ASSERT_TRUE(client->Send(Get()).ok());
  ASSERT_EQ(clock.sleeps().size(), 1u);
  EXPECT_EQ(clock.sleeps()[0], absl::Seconds(7));
}

TEST_F(RetryFixture, HonoursRetryAfterHttpDate) {
  absl::Time when = clock.Now() + absl::Seconds(12);
  fake->Push(503, "", {{"retry-after", absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", when,
                                                        absl::UTCTimeZone())}});
  fake->Push(200);
  ASSERT_TRUE(client->Send(Get()).ok());
  ASSERT_EQ(clock.sleeps().size(), 1u);
  EXPECT_EQ(clock.sleeps()[0], absl::Seconds(12));
}

TEST_F(RetryFixture, RetryAfterBeyondDeadlineStopsAtOnce) {
  policy.deadline = absl::Seconds(30);
  Make();
  fake->Push(429, "", {{"retry-after", "3600"}});
  auto r = client->Send(Get());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 429);
  EXPECT_TRUE(clock.sleeps().empty());
  EXPECT_EQ(fake->requests().size(), 1u);
}

TEST_F(RetryFixture, OverallDeadlineBoundsAttemptsAndTimeouts) {
  policy.deadline = absl::Seconds(5);
  policy.max_attempts = 100;
  policy.initial_backoff = absl::Seconds(1);
  policy.max_backoff = absl::Seconds(1);
  Make();
  fake->SetHandler([&](const HttpRequest& r) -> absl::StatusOr<HttpResponse> {
    clock.Advance(absl::Milliseconds(500));  // each attempt takes time
    return absl::UnavailableError("timed out");
  });
  auto r = client->Send(Get());
  EXPECT_FALSE(r.ok());
  auto requests = fake->requests();
  // At most one attempt per 500 ms of the deadline; sleeps of up to 1 s in
  // between leave room for at least three.
  EXPECT_LE(requests.size(), 10u);
  EXPECT_GE(requests.size(), 3u);
  // No attempt may be given more time than what is left of the deadline.
  absl::Duration total;
  for (const auto& d : clock.sleeps()) total += d;
  EXPECT_LE(total + absl::Milliseconds(500) * static_cast<int64_t>(requests.size()),
            absl::Seconds(5) + absl::Seconds(1));
  for (size_t i = 1; i < requests.size(); ++i) {
    EXPECT_LE(requests[i].timeout, absl::Seconds(5));
  }
}

TEST_F(RetryFixture, GivesUpAfterMaxAttempts) {
  policy.max_attempts = 3;
  Make();
  fake->SetHandler([](const HttpRequest&) -> absl::StatusOr<HttpResponse> {
    HttpResponse r;
    r.status = 500;
    return r;
  });
  auto r = client->Send(Get());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(fake->requests().size(), 3u);
}

TEST(HttpStatus, MapsAsStyleSays) {
  EXPECT_EQ(HttpStatusToCode(200), absl::StatusCode::kOk);
  EXPECT_EQ(HttpStatusToCode(400), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HttpStatusToCode(401), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(HttpStatusToCode(403), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(HttpStatusToCode(404), absl::StatusCode::kNotFound);
  EXPECT_EQ(HttpStatusToCode(408), absl::StatusCode::kUnavailable);
  EXPECT_EQ(HttpStatusToCode(409), absl::StatusCode::kAborted);
  EXPECT_EQ(HttpStatusToCode(412), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(HttpStatusToCode(429), absl::StatusCode::kUnavailable);
  EXPECT_EQ(HttpStatusToCode(503), absl::StatusCode::kUnavailable);
}

TEST(HttpStatus, PrefixKeepsTheMaybeSentMark) {
  absl::Status s = Prefixed("rdpc_qa", MarkMaybeSent(absl::UnavailableError("reset")));
  EXPECT_TRUE(RequestMayHaveBeenSent(s));
  EXPECT_EQ(s.message(), "rdpc_qa: reset");
  EXPECT_FALSE(RequestMayHaveBeenSent(Prefixed("x", absl::UnavailableError("refused"))));
}

struct TokenFixture : ::testing::Test {
  std::shared_ptr<FakeHttpClient> fake = std::make_shared<FakeHttpClient>();
  FakeClock clock;
  OAuth2TokenProvider provider{fake, "http://auth.test/oauth/token", "client-a", "s3cret-A",
                               &clock};
};

TEST_F(TokenFixture, FetchesCachesAndRefreshesBeforeExpiry) {
  fake->Push(200, R"({"access_token":"tok-1","token_type":"bearer","expires_in":600})");
  fake->Push(200, R"({"access_token":"tok-2","token_type":"bearer","expires_in":600})");
  EXPECT_EQ(*provider.Token(), "tok-1");
  auto req = fake->requests()[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.body, "grant_type=client_credentials");
  EXPECT_EQ(req.headers[0].second, "Basic Y2xpZW50LWE6czNjcmV0LUE=");
  clock.Advance(absl::Seconds(500));
  EXPECT_EQ(*provider.Token(), "tok-1");  // still cached
  EXPECT_EQ(fake->requests().size(), 1u);
  clock.Advance(absl::Seconds(50));  // within the last minute: refreshed early
  EXPECT_EQ(*provider.Token(), "tok-2");
  EXPECT_EQ(fake->requests().size(), 2u);
}

TEST_F(TokenFixture, RefusalNeverShowsTheBody) {
  fake->Push(401, R"({"error":"invalid_client","echo":"s3cret-A"})");
  auto t = provider.Token();
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(t.status().ToString().find("s3cret"), std::string::npos) << t.status();
}

TEST_F(TokenFixture, SendAuthorizedRenewsTokenOnceOn401) {
  fake->Push(200, R"({"access_token":"old","expires_in":3600})");
  fake->Push(401);  // the server no longer accepts "old"
  fake->Push(200, R"({"access_token":"new","expires_in":3600})");
  fake->Push(200, "done");
  auto r = SendAuthorized(*fake, &provider, Get());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "done");
  auto reqs = fake->requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(reqs[1].headers.back().second, "Bearer old");
  EXPECT_EQ(reqs[3].headers.back().second, "Bearer new");
}

TEST(MakeTokenProvider, NamesTheMissingVariableNotAValue) {
  ::unsetenv("TRACKER_TEST_ID");
  auto p = MakeTokenProvider(nullptr, "http://auth/token", "TRACKER_TEST_ID", "TRACKER_TEST_S", "");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(p.status().message().find("TRACKER_TEST_ID"), std::string::npos);
  ::setenv("TRACKER_TEST_TOKEN", "abc", 1);
  auto s = MakeTokenProvider(nullptr, "", "", "", "TRACKER_TEST_TOKEN");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*(*s)->Token(), "abc");
  auto none = MakeTokenProvider(nullptr, "", "", "", "");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, nullptr);
}

}  // namespace
}  // namespace tracker
