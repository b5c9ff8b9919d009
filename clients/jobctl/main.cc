// jobctl: the admins' command line. It talks only to the services over gRPC
// (never to git), so every change goes through repo-service's checks.

#include <cstdlib>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "clients/jobctl/commands.h"
#include "clients/jobctl/connection.h"

namespace {

constexpr char kOverview[] = R"(usage: jobctl [OPTIONS] COMMAND [ARGS]

The admin tool of the transfer job tracker. Changes go to the main branch
through repo-service (after merging the scheduler's work into main) and
main is pushed afterwards; jobs in queued/ belong to the scheduler.

options (every command takes them):
  --repo_service=HOST:PORT  repo-service  (env JOBCTL_REPO_SERVICE, default 127.0.0.1:50051)
  --wes_poller=HOST:PORT    wes-poller    (env JOBCTL_WES_POLLER, default 127.0.0.1:50052)
  --scheduler=HOST:PORT     scheduler     (env JOBCTL_SCHEDULER, default 127.0.0.1:50054)
  --ca=FILE                 CA of the services' TLS certificates (env JOBCTL_CA; none:
                            plaintext, for services run with --insecure_plaintext)
  --cert=FILE --key=FILE    a client certificate and its key (env JOBCTL_CERT, JOBCTL_KEY)
  --token-file=FILE         a file holding a bearer token, OIDC or static (env JOBCTL_TOKEN_FILE)
  --timeout=SECONDS         deadline of each call (default 120)
  --help                    this text, or a command's with COMMAND --help

Every JOBCTL_* setting may also be written as JOBCTL_NAME=value lines in the
config file JOBCTL_CONFIG (default ~/.config/jobctl/config); an option wins
over the variable, the variable over the file.

exit codes: 0 done, 1 the server refused or failed (message on stderr),
2 usage error (bad arguments; nothing was asked of the servers)

commands:
)";

void PrintOverview(std::ostream& out) {
  out << kOverview;
  for (const auto& c : jobctl::Commands()) {
    out << "  " << c.name << std::string(c.name.size() < 20 ? 20 - c.name.size() : 1, ' ') << c.summary
        << "\n";
  }
  out << "\nrun 'jobctl COMMAND --help' for a command's options and examples\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> all(argv + 1, argv + argc);
  // Global options may come before the command.
  std::vector<std::string> leading;
  size_t i = 0;
  while (i < all.size() && all[i].rfind("--", 0) == 0 && all[i] != "--help") {
    leading.push_back(all[i]);
    // `--name value` form for the valued global options.
    std::string name = all[i].substr(2);
    if (name.find('=') == std::string::npos && jobctl::GlobalValuedOptions().count(name) &&
        i + 1 < all.size()) {
      leading.push_back(all[++i]);
    }
    ++i;
  }
  if (i >= all.size()) {
    PrintOverview(std::cerr);
    return jobctl::kUsageError;
  }
  const std::string name = all[i];
  if (name == "--help" || name == "-h" || name == "help") {
    if (name == "help" && i + 1 < all.size()) {
      for (const auto& c : jobctl::Commands()) {
        if (c.name == all[i + 1]) {
          std::cout << c.help << "\n";
          return jobctl::kOk;
        }
      }
    }
    PrintOverview(std::cout);
    return jobctl::kOk;
  }
  const jobctl::Command* command = nullptr;
  for (const auto& c : jobctl::Commands()) {
    if (c.name == name) command = &c;
  }
  if (command == nullptr) {
    std::cerr << "jobctl: unknown command \"" << name << "\"\n";
    PrintOverview(std::cerr);
    return jobctl::kUsageError;
  }

  std::vector<std::string> rest = leading;
  rest.insert(rest.end(), all.begin() + i + 1, all.end());
  std::set<std::string> valued = command->valued, flags = command->flags;
  valued.insert(jobctl::GlobalValuedOptions().begin(), jobctl::GlobalValuedOptions().end());
  flags.insert("help");
  jobctl::Args args;
  std::string error;
  if (!args.Parse(rest, valued, flags, &error)) return jobctl::UsageError(name, error);
  if (args.Has("help")) {
    std::cout << command->help << "\n";
    return jobctl::kOk;
  }
  const int n = static_cast<int>(args.positional().size());
  if (n < command->min_args || (command->max_args >= 0 && n > command->max_args)) {
    std::string want = command->min_args == command->max_args
                           ? absl::StrCat(command->min_args)
                           : command->max_args < 0
                                 ? absl::StrCat("at least ", command->min_args)
                                 : absl::StrCat(command->min_args, " to ", command->max_args);
    return jobctl::UsageError(name, absl::StrCat("takes ", want, " argument", want == "1" ? "" : "s",
                                                 ", got ", n));
  }

  absl::StatusOr<jobctl::Connection> connection = jobctl::ResolveConnection(args);
  if (!connection.ok()) return jobctl::UsageError(name, std::string(connection.status().message()));
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      jobctl::ConnectionCredentials(*connection);
  if (!credentials.ok()) return jobctl::UsageError(name, std::string(credentials.status().message()));
  jobctl::Services services;
  services.repo_address = connection->repo_address;
  services.wes_address = connection->wes_address;
  services.scheduler_address = connection->scheduler_address;
  services.credentials = *credentials;
  services.tls = !connection->tls.insecure_plaintext;
  if (args.Has("timeout")) {
    int64_t seconds;
    if (!jobctl::ParseInt(args.Get("timeout"), 1, 86400, &seconds)) {
      return jobctl::UsageError(name, "--timeout must be a whole number of seconds from 1 to 86400");
    }
    services.deadline_seconds = static_cast<int>(seconds);
  }
  services.Connect();
  jobctl::Ui ui;
  return command->run(name, services, ui, args);
}
