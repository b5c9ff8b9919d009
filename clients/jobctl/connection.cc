#include "clients/jobctl/connection.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/file_util.h"

namespace jobctl {
namespace {

const char* const kConfigKeys[] = {"JOBCTL_REPO_SERVICE", "JOBCTL_WES_POLLER", "JOBCTL_SCHEDULER",
                                   "JOBCTL_CA",           "JOBCTL_CERT",       "JOBCTL_KEY",
                                   "JOBCTL_TOKEN_FILE",   "JOBCTL_ADMIN"};

std::string ConfigPath() {
  const char* set = std::getenv("JOBCTL_CONFIG");
  if (set != nullptr && *set != '\0') return set;
  const char* home = std::getenv("HOME");
  return home == nullptr ? "" : absl::StrCat(home, "/.config/jobctl/config");
}

// The config file's settings; an absent default file is no error, an
// explicitly named one must exist.
absl::StatusOr<std::map<std::string, std::string>> ReadConfig() {
  std::map<std::string, std::string> out;
  const std::string path = ConfigPath();
  if (path.empty()) return out;
  absl::StatusOr<std::string> text = tracker::ReadFile(path);
  if (!text.ok()) {
    if (absl::IsNotFound(text.status()) && std::getenv("JOBCTL_CONFIG") == nullptr) return out;
    return absl::InvalidArgumentError(absl::StrCat("config file: ", text.status().message()));
  }
  int number = 0;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    std::string key(absl::StripAsciiWhitespace(line.substr(0, eq)));
    const bool known = std::find(std::begin(kConfigKeys), std::end(kConfigKeys), key) !=
                       std::end(kConfigKeys);
    if (eq == absl::string_view::npos || !known) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", number, ": not JOBCTL_NAME=value with a known name (",
                       absl::StrJoin(kConfigKeys, ", "), ")"));
    }
    std::string value(absl::StripAsciiWhitespace(line.substr(eq + 1)));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    out[key] = value;
  }
  return out;
}

}  // namespace

absl::StatusOr<Connection> ResolveConnection(const Args& args) {
  absl::StatusOr<std::map<std::string, std::string>> file = ReadConfig();
  if (!file.ok()) return file.status();
  auto setting = [&](const char* option, const char* variable, const std::string& fallback) {
    if (args.Has(option)) return args.Get(option);
    const char* env = std::getenv(variable);
    if (env != nullptr && *env != '\0') return std::string(env);
    auto it = file->find(variable);
    return it != file->end() && !it->second.empty() ? it->second : fallback;
  };
  Connection c;
  c.repo_address = setting("repo_service", "JOBCTL_REPO_SERVICE", "127.0.0.1:50051");
  c.wes_address = setting("wes_poller", "JOBCTL_WES_POLLER", "127.0.0.1:50052");
  c.scheduler_address = setting("scheduler", "JOBCTL_SCHEDULER", "127.0.0.1:50054");
  c.tls.ca_file = setting("ca", "JOBCTL_CA", "");
  c.tls.cert_file = setting("cert", "JOBCTL_CERT", "");
  c.tls.key_file = setting("key", "JOBCTL_KEY", "");
  const std::string token_file = setting("token-file", "JOBCTL_TOKEN_FILE", "");
  // JOBCTL_ADMIN may live in the config file; commands read the variable.
  if (auto it = file->find("JOBCTL_ADMIN"); it != file->end() && std::getenv("JOBCTL_ADMIN") == nullptr) {
    setenv("JOBCTL_ADMIN", it->second.c_str(), 0);
  }
  if (c.tls.cert_file.empty() != c.tls.key_file.empty()) {
    return absl::InvalidArgumentError("--cert and --key go together");
  }
  c.tls.insecure_plaintext = c.tls.ca_file.empty();
  if (c.tls.insecure_plaintext && (!c.tls.cert_file.empty() || !token_file.empty())) {
    // A token is never sent over plaintext.
    return absl::InvalidArgumentError(
        "a client certificate or token needs TLS: give --ca (or JOBCTL_CA) with the CA the "
        "services' certificates chain to");
  }
  if (!token_file.empty()) {
    absl::StatusOr<std::string> token = tracker::ReadFile(token_file);
    if (!token.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot read the token file: ", token.status().message()));
    }
    c.token = std::string(absl::StripAsciiWhitespace(*token));
    if (c.token.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("the token file ", token_file, " is empty"));
    }
  }
  return c;
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ConnectionCredentials(
    const Connection& connection) {
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> channel =
      tracker::MakeChannelCredentials(connection.tls);
  if (!channel.ok()) return channel.status();
  if (connection.token.empty()) return channel;
  return grpc::CompositeChannelCredentials(*channel,
                                           grpc::AccessTokenCredentials(connection.token));
}

}  // namespace jobctl
