#ifndef COMMON_TLS_H_
#define COMMON_TLS_H_

// Transport security of every gRPC port and channel, in one place: TLS from
// PEM files that are re-read while serving (a renewed certificate, as
// cert-manager writes it into a mounted Secret, is used without a restart),
// mutual TLS between the services, or plaintext when asked for explicitly.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tracker {

struct TlsConfig {
  // Plaintext, no authentication at all: only with --insecure_plaintext, for
  // a laptop or a test that is not about security.
  bool insecure_plaintext = false;
  std::string cert_file;  // PEM certificate chain: the server's, and the client's for mTLS
  std::string key_file;   // its PEM private key
  // PEM roots that peers' certificates must chain to: the server verifies
  // client certificates with it, a client the server's.
  std::string ca_file;
  // How often the files are checked for a new version.
  int reload_seconds = 30;
};

// The files exist, parse, the key matches the certificate, the certificate
// is valid now; a clear error naming the file otherwise. `need_identity`:
// the certificate and key are required (a server; a client using mTLS).
absl::Status CheckTlsFiles(const TlsConfig& config, bool need_identity);

// Credentials for a listening port: TLS with the certificate and key,
// client certificates requested and, when sent, verified against ca_file
// (admins may present a bearer token instead; authorization decides).
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsConfig& config);

// Credentials for a channel: the server is verified against ca_file and its
// name against the address's host; the certificate and key, when set, are
// presented to the server.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const TlsConfig& config);

// The one way the project opens a channel: 64 MiB answers, and calls spread
// over every address a name resolves to (a headless Service's replicas).
std::shared_ptr<grpc::Channel> OpenChannel(const std::string& address,
                                           std::shared_ptr<grpc::ChannelCredentials> credentials);

}  // namespace tracker

#endif  // COMMON_TLS_H_
