#ifndef CLIENTS_JOBCTL_CONNECTION_H_
#define CLIENTS_JOBCTL_CONNECTION_H_

// Where jobctl finds the services and how it proves who it is. Each setting
// comes from its option, else its JOBCTL_* variable, else the same name in
// the config file (JOBCTL_CONFIG, default ~/.config/jobctl/config: lines of
// JOBCTL_NAME=value, # comments), else its default:
//
//   --repo_service  JOBCTL_REPO_SERVICE  127.0.0.1:50051
//   --wes_poller    JOBCTL_WES_POLLER    127.0.0.1:50052
//   --scheduler     JOBCTL_SCHEDULER     127.0.0.1:50054
//   --ca            JOBCTL_CA            (none: plaintext, for --insecure_plaintext services)
//   --cert, --key   JOBCTL_CERT, JOBCTL_KEY   a client certificate (mutual TLS)
//   --token-file    JOBCTL_TOKEN_FILE    a file holding a bearer token (OIDC or static)
//   JOBCTL_ADMIN (who asks, without authentication) is read in the config file too.

#include <string>

#include "absl/status/statusor.h"
#include "clients/jobctl/cli.h"
#include "common/tls.h"

namespace jobctl {

struct Connection {
  std::string repo_address, scheduler_address, wes_address;
  tracker::TlsConfig tls;  // insecure_plaintext when no CA is set
  std::string token;       // read from the token file; never printed
};

// INVALID_ARGUMENT (a usage error) for a bad config file line, a
// certificate or token without a CA, or an unreadable token file.
absl::StatusOr<Connection> ResolveConnection(const Args& args);

// Credentials for `connection`: TLS (with the client certificate when set)
// and the bearer token on every call, or plaintext.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ConnectionCredentials(
    const Connection& connection);

}  // namespace jobctl

#endif  // CLIENTS_JOBCTL_CONNECTION_H_
