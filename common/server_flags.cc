#include "common/server_flags.h"

#include "absl/flags/flag.h"
#include "absl/time/time.h"

ABSL_FLAG(std::string, port_file, "", "write the bound port to this file once serving");
ABSL_FLAG(int, drain_seconds, 0,
          "after SIGTERM, keep serving this long with health NOT_SERVING before refusing new RPCs");
ABSL_FLAG(int, shutdown_grace_seconds, 20, "how long in-flight RPCs may run after SIGTERM");
ABSL_FLAG(std::string, metrics_listen, "",
          "HOST:PORT to serve Prometheus metrics on, at /metrics over plain HTTP (empty: off)");
ABSL_FLAG(std::string, metrics_port_file, "", "write the bound metrics port to this file");

namespace tracker {

ServerOptions ServerOptionsFromFlags(const std::string& listen) {
  ServerOptions server;
  server.listen = listen;
  server.port_file = absl::GetFlag(FLAGS_port_file);
  server.shutdown_grace = absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds));
  server.drain = absl::Seconds(absl::GetFlag(FLAGS_drain_seconds));
  server.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  server.metrics_port_file = absl::GetFlag(FLAGS_metrics_port_file);
  return server;
}

void SetDefaultShutdownGrace(int seconds) { absl::SetFlag(&FLAGS_shutdown_grace_seconds, seconds); }

}  // namespace tracker
