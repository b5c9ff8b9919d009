#include "common/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>


#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/file_util.h"
#include "common/grpc_metrics.h"
#include "common/health_probe.h"
#include "common/log.h"
#include "common/metrics_server.h"
#include "common/status.h"

namespace tracker {
namespace {

sigset_t ShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

void BlockShutdownSignals() {
  sigset_t set = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void DisableMutexDeadlockDetection() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

void PrepareServiceProcess() {
  DisableMutexDeadlockDetection();
  BlockShutdownSignals();
}

absl::Status ServeUntilSignal(const ServerOptions& options,
                              const std::vector<grpc::Service*>& services,
                              const std::function<void()>& before_shutdown) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  // Metrics first: a scrape can watch the service come up.
  std::unique_ptr<MetricsServer> metrics;
  if (!options.metrics_listen.empty()) {
    auto started = MetricsServer::Start(options.metrics_listen);
    if (!started.ok()) return started.status();
    metrics = *std::move(started);
    LogInfo("metrics_listening").Kv("port", metrics->port());
    if (!options.metrics_port_file.empty()) {
      TRACKER_RETURN_IF_ERROR(
          WriteFileAtomically(options.metrics_port_file, absl::StrCat(metrics->port(), "\n")));
    }
  }

  if (options.credentials == nullptr) {
    return absl::InvalidArgumentError("no credentials for the port (TLS or explicit plaintext)");
  }
  if (options.insecure_plaintext) {
    LogWarning("insecure_plaintext")
        .Kv("detail", "no TLS and no authentication: every caller may do everything");
  }

  grpc::ServerBuilder builder;
  builder.experimental().SetInterceptorCreators(GrpcMetricsInterceptors());
  int bound_port = 0;
  builder.AddListeningPort(options.listen, options.credentials, &bound_port);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  if (options.max_connection_age > absl::ZeroDuration()) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                               static_cast<int>(absl::ToInt64Milliseconds(options.max_connection_age)));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                               static_cast<int>(absl::ToInt64Milliseconds(options.max_connection_age_grace)));
  }
  for (grpc::Service* service : services) builder.RegisterService(service);

  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || bound_port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen,
                     " (address in use or not valid HOST:PORT)"));
  }
  std::string host = options.listen.substr(0, options.listen.rfind(':'));
  LogInfo("listening")
      .Kv("address", absl::StrCat(host, ":", bound_port))
      .Kv("port", bound_port)
      .Kv("tls", options.insecure_plaintext ? "off" : "on");
  std::unique_ptr<HealthProbeServer> probe;
  if (!options.health_listen.empty()) {
    auto started = HealthProbeServer::Start(options.health_listen);
    if (!started.ok()) {
      server->Shutdown();
      return started.status();
    }
    probe = *std::move(started);
    LogInfo("health_listening").Kv("port", probe->port());
  }
  // Port files last, once everything serves; a file that cannot be written
  // stops the server (a script would wait for it forever).
  for (const auto& [path, port] : {std::pair<std::string, int>{options.health_port_file,
                                                               probe ? probe->port() : 0},
                                   std::pair<std::string, int>{options.port_file, bound_port}}) {
    if (path.empty()) continue;
    absl::Status written = WriteFileAtomically(path, absl::StrCat(port, "\n"));
    if (!written.ok()) {
      server->Shutdown();
      return written;
    }
  }

  sigset_t set = ShutdownSignals();
  int signal_number = 0;
  sigwait(&set, &signal_number);
  LogInfo("shutting_down")
      .Kv("signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT")
      .Kv("grace_seconds",
          static_cast<int64_t>(absl::ToInt64Seconds(options.shutdown_grace)));

  // Load balancers and kubelet probes see NOT_SERVING before anything stops.
  server->GetHealthCheckService()->SetServingStatus(false);
  if (probe != nullptr) probe->SetServing(false);
  if (before_shutdown) before_shutdown();
  if (options.drain > absl::ZeroDuration()) {
    LogInfo("draining").Kv("seconds", static_cast<int64_t>(absl::ToInt64Seconds(options.drain)));
    absl::SleepFor(options.drain);
  }
  server->Shutdown(absl::ToChronoTime(absl::Now() + options.shutdown_grace));
  server->Wait();
  if (probe != nullptr) probe->Shutdown();
  LogInfo("stopped");
  return absl::OkStatus();
}

}  // namespace tracker
