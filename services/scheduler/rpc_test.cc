// RpcCaller: which failures are tried again, each attempt's deadline, and
// the sleeps between attempts, on a fake clock (no test sleeps).

#include "services/scheduler/rpc.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "testing/fake_clock.h"

namespace tracker::scheduler {
namespace {

using ::testing::SizeIs;

grpc::Status Unavailable() { return grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused"); }

// What each attempt saw: the context's deadline as time from the call.
struct Attempts {
  std::vector<absl::Duration> deadlines;

  void Record(grpc::ClientContext* context) {
    deadlines.push_back(absl::FromChrono(context->deadline() - std::chrono::system_clock::now()));
  }
};

RpcPolicy Policy(int attempts) {
  RpcPolicy policy;
  policy.attempts = attempts;
  policy.deadline = absl::Seconds(60);
  policy.backoff = absl::Milliseconds(200);
  return policy;
}

TEST(RpcCallerTest, AnIdempotentCallIsTriedAgainOnUnavailable) {
  testing::FakeClock clock;
  RpcCaller rpc(Policy(3), &clock, 1);
  int calls = 0;
  absl::Status s = rpc.Call("Test.Read", Idempotency::kIdempotent, [&](grpc::ClientContext*) {
    return ++calls < 3 ? Unavailable() : grpc::Status::OK;
  });
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(calls, 3);
  // Full jitter: the n-th sleep is anywhere in [0, 200 ms * 2^(n-1)].
  std::vector<absl::Duration> sleeps = clock.sleeps();
  ASSERT_THAT(sleeps, SizeIs(2));
  EXPECT_LE(sleeps[0], absl::Milliseconds(200));
  EXPECT_LE(sleeps[1], absl::Milliseconds(400));
}

TEST(RpcCallerTest, ANonIdempotentCallIsSentOnce) {
  testing::FakeClock clock;
  RpcCaller rpc(Policy(3), &clock, 1);
  int calls = 0;
  absl::Status s = rpc.Call("Test.Write", Idempotency::kNonIdempotent, [&](grpc::ClientContext*) {
    ++calls;
    return Unavailable();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "connection refused");
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(clock.sleeps().empty());
}

TEST(RpcCallerTest, OnlyUnavailableIsTriedAgain) {
  for (grpc::StatusCode code : {grpc::StatusCode::DEADLINE_EXCEEDED, grpc::StatusCode::NOT_FOUND,
                                grpc::StatusCode::ABORTED, grpc::StatusCode::INTERNAL}) {
    testing::FakeClock clock;
    RpcCaller rpc(Policy(3), &clock, 1);
    int calls = 0;
    absl::Status s = rpc.Call("Test.Read", Idempotency::kIdempotent, [&](grpc::ClientContext*) {
      ++calls;
      return grpc::Status(code, "no");
    });
    EXPECT_EQ(static_cast<int>(s.code()), static_cast<int>(code));
    EXPECT_EQ(calls, 1) << code;
  }
}

TEST(RpcCallerTest, GivesUpAfterTheAllowedAttemptsWithTheLastAnswer) {
  testing::FakeClock clock;
  RpcCaller rpc(Policy(3), &clock, 1);
  int calls = 0;
  absl::Status s = rpc.Call("Test.Read", Idempotency::kIdempotent, [&](grpc::ClientContext*) {
    ++calls;
    return Unavailable();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(calls, 3);
  EXPECT_THAT(clock.sleeps(), SizeIs(2));
}

TEST(RpcCallerTest, EveryAttemptHasThePolicyDeadline) {
  testing::FakeClock clock;
  RpcCaller rpc(Policy(3), &clock, 1);
  Attempts seen;
  (void)rpc.Call("Test.Read", Idempotency::kIdempotent, [&](grpc::ClientContext* c) {
    seen.Record(c);
    return Unavailable();
  });
  ASSERT_THAT(seen.deadlines, SizeIs(3));
  for (absl::Duration d : seen.deadlines) {
    EXPECT_GT(d, absl::Seconds(55));
    EXPECT_LE(d, absl::Seconds(60));
  }
}

TEST(RpcCallerTest, AnAttemptNeverOutlivesTheLoop) {
  testing::FakeClock clock;
  RpcPolicy policy = Policy(3);
  RpcCaller rpc(policy, &clock, 1);
  const absl::Duration total = ToRetryPolicy(policy).deadline;
  Attempts seen;
  (void)rpc.Call("Test.Read", Idempotency::kIdempotent, [&](grpc::ClientContext* c) {
    seen.Record(c);
    clock.Advance(absl::Seconds(70));  // each attempt takes long
    return Unavailable();
  });
  // The third attempt has less than a whole deadline left.
  ASSERT_THAT(seen.deadlines, SizeIs(3));
  absl::Duration slept;
  for (absl::Duration d : clock.sleeps()) slept += d;
  const absl::Duration left = total - absl::Seconds(140) - slept;
  ASSERT_LT(left, absl::Seconds(60));
  EXPECT_GT(seen.deadlines[2], left - absl::Seconds(5));
  EXPECT_LE(seen.deadlines[2], left);
}

TEST(RpcCallerTest, NoAttemptWithoutTimeLeft) {
  testing::FakeClock clock;
  RpcPolicy policy = Policy(3);
  policy.deadline = absl::ZeroDuration();
  policy.backoff = absl::ZeroDuration();
  RpcCaller rpc(policy, &clock, 1);
  int calls = 0;
  absl::Status s = rpc.Call("Test.Read", Idempotency::kIdempotent, [&](grpc::ClientContext*) {
    ++calls;
    return grpc::Status::OK;
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(calls, 0);
}

TEST(RpcCallerTest, TheOverallDeadlineCoversEveryAttemptAndTheLongestSleeps) {
  RpcPolicy policy = Policy(3);
  RetryPolicy retry = ToRetryPolicy(policy);
  EXPECT_EQ(retry.max_attempts, 3);
  EXPECT_EQ(retry.deadline, absl::Seconds(180) + absl::Milliseconds(600));
  policy.attempts = 0;  // treated as one
  EXPECT_EQ(ToRetryPolicy(policy).max_attempts, 1);
}

}  // namespace
}  // namespace tracker::scheduler
