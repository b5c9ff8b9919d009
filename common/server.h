#ifndef COMMON_SERVER_H_
#define COMMON_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace tracker {

struct ServerOptions {
  std::string listen = "127.0.0.1:0";  // HOST:PORT; port 0 picks a free one
  // When set, the bound port is written here (atomically) once serving, so
  // scripts and tests that asked for port 0 can find it.
  std::string port_file;
  int max_message_bytes = 32 << 20;  // larger requests get RESOURCE_EXHAUSTED
  // Connections are closed (gracefully: GOAWAY, in-flight RPCs go on for
  // `max_connection_age_grace`) after this long, so clients resolve names
  // again and spread over replicas added since (scaled-out pollers behind
  // a headless Service). Zero: never.
  absl::Duration max_connection_age = absl::Minutes(5);
  absl::Duration max_connection_age_grace = absl::Minutes(10);
  // After SIGTERM, how long the server keeps answering (health already
  // NOT_SERVING) so that load balancers and probes see it leave before new
  // RPCs are refused. Kubernetes removes a terminating pod's endpoints
  // asynchronously: a few seconds here avoids refused calls during a
  // rollout.
  absl::Duration drain = absl::ZeroDuration();
  // How long in-flight RPCs may run after that before they are cancelled.
  absl::Duration shutdown_grace = absl::Seconds(20);
  // When set (HOST:PORT, port 0: any free one), Prometheus metrics are
  // served at http://HOST:PORT/metrics; the bound port is written to
  // `metrics_port_file` when that is set.
  std::string metrics_listen;
  std::string metrics_port_file;
  // The port's credentials (server_flags.h makes them): TLS with the check
  // of every caller before its handler attached, or, when
  // `insecure_plaintext`, none at all. Required.
  std::shared_ptr<grpc::ServerCredentials> credentials;
  bool insecure_plaintext = false;
  // When set (HOST:PORT, port 0: any free one), a plaintext port answering
  // health checks only, for kubelet's gRPC probes (health_probe.h); its
  // bound port is written to `health_port_file` when that is set.
  std::string health_listen;
  std::string health_port_file;
};

// Blocks SIGTERM and SIGINT in the calling thread, and so in every thread it
// starts later. Call first thing in main(), before any thread exists; then
// ServeUntilSignal() is the only place that receives them.
void BlockShutdownSignals();

// Turns off abseil's mutex deadlock detection, which Debian's abseil leaves
// on: gRPC makes and drops mutexes on every call, and the detector's global
// graph cost the scheduler ~18% of its CPU in a campaign. Lock order is
// written down instead, with ABSL_GUARDED_BY and ABSL_ACQUIRED_AFTER.
void DisableMutexDeadlockDetection();

// What every service's main() does first: both of the above.
void PrepareServiceProcess();

// Serves `services` with grpc.health.v1 and server reflection until SIGTERM
// or SIGINT. On the signal: health turns NOT_SERVING, `before_shutdown`
// runs, RPCs are still served for `drain`, then new RPCs are refused and
// in-flight ones get `shutdown_grace` to finish, then it returns.
absl::Status ServeUntilSignal(const ServerOptions& options,
                              const std::vector<grpc::Service*>& services,
                              const std::function<void()>& before_shutdown = {});

}  // namespace tracker

#endif  // COMMON_SERVER_H_
