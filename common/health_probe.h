#ifndef COMMON_HEALTH_PROBE_H_
#define COMMON_HEALTH_PROBE_H_

// A plaintext port for kubelet's native gRPC probes, which speak no TLS.
// It serves grpc.health.v1 (and server reflection, which every server of
// the process gets: the API's schema, public in this repository) and no
// service of ours, so the service's own port needs no plaintext exception
// and a caller here learns whether the process serves, nothing more.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace tracker {

class HealthProbeServer {
 public:
  // Listens on `listen` (HOST:PORT, port 0: any free one). Check answers
  // for "", the process as a whole: what probes ask.
  static absl::StatusOr<std::unique_ptr<HealthProbeServer>> Start(const std::string& listen);
  ~HealthProbeServer();

  int port() const { return port_; }
  void SetServing(bool serving);
  void Shutdown();

 private:
  HealthProbeServer() = default;

  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace tracker

#endif  // COMMON_HEALTH_PROBE_H_
