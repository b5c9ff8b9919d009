// scheduler-service: runs the scheduling cycle for every compute environment
// every scheduling_interval minutes and on demand, over repo-service,
// wes-poller and azure-verifier.
//
//   scheduler-service --config=/etc/tracker/config.yaml --studies=PACA-CA,OCCAMS-GB \
//       --repo_service=repo-service:50051 --wes_poller=wes-poller:50052 \
//       --azure_verifier=azure-verifier:50053

#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "common/config.h"
#include "common/curl_http_client.h"
#include "common/log.h"
#include "common/server.h"
#include "common/server_flags.h"
#include "common/tls.h"
#include "services/scheduler/cycle_metrics.h"
#include "services/scheduler/scheduler.h"
#include "services/scheduler/service.h"
#include "tracking/ids.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50054", "HOST:PORT to serve gRPC on (port 0: any free port)");
ABSL_FLAG(std::string, config, "", "the YAML config (the seed's keys); required");
ABSL_FLAG(std::string, studies, "",
          "studies to take first, in this order (comma-separated); every other study follows "
          "by id (the original's -s)");
ABSL_FLAG(std::string, only_studies, "",
          "schedule only these studies (comma-separated; default: every study)");
ABSL_FLAG(std::string, exclude, "", "studies never to schedule (comma-separated; the original's -x)");
ABSL_FLAG(std::string, repo_service, "127.0.0.1:50051", "address of repo-service");
ABSL_FLAG(std::string, wes_poller, "127.0.0.1:50052", "address of wes-poller");
ABSL_FLAG(std::string, azure_verifier, "127.0.0.1:50053", "address of azure-verifier");
ABSL_FLAG(int, rpc_deadline_seconds, 120, "deadline of each call to the other services");
ABSL_FLAG(int, start_concurrency, tracker::scheduler::SchedulerOptions().start_concurrency,
          "jobs read and StartRun calls in flight per environment");
ABSL_FLAG(int, verify_concurrency, tracker::scheduler::SchedulerOptions().verify_concurrency,
          "COMPLETE jobs verified in the destination SONG at once");
ABSL_FLAG(bool, timer, true, "run cycles every scheduling_interval (false: only on demand)");
ABSL_FLAG(bool, check, false, "validate flags and config, then exit 0 without serving");

namespace {

int ConfigError(const std::string& message) {
  std::cerr << "scheduler-service: " << message << "\n";
  return 2;
}

std::vector<std::string> List(const std::string& csv) {
  std::vector<std::string> out;
  for (absl::string_view s : absl::StrSplit(csv, ',', absl::SkipWhitespace())) {
    out.emplace_back(absl::StripAsciiWhitespace(s));
  }
  return out;
}

// Set once at SIGTERM; the timer waits on it between cycles, so that it
// stops at once instead of after a whole scheduling interval.
class StopSignal {
 public:
  void Stop() {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  // Waits at most `timeout`; true when stopping.
  bool WaitFor(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&stopping_), timeout);
  }

