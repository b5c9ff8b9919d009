#ifndef COMMON_CONFIG_H_
#define COMMON_CONFIG_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace tracker {

// One compute environment (`compute_environments.<env>`).
struct ComputeEnvironment {
  std::string name;
  // GA4GH WES base, e.g. https://wes.x/api/v1. The original's config named
  // the runs endpoint itself (.../api/v1/runs); it is normalised to the
  // base at load.
  std::string wes_url;
  int max_parallel_runs = 0;
  std::string token_url;        // OAuth2 client-credentials endpoint
  std::string graphql_url;      // ARGO RDPC GraphQL; when set, status comes from it
  int excessive_failure_threshold = 0;  // 0 = rule off
  // Stop rules (SPEC.md section 3, step 4), each on or off here. The seed's:
  // every job started in the last two scheduling windows failed.
  bool two_window_rule = true;
  // The original's: excessive_failure_threshold failures since the last
  // push (only with a threshold > 0).
  bool excessive_failure_rule = true;
  // Pause between two starts on this environment (the original slept 5 s
  // after each successful start); 0 = none.
  int start_interval_seconds = 0;
  std::vector<std::string> nfs_root_paths;
  // Names of environment variables that hold the secrets (never the values).
  // `client_id_env: X` and the original's `ENV: {client_id: X}` are the same.
  std::string client_id_env;
  std::string client_secret_env;
  std::string token_env;        // a static bearer token instead of OAuth2
  // The SONG/SCORE token the transfer workflow uploads with; the original
  // added it to every run's workflow_params as `api_token`.
  std::string api_token_env;
};

struct WorkflowConfig {
  std::string url;
  std::string version;
  // Nextflow's offline mode for the run (the original sent it as a JSON
  // boolean in workflow_engine_params).
  bool offline = false;
};

// The scheduler's YAML, with the seed's keys (SPEC.md section 4).
struct TrackerConfig {
  std::string job_tracking_repo;
  double tracking_repo_push_interval_hours = 12;
  double scheduling_interval_minutes = 30;
  // Hours between status reports to Slack (0: only on demand).
  double report_interval_hours = 24;
  // A COMPLETE run whose analyses are not PUBLISHED this many minutes after
  // it was first seen complete raises a WARNING.
  double unverified_alert_after_minutes = 120;
  // An interrupted start whose run is not found yet is started again only
  // after this many minutes: ARGO's search shows a run only once its
  // indexer (workflow-relay) has seen an event of it.
  double reconcile_grace_minutes = 10;
  // Failed jobs checked in SONG per cycle (round robin); those whose
  // analyses are all PUBLISHED move to completed/. 0 = off.
  int verify_failed_jobs_per_cycle = 20;
  // A queued job whose run has stayed UNKNOWN this many minutes is
  // recorded as lost (one whose run the service does not know at all is
  // lost after reconcile_grace).
  double lost_run_after_minutes = 60;
  std::map<std::string, ComputeEnvironment> compute_environments;
  WorkflowConfig workflow;
  // Name of the environment variable holding the Slack incoming-webhook URL
  // (`web_hook_url_env: X` or the original's `ENV: {web_hook_url: X}`).
  std::string slack_web_hook_url_env;
};

// Parses and validates YAML text. The original scheduler's config file
// (scripts/scheduler.py's job-scheduler.conf) loads unchanged. Errors are INVALID_ARGUMENT and name the
// offending key, e.g. "compute_environments.rdpc_qa.max_parallel_runs: must
// be an integer >= 0, got 'two'". Unknown keys are errors too: a typo must
// not silently fall back to a default.
absl::StatusOr<TrackerConfig> ParseTrackerConfig(const std::string& yaml_text);

// Reads and parses a file; a missing file is NOT_FOUND naming the path.
absl::StatusOr<TrackerConfig> LoadTrackerConfig(const std::string& path);

}  // namespace tracker

#endif  // COMMON_CONFIG_H_
