#ifndef COMMON_SERVER_FLAGS_H_
#define COMMON_SERVER_FLAGS_H_

// The serving flags every service shares, defined once:
//   --port_file, --drain_seconds, --shutdown_grace_seconds,
//   --metrics_listen, --metrics_port_file
// Each service keeps its own --listen (its default port differs).

#include <string>

#include "common/server.h"

namespace tracker {

// ServerOptions from the serving flags, listening on `listen`.
ServerOptions ServerOptionsFromFlags(const std::string& listen);

// Makes `seconds` the default of --shutdown_grace_seconds for this binary
// (the scheduler's cycle needs longer than an RPC); call before parsing.
void SetDefaultShutdownGrace(int seconds);

}  // namespace tracker

#endif  // COMMON_SERVER_FLAGS_H_
