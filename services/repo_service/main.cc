// repo-service: owns every read and write of the tracking repository.
//
//   repo-service --listen=127.0.0.1:50051 --repo=/data/tracking.git \
//       --remote=git@github.com:org/tracking.git --ssh_key=/secrets/id_ed25519

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "common/config.h"
#include "common/log.h"
#include "common/server.h"
#include "common/server_flags.h"
#include "services/repo_service/repo_store.h"
#include "services/repo_service/service.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "HOST:PORT to serve gRPC on (port 0: any free port)");
ABSL_FLAG(std::string, repo, "", "path of the service's own clone (bare); cloned from --remote when missing");
ABSL_FLAG(std::string, remote, "", "the tracking repository: a path, file://, ssh:// or https:// URL (default: job_tracking_repo of --config)");
ABSL_FLAG(std::string, config, "", "optional scheduler YAML config; job_tracking_repo is used when --remote is not given");
ABSL_FLAG(std::string, ssh_key, "", "private key file for ssh remotes");
ABSL_FLAG(std::string, ssh_pubkey, "", "public key file for ssh remotes (optional)");
ABSL_FLAG(std::string, ssh_known_hosts, "", "OpenSSH known_hosts file; when set, an ssh remote whose host key is not in it is refused");
ABSL_FLAG(std::string, git_token_env, "GIT_TOKEN", "environment variable holding the https token (never passed as a flag)");
ABSL_FLAG(std::string, git_username, "git", "user name sent with the https token");
ABSL_FLAG(std::string, author_name, "Transfer Job Tracker", "default commit author name");
ABSL_FLAG(std::string, author_email, "tracker@localhost", "default commit author email");
ABSL_FLAG(bool, check, false, "validate flags and open the repository, then exit 0 without serving");

int main(int argc, char** argv) {
  tracker::PrepareServiceProcess();
  absl::SetProgramUsageMessage("Owns every read and write of the tracking git repository.");
  absl::ParseCommandLine(argc, argv);
  // Serving flags first: a missing certificate is found before any work.
  absl::StatusOr<tracker::ServerOptions> serving =
      tracker::ServerOptionsFromFlags(absl::GetFlag(FLAGS_listen));
  if (!serving.ok()) {
    std::cerr << "repo-service: " << serving.status().message() << "\n";
    return 2;
  }
  tracker::SetLogComponent("repo-service");

  tracker::repo::StoreOptions options;
  options.path = absl::GetFlag(FLAGS_repo);
  options.remote_url = absl::GetFlag(FLAGS_remote);
  if (options.path.empty()) {
    std::cerr << "repo-service: --repo is required (the path of the service's own clone)\n";
    return 2;
  }
  if (!absl::GetFlag(FLAGS_config).empty()) {
    auto config = tracker::LoadTrackerConfig(absl::GetFlag(FLAGS_config));
    if (!config.ok()) {
      std::cerr << "repo-service: " << config.status().message() << "\n";
      return 2;
    }
    if (options.remote_url.empty()) options.remote_url = config->job_tracking_repo;
  }
  options.ssh_private_key_path = absl::GetFlag(FLAGS_ssh_key);
  options.ssh_public_key_path = absl::GetFlag(FLAGS_ssh_pubkey);
  options.ssh_known_hosts_path = absl::GetFlag(FLAGS_ssh_known_hosts);
  // Credential files come from mounted Secrets: a missing one is a
  // deployment mistake to name now, not an authentication error later.
  for (const auto& [flag, path] : {std::pair<const char*, std::string>{"--ssh_key", options.ssh_private_key_path},
                                   {"--ssh_pubkey", options.ssh_public_key_path},
                                   {"--ssh_known_hosts", options.ssh_known_hosts_path}}) {
    if (!path.empty() && access(path.c_str(), R_OK) != 0) {
      std::cerr << "repo-service: " << flag << ": cannot read " << path << "\n";
      return 2;
    }
  }
  // Debian's libgit2 1.5.1 looks for ~/.ssh/known_hosts before any ssh
  // connection and fails every one when HOME is unset (as in some
  // containers). Host keys are checked against --ssh_known_hosts here; a
  // HOME without that file is what libgit2 needs to go on.
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') setenv("HOME", "/nonexistent", 1);
  options.https_username = absl::GetFlag(FLAGS_git_username);
  if (const char* token = std::getenv(absl::GetFlag(FLAGS_git_token_env).c_str())) {
    options.https_token = token;
  }
  options.author_name = absl::GetFlag(FLAGS_author_name);
  options.author_email = absl::GetFlag(FLAGS_author_email);

  auto store = tracker::repo::RepoStore::Open(options);
  if (!store.ok()) {
    tracker::LogError("open_failed").Kv("error", store.status().ToString());
    std::cerr << "repo-service: " << store.status().message() << "\n";
    return 1;
  }
  if (absl::GetFlag(FLAGS_check)) return 0;

  tracker::repo::RepoServiceImpl service(store->get());
  absl::Status served = tracker::ServeUntilSignal(
      *serving, {&service});
  if (!served.ok()) {
    std::cerr << "repo-service: " << served.message() << "\n";
    return 1;
  }
  return 0;
}
