#ifndef COMMON_SERVER_FLAGS_H_
#define COMMON_SERVER_FLAGS_H_

// The serving flags every service shares, defined once:
//   --port_file, --drain_seconds, --shutdown_grace_seconds,
//   --metrics_listen, --metrics_port_file,
//   --tls_cert, --tls_key, --tls_ca, --tls_reload_seconds,
//   --insecure_plaintext, --auth_config, --health_listen, --health_port_file
// Each service keeps its own --listen (its default port differs).

#include <string>

#include "absl/status/statusor.h"
#include "common/server.h"
#include "common/tls.h"

namespace tracker {

// ServerOptions from the serving flags, listening on `listen`. Refused
// (with what to give) when neither TLS nor --insecure_plaintext is asked
// for, when TLS comes without --auth_config, or when a file is bad.
absl::StatusOr<ServerOptions> ServerOptionsFromFlags(const std::string& listen);

// The TLS files of the flags, for the channels a service opens to the
// others: the same certificate proves it to them (mutual TLS).
TlsConfig ClientTlsFromFlags();

// Makes `seconds` the default of --shutdown_grace_seconds for this binary
// (the scheduler's cycle needs longer than an RPC); call before parsing.
void SetDefaultShutdownGrace(int seconds);

}  // namespace tracker

#endif  // COMMON_SERVER_FLAGS_H_
