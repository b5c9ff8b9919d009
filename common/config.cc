#include "common/config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace tracker {
namespace {

absl::Status KeyError(const std::string& key, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(key, ": ", what));
}

std::string Describe(const YAML::Node& node) {
  if (node.IsScalar()) return absl::StrCat("'", node.Scalar(), "'");
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return "nothing";
}

absl::Status CheckKeys(const YAML::Node& map, const std::string& where,
                       const std::set<std::string>& allowed) {
  for (const auto& kv : map) {
    std::string key = kv.first.as<std::string>();
    if (allowed.count(key) == 0) {
      return KeyError(where.empty() ? key : absl::StrCat(where, ".", key),
                      absl::StrCat("unknown key (allowed: ",
                                   absl::StrJoin(allowed, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> GetString(const YAML::Node& node,
                                      const std::string& key, bool required) {
  if (!node || node.IsNull()) {
    if (required) return KeyError(key, "is required");
    return std::string();
  }
  if (!node.IsScalar()) {
    return KeyError(key, absl::StrCat("must be a string, got ", Describe(node)));
  }
  return node.Scalar();
}

absl::StatusOr<double> GetNumber(const YAML::Node& node, const std::string& key,
                                 double fallback, double min) {
  if (!node || node.IsNull()) return fallback;
  double value = 0;
  if (!node.IsScalar() || !YAML::convert<double>::decode(node, value)) {
    return KeyError(key, absl::StrCat("must be a number, got ", Describe(node)));
  }
  if (!(value >= min)) {
    return KeyError(key, absl::StrCat("must be >= ", min, ", got ", value));
  }
  return value;
}

absl::StatusOr<int> GetInt(const YAML::Node& node, const std::string& key,
                           int fallback, int min) {
  if (!node || node.IsNull()) return fallback;
  int value = 0;
  if (!node.IsScalar() || !YAML::convert<int>::decode(node, value) ||
      value < min) {
    return KeyError(key, absl::StrCat("must be an integer >= ", min, ", got ",
                                      Describe(node)));
  }
  return value;
}

absl::StatusOr<bool> GetBool(const YAML::Node& node, const std::string& key, bool fallback) {
  if (!node || node.IsNull()) return fallback;
  bool value = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
    return KeyError(key, absl::StrCat("must be true or false, got ", Describe(node)));
  }
  return value;
}

bool LooksLikeUrl(const std::string& s) {
  return absl::StartsWith(s, "http://") || absl::StartsWith(s, "https://");
}

struct EnvName {
  const char* original_key;  // under the original's `ENV:` mapping
  const char* key;           // ours, `<name>_env`
  std::string* field;
};

// Variable names given either as `<name>_env: VAR` or, as the original's
// config does, as `ENV: {<name>: VAR}`. Both may be given only if they agree.
absl::Status ParseEnvNames(const YAML::Node& node, const std::string& where,
                           const std::vector<EnvName>& names) {
  auto k = [&](absl::string_view key) { return absl::StrCat(where, ".", key); };
  for (const EnvName& n : names) {
    auto value = GetString(node[n.key], k(n.key), false);
    if (!value.ok()) return value.status();
    *n.field = *value;
  }
  const YAML::Node env = node["ENV"];
  if (!env || env.IsNull()) return absl::OkStatus();
  if (!env.IsMap()) return KeyError(k("ENV"), "must map names to environment variables");
  std::set<std::string> allowed;
  for (const EnvName& n : names) allowed.insert(n.original_key);
  if (absl::Status s = CheckKeys(env, k("ENV"), allowed); !s.ok()) return s;
  for (const EnvName& n : names) {
    const std::string key = k(absl::StrCat("ENV.", n.original_key));
    auto value = GetString(env[n.original_key], key, false);
    if (!value.ok()) return value.status();
    if (value->empty()) continue;
    if (!n.field->empty() && *n.field != *value) {
      return KeyError(key, absl::StrCat("names ", *value, " but ", k(n.key), " names ",
                                        *n.field, "; give one"));
    }
    *n.field = *value;
  }
  return absl::OkStatus();
}

// The WES base URL: the original's config named the runs endpoint itself.
std::string WesBase(absl::string_view url) {
  url = absl::StripSuffix(url, "/");
  url = absl::StripSuffix(url, "/runs");
  return std::string(absl::StripSuffix(url, "/"));
}

absl::StatusOr<ComputeEnvironment> ParseEnvironment(const std::string& name,
                                                    const YAML::Node& node) {
  const std::string where = absl::StrCat("compute_environments.", name);
  if (!node.IsMap()) {
    return KeyError(where, absl::StrCat("must be a mapping, got ", Describe(node)));
  }
  absl::Status keys = CheckKeys(
      node, where,
      {"wes_url", "max_parallel_runs", "token_url", "graphql_url",
       "excessive_failure_threshold", "nfs_root_paths", "client_id_env",
       "client_secret_env", "token_env", "api_token_env", "ENV", "two_window_rule",
       "excessive_failure_rule", "start_interval_seconds"});
  if (!keys.ok()) return keys;

  ComputeEnvironment env;
  env.name = name;
  auto k = [&](const char* key) { return absl::StrCat(where, ".", key); };
  auto wes = GetString(node["wes_url"], k("wes_url"), true);
  if (!wes.ok()) return wes.status();
  if (!LooksLikeUrl(*wes)) {
    return KeyError(k("wes_url"), absl::StrCat("must be an http(s) URL, got '",
                                               *wes, "'"));
  }
  env.wes_url = WesBase(*wes);
  auto max_runs = GetInt(node["max_parallel_runs"], k("max_parallel_runs"), -1, 0);
  if (!max_runs.ok()) return max_runs.status();
  if (*max_runs < 0) return KeyError(k("max_parallel_runs"), "is required");
  env.max_parallel_runs = *max_runs;
  for (auto [key, field] : {std::pair<const char*, std::string*>{"token_url", &env.token_url},
                            {"graphql_url", &env.graphql_url}}) {
    auto value = GetString(node[key], k(key), false);
    if (!value.ok()) return value.status();
    if (!value->empty() && !LooksLikeUrl(*value)) {
      return KeyError(k(key), absl::StrCat("must be an http(s) URL, got '",
                                           *value, "'"));
    }
    *field = *value;
  }
  absl::Status names = ParseEnvNames(node, where,
                                     {{"client_id", "client_id_env", &env.client_id_env},
                                      {"client_secret", "client_secret_env", &env.client_secret_env},
                                      {"token", "token_env", &env.token_env},
                                      {"api_token", "api_token_env", &env.api_token_env}});
  if (!names.ok()) return names;
  auto threshold = GetInt(node["excessive_failure_threshold"],
                          k("excessive_failure_threshold"), 0, 0);
  if (!threshold.ok()) return threshold.status();
  env.excessive_failure_threshold = *threshold;
  for (auto [key, field] : {std::pair<const char*, bool*>{"two_window_rule", &env.two_window_rule},
                            {"excessive_failure_rule", &env.excessive_failure_rule}}) {
    auto on = GetBool(node[key], k(key), *field);
    if (!on.ok()) return on.status();
    *field = *on;
  }
  // A day at most: a larger pause is a typo that would hold a cycle for days.
  auto pause = GetInt(node["start_interval_seconds"], k("start_interval_seconds"), 0, 0);
  if (!pause.ok()) return pause.status();
  if (*pause > 86400) {
    return KeyError(k("start_interval_seconds"), absl::StrCat("must be <= 86400, got ", *pause));
  }
  env.start_interval_seconds = *pause;
  const YAML::Node paths = node["nfs_root_paths"];
  if (paths && !paths.IsNull()) {
    if (paths.IsScalar()) {
      env.nfs_root_paths.push_back(paths.Scalar());
    } else if (paths.IsSequence()) {
      for (const auto& p : paths) {
        if (!p.IsScalar()) return KeyError(k("nfs_root_paths"), "must be a list of paths");
        env.nfs_root_paths.push_back(p.Scalar());
      }
    } else if (paths.IsMap()) {
      // The real deployment keyed them by role (launch_dir, work_dir, ...).
      for (const auto& kv : paths) {
        if (!kv.second.IsScalar()) {
          return KeyError(k("nfs_root_paths"), "must map names to paths");
        }
        env.nfs_root_paths.push_back(
            absl::StrCat(kv.first.as<std::string>(), "=", kv.second.Scalar()));
      }
    }
  }
  if (!env.token_url.empty() &&
      (env.client_id_env.empty() || env.client_secret_env.empty())) {
    return KeyError(k("token_url"),
                    "needs client_id_env and client_secret_env (or ENV: {client_id, "
                    "client_secret}: names of the environment variables that hold the "
                    "credentials)");
  }
  return env;
}

}  // namespace

absl::StatusOr<TrackerConfig> ParseTrackerConfig(const std::string& yaml_text) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("config is not valid YAML: line ", e.mark.line + 1,
                     ", column ", e.mark.column + 1, ": ", e.msg));
  }
  if (!root.IsMap()) {
    return absl::InvalidArgumentError("config must be a YAML mapping of keys");
  }
  absl::Status keys = CheckKeys(
      root, "",
      {"job_tracking_repo", "tracking_repo_push_interval", "scheduling_interval",
       "compute_environments", "workflow", "slack_notification", "report_interval",
       "unverified_alert_after", "reconcile_grace", "verify_failed_jobs_per_cycle",
       "lost_run_after"});
  if (!keys.ok()) return keys;

  TrackerConfig config;
  auto repo = GetString(root["job_tracking_repo"], "job_tracking_repo", false);
  if (!repo.ok()) return repo.status();
  config.job_tracking_repo = *repo;
  auto push = GetNumber(root["tracking_repo_push_interval"],
                        "tracking_repo_push_interval", 12, 0);
  if (!push.ok()) return push.status();
  config.tracking_repo_push_interval_hours = *push;
  auto interval =
      GetNumber(root["scheduling_interval"], "scheduling_interval", 30, 0.01);
  if (!interval.ok()) return interval.status();
  config.scheduling_interval_minutes = *interval;
  auto report = GetNumber(root["report_interval"], "report_interval", 24, 0);
  if (!report.ok()) return report.status();
  config.report_interval_hours = *report;
  auto unverified =
      GetNumber(root["unverified_alert_after"], "unverified_alert_after", 120, 0);
  if (!unverified.ok()) return unverified.status();
  config.unverified_alert_after_minutes = *unverified;
  auto grace = GetNumber(root["reconcile_grace"], "reconcile_grace", 10, 0);
  if (!grace.ok()) return grace.status();
  config.reconcile_grace_minutes = *grace;
  auto per_cycle = GetInt(root["verify_failed_jobs_per_cycle"], "verify_failed_jobs_per_cycle",
                         config.verify_failed_jobs_per_cycle, 0);
  if (!per_cycle.ok()) return per_cycle.status();
  config.verify_failed_jobs_per_cycle = *per_cycle;
  auto lost = GetNumber(root["lost_run_after"], "lost_run_after", config.lost_run_after_minutes, 1);
  if (!lost.ok()) return lost.status();
  config.lost_run_after_minutes = *lost;

  const YAML::Node envs = root["compute_environments"];
  if (envs && !envs.IsNull()) {
    if (!envs.IsMap()) {
      return KeyError("compute_environments",
                      absl::StrCat("must be a mapping of environment names, got ",
                                   Describe(envs)));
    }
    for (const auto& kv : envs) {
      std::string name = kv.first.as<std::string>();
      auto env = ParseEnvironment(name, kv.second);
      if (!env.ok()) return env.status();
      config.compute_environments[name] = *std::move(env);
    }
  }

  const YAML::Node workflow = root["workflow"];
  if (workflow && !workflow.IsNull()) {
    if (!workflow.IsMap()) return KeyError("workflow", "must be a mapping");
    absl::Status wk = CheckKeys(workflow, "workflow", {"url", "version", "offline"});
    if (!wk.ok()) return wk;
    auto url = GetString(workflow["url"], "workflow.url", true);
    if (!url.ok()) return url.status();
    auto version = GetString(workflow["version"], "workflow.version", false);
    if (!version.ok()) return version.status();
    config.workflow = {*url, *version, false};
    const YAML::Node offline = workflow["offline"];
    if (offline && !offline.IsNull() &&
        (!offline.IsScalar() || !YAML::convert<bool>::decode(offline, config.workflow.offline))) {
      return KeyError("workflow.offline", absl::StrCat("must be true or false, got ",
                                                       Describe(offline)));
    }
  }

  const YAML::Node slack = root["slack_notification"];
  if (slack && !slack.IsNull()) {
    if (!slack.IsMap()) return KeyError("slack_notification", "must be a mapping");
    absl::Status sk = CheckKeys(slack, "slack_notification",
                                {"web_hook_url", "web_hook_url_env", "ENV"});
    if (!sk.ok()) return sk;
    if (slack["web_hook_url"]) {
      return KeyError("slack_notification.web_hook_url",
                      "a webhook URL is a secret: put it in an environment "
                      "variable and name that variable in "
                      "slack_notification.web_hook_url_env");
    }
    absl::Status names = ParseEnvNames(
        slack, "slack_notification",
        {{"web_hook_url", "web_hook_url_env", &config.slack_web_hook_url_env}});
    if (!names.ok()) return names;
    if (config.slack_web_hook_url_env.empty()) {
      return KeyError("slack_notification.web_hook_url_env", "is required");
    }
  }
  return config;
}

absl::StatusOr<TrackerConfig> LoadTrackerConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<TrackerConfig> config = ParseTrackerConfig(text.str());
  if (!config.ok()) {
    return absl::Status(config.status().code(),
                        absl::StrCat(path, ": ", config.status().message()));
  }
  return config;
}

}  // namespace tracker
