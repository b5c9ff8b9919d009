#ifndef COMMON_SERVICE_FLAGS_H_
#define COMMON_SERVICE_FLAGS_H_

// Command-line flags every service shares, defined once:
//   --port_file, --drain_seconds, --shutdown_grace_seconds   (serving)
//   --request_timeout_seconds, --retry_deadline_seconds,
//   --retry_attempts, --ca_file                              (HTTP callers)
// Each service keeps its own --listen (its default port differs).

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/http_client.h"
#include "common/server.h"

namespace tracker {

// ServerOptions from the serving flags, listening on `listen`.
ServerOptions ServerOptionsFromFlags(const std::string& listen);

// The HTTP stack from the HTTP flags: libcurl (with --ca_file) under the
// retry policy. INVALID_ARGUMENT naming the flag when one is out of range.
absl::StatusOr<std::shared_ptr<HttpClient>> HttpClientFromFlags();
// --request_timeout_seconds: the limit of one HTTP attempt.
absl::Duration RequestTimeoutFromFlags();

}  // namespace tracker

#endif  // COMMON_SERVICE_FLAGS_H_
