#include "common/health_probe.h"

#include <grpcpp/health_check_service_interface.h>

#include <chrono>

#include "absl/strings/str_cat.h"

namespace tracker {

absl::StatusOr<std::unique_ptr<HealthProbeServer>> HealthProbeServer::Start(
    const std::string& listen) {
  // The default health service (enabled process-wide by ServeUntilSignal)
  // is the one a server gets when it has sync services: reflection's.
  grpc::EnableDefaultHealthCheckService(true);
  std::unique_ptr<HealthProbeServer> probe(new HealthProbeServer());
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &probe->port_);
  builder.SetMaxReceiveMessageSize(4096);  // a service name, nothing more
  probe->server_ = builder.BuildAndStart();
  if (probe->server_ == nullptr || probe->port_ == 0 ||
      probe->server_->GetHealthCheckService() == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot listen for health probes on ", listen,
                                               " (address in use or not valid HOST:PORT)"));
  }
  probe->SetServing(true);
  return probe;
}

void HealthProbeServer::SetServing(bool serving) {
  if (server_ == nullptr) return;
  server_->GetHealthCheckService()->SetServingStatus(serving);
}

void HealthProbeServer::Shutdown() {
  if (server_ == nullptr) return;
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  server_->Wait();
  server_.reset();
}

HealthProbeServer::~HealthProbeServer() { Shutdown(); }

}  // namespace tracker