 private:
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

int main(int argc, char** argv) {
  tracker::PrepareServiceProcess();
  absl::SetProgramUsageMessage(
      "Runs the scheduling cycle for every compute environment over repo-service, wes-poller "
      "and azure-verifier.");
  // A cycle in flight may need a minute to finish its writes.
  tracker::SetDefaultShutdownGrace(60);
  absl::ParseCommandLine(argc, argv);
  // Serving flags first: a missing certificate is found before any work.
  absl::StatusOr<tracker::ServerOptions> serving =
      tracker::ServerOptionsFromFlags(absl::GetFlag(FLAGS_listen));
  if (!serving.ok()) {
    std::cerr << "scheduler-service: " << serving.status().message() << "\n";
    return 2;
  }
  tracker::SetLogComponent("scheduler-service");

  if (absl::GetFlag(FLAGS_config).empty()) return ConfigError("--config is required");
  auto config = tracker::LoadTrackerConfig(absl::GetFlag(FLAGS_config));
  if (!config.ok()) return ConfigError(std::string(config.status().message()));
  if (config->compute_environments.empty()) {
    return ConfigError("compute_environments: at least one environment is required");
  }
  for (const auto& [name, env] : config->compute_environments) {
    if (env.max_parallel_runs < 0) {
      return ConfigError("compute_environments." + name + ".max_parallel_runs: must be >= 0");
    }
  }
  if (config->workflow.url.empty()) return ConfigError("workflow.url: required to start runs");
  tracker::scheduler::SchedulerOptions options;
  options.studies = List(absl::GetFlag(FLAGS_studies));
  options.only_studies = List(absl::GetFlag(FLAGS_only_studies));
  for (const auto& s : List(absl::GetFlag(FLAGS_exclude))) options.exclude.insert(s);
  // A study id the repository would refuse is a typo that would silently
  // schedule nothing.
  for (const auto& [flag, ids] :
       {std::pair<const char*, std::vector<std::string>>{"--studies", options.studies},
        {"--only_studies", options.only_studies},
        {"--exclude", {options.exclude.begin(), options.exclude.end()}}}) {
    for (const auto& s : ids) {
      absl::Status valid = tracker::tracking::ValidateStudyId(s);
      if (!valid.ok()) return ConfigError(absl::StrCat(flag, ": ", valid.message()));
    }
  }
  options.start_concurrency = absl::GetFlag(FLAGS_start_concurrency);
  options.verify_concurrency = absl::GetFlag(FLAGS_verify_concurrency);
  if (options.start_concurrency < 1 || options.verify_concurrency < 1) {
    return ConfigError("--start_concurrency and --verify_concurrency: must be >= 1");
  }
  options.rpc.deadline = absl::Seconds(absl::GetFlag(FLAGS_rpc_deadline_seconds));
  options.upstream.deadline = options.rpc.deadline;

  std::unique_ptr<tracker::scheduler::Notifier> notifier;
  if (!config->slack_web_hook_url_env.empty()) {
    const char* url = std::getenv(config->slack_web_hook_url_env.c_str());
    if (url == nullptr || *url == '\0') {
      return ConfigError("slack_notification.web_hook_url_env: environment variable " +
                         config->slack_web_hook_url_env + " is not set");
    }
    notifier = std::make_unique<tracker::scheduler::SlackNotifier>(
        std::make_shared<tracker::CurlHttpClient>(), url);
  } else {
    notifier = std::make_unique<tracker::scheduler::LogOnlyNotifier>();
  }
  if (absl::GetFlag(FLAGS_check)) return 0;
  tracker::scheduler::RecordIntervals(
      absl::Minutes(config->scheduling_interval_minutes),
      absl::Hours(config->tracking_repo_push_interval_hours));

  // The other services know the scheduler by its certificate (mutual TLS).
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      tracker::MakeChannelCredentials(tracker::ClientTlsFromFlags());
  if (!credentials.ok()) return ConfigError(std::string(credentials.status().message()));
  auto channel = [&](const std::string& addr) {
    return tracker::OpenChannel(addr, *credentials);
  };
  auto repo = tracker::v1::RepoService::NewStub(channel(absl::GetFlag(FLAGS_repo_service)));
  auto wes = tracker::v1::WesPoller::NewStub(channel(absl::GetFlag(FLAGS_wes_poller)));
  auto verifier =
      tracker::v1::AzureVerifier::NewStub(channel(absl::GetFlag(FLAGS_azure_verifier)));
  tracker::scheduler::Scheduler scheduler(*config, options, repo.get(), wes.get(), verifier.get(),
                                          notifier.get());

  // The timer: a cycle every scheduling_interval, a report every
  // report_interval; both stop at SIGTERM (an in-flight cycle finishes).
  StopSignal stop;
  std::thread timer;
  if (absl::GetFlag(FLAGS_timer)) {
    timer = std::thread([&] {
      absl::Time next_report = absl::Now() + absl::Hours(config->report_interval_hours);
      for (;;) {
        auto cycle = scheduler.RunCycle("", false);
        if (!cycle.ok()) tracker::LogError("cycle_failed").Kv("error", cycle.status().ToString());
        if (config->report_interval_hours > 0 && absl::Now() >= next_report) {
          (void)scheduler.SendReport(false);
          next_report = absl::Now() + absl::Hours(config->report_interval_hours);
        }
        if (stop.WaitFor(scheduler.interval())) return;
      }
    });
  }
  tracker::scheduler::SchedulerServiceImpl service(&scheduler);
  absl::Status served = tracker::ServeUntilSignal(
      *serving, {&service}, [&] {
        stop.Stop();
        scheduler.Stop();
      });
  if (timer.joinable()) timer.join();
  if (!served.ok()) {
    std::cerr << "scheduler-service: " << served.message() << "\n";
    return 1;
  }
  return 0;
}
