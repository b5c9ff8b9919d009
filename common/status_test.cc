#include "common/status.h"

#include <gtest/gtest.h>

namespace tracker {
namespace {

TEST(StatusTest, CodesAndMessagesSurviveTheRoundTrip) {
  for (auto code : {absl::StatusCode::kInvalidArgument, absl::StatusCode::kNotFound,
                    absl::StatusCode::kAborted, absl::StatusCode::kUnavailable,
                    absl::StatusCode::kFailedPrecondition,
                    absl::StatusCode::kAlreadyExists}) {
    absl::Status in(code, "job.0001 is not in backlog/");
    grpc::Status wire = ToGrpcStatus(in);
    EXPECT_EQ(static_cast<int>(wire.error_code()), static_cast<int>(code));
    EXPECT_EQ(wire.error_message(), "job.0001 is not in backlog/");
    EXPECT_EQ(FromGrpcStatus(wire), in);
  }
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

absl::StatusOr<int> Half(int x) {
  if (x % 2) return absl::InvalidArgumentError("odd");
  return x / 2;
}

absl::Status Quarter(int x, int* out) {
  TRACKER_ASSIGN_OR_RETURN(int half, Half(x));
  TRACKER_ASSIGN_OR_RETURN(*out, Half(half));
  return absl::OkStatus();
}

TEST(StatusTest, AssignOrReturnStopsAtTheFirstError) {
  int out = -1;
  EXPECT_TRUE(Quarter(8, &out).ok());
  EXPECT_EQ(out, 2);
  out = -1;
  EXPECT_EQ(Quarter(6, &out).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(out, -1);
}

}  // namespace
}  // namespace tracker
