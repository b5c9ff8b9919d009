#include "common/server_flags.h"

#include <memory>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "auth/auth_config.h"
#include "auth/authenticator.h"
#include "auth/grpc_auth.h"
#include "common/clock.h"
#include "common/curl_http_client.h"

ABSL_FLAG(std::string, port_file, "", "write the bound port to this file once serving");
ABSL_FLAG(int, drain_seconds, 0,
          "after SIGTERM, keep serving this long with health NOT_SERVING before refusing new RPCs");
ABSL_FLAG(int, shutdown_grace_seconds, 20, "how long in-flight RPCs may run after SIGTERM");
ABSL_FLAG(std::string, metrics_listen, "",
          "HOST:PORT to serve Prometheus metrics on, at /metrics over plain HTTP (empty: off)");
ABSL_FLAG(std::string, metrics_port_file, "", "write the bound metrics port to this file");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain of this service: its server certificate, and its client "
          "certificate towards the other services");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_ca, "",
          "PEM CA certificates that client certificates and the other services' certificates "
          "must chain to");
ABSL_FLAG(int, tls_reload_seconds, 30,
          "how often the TLS files are checked for a renewed version (no restart needed)");
ABSL_FLAG(bool, insecure_plaintext, false,
          "serve and call without TLS and without authentication: every caller may do "
          "everything (a laptop, a test); never in a deployment");
ABSL_FLAG(std::string, auth_config, "",
          "YAML of who may call (OIDC issuer, token file, service certificates); required with "
          "TLS");
ABSL_FLAG(std::string, health_listen, "",
          "HOST:PORT of a plaintext port answering gRPC health checks only, for kubelet probes "
          "(empty: off)");
ABSL_FLAG(std::string, health_port_file, "", "write the bound health port to this file");

namespace tracker {
namespace {

absl::StatusOr<std::shared_ptr<grpc::AuthMetadataProcessor>> AuthFromFlags() {
  const std::string path = absl::GetFlag(FLAGS_auth_config);
  if (path.empty()) {
    return absl::InvalidArgumentError(
        "--auth_config is required with TLS: it names who may call this service");
  }
  absl::StatusOr<auth::AuthConfig> config = auth::LoadAuthConfig(path);
  if (!config.ok()) return config.status();
  const bool may_block = config->oidc && !config->oidc->jwks_url.empty();
  // Lives as long as the process: the processor may fetch a JWKS URL at
  // any call.
  static CurlHttpClient* http = new CurlHttpClient();
  absl::StatusOr<std::unique_ptr<auth::Authenticator>> authenticator =
      auth::Authenticator::Create(*std::move(config), http, RealClock::Get());
  if (!authenticator.ok()) return authenticator.status();
  return std::make_shared<auth::AuthProcessor>(*std::move(authenticator), may_block);
}

}  // namespace

TlsConfig ClientTlsFromFlags() {
  TlsConfig tls;
  tls.insecure_plaintext = absl::GetFlag(FLAGS_insecure_plaintext);
  tls.cert_file = absl::GetFlag(FLAGS_tls_cert);
  tls.key_file = absl::GetFlag(FLAGS_tls_key);
  tls.ca_file = absl::GetFlag(FLAGS_tls_ca);
  tls.reload_seconds = absl::GetFlag(FLAGS_tls_reload_seconds);
  return tls;
}

absl::StatusOr<ServerOptions> ServerOptionsFromFlags(const std::string& listen) {
  ServerOptions server;
  server.listen = listen;
  server.port_file = absl::GetFlag(FLAGS_port_file);
  server.shutdown_grace = absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds));
  server.drain = absl::Seconds(absl::GetFlag(FLAGS_drain_seconds));
  server.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  server.metrics_port_file = absl::GetFlag(FLAGS_metrics_port_file);
  server.health_listen = absl::GetFlag(FLAGS_health_listen);
  server.health_port_file = absl::GetFlag(FLAGS_health_port_file);
  const TlsConfig tls = ClientTlsFromFlags();
  server.insecure_plaintext = tls.insecure_plaintext;
  if (tls.insecure_plaintext) {
    if (!tls.cert_file.empty() || !absl::GetFlag(FLAGS_auth_config).empty()) {
      return absl::InvalidArgumentError(
          "--insecure_plaintext turns TLS and authentication off: leave out --tls_cert and "
          "--auth_config, or leave out --insecure_plaintext");
    }
    server.credentials = grpc::InsecureServerCredentials();
    return server;
  }
  if (tls.cert_file.empty() || tls.key_file.empty() || tls.ca_file.empty()) {
    return absl::InvalidArgumentError(
        "TLS needs --tls_cert, --tls_key and --tls_ca (or --insecure_plaintext, which turns "
        "TLS and authentication off)");
  }
  // Made here, once: a bad file or auth config stops the service before
  // any work (the scheduler reads its config, repo-service opens its clone).
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      MakeServerCredentials(tls);
  if (!credentials.ok()) return credentials.status();
  absl::StatusOr<std::shared_ptr<grpc::AuthMetadataProcessor>> auth = AuthFromFlags();
  if (!auth.ok()) return auth.status();
  (*credentials)->SetAuthMetadataProcessor(*std::move(auth));
  server.credentials = *std::move(credentials);
  return server;
}

void SetDefaultShutdownGrace(int seconds) { absl::SetFlag(&FLAGS_shutdown_grace_seconds, seconds); }

}  // namespace tracker
