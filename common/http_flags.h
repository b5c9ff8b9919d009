#ifndef COMMON_HTTP_FLAGS_H_
#define COMMON_HTTP_FLAGS_H_

// The flags of every service that calls HTTP services, defined once:
//   --request_timeout_seconds, --retry_deadline_seconds, --retry_attempts,
//   --ca_file

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/http_client.h"

namespace tracker {

// The HTTP stack from the HTTP flags: libcurl (with --ca_file) under the
// retry policy. INVALID_ARGUMENT naming the flag when one is out of range.
absl::StatusOr<std::shared_ptr<HttpClient>> HttpClientFromFlags();
// --request_timeout_seconds: the limit of one HTTP attempt.
absl::Duration RequestTimeoutFromFlags();

}  // namespace tracker

#endif  // COMMON_HTTP_FLAGS_H_
