// Debian's Prometheus server scraping the whole system on loopback: the
// series the README and the Grafana dashboard name exist, they move as the
// cycles say, and deploy/monitoring's alert for a stopped environment fires
// when the circuit breaker stops one.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/json.h"
#include "gtest/gtest.h"
#include "testing/cluster.h"

namespace tracker {
namespace {

using ::tracker::testing::ChildProcess;
using ::tracker::testing::Cluster;
using ::tracker::testing::ClusterOptions;
using ::tracker::testing::Runfile;
using ::tracker::testing::Shell;
using ::tracker::testing::ShellQuote;
using ::tracker::testing::TempDir;
using namespace tracker::v1;  // NOLINT: generated message names

constexpr const char* kPrometheus = "/usr/bin/prometheus";
const char* const kServices[] = {"repo-service", "wes-poller", "azure-verifier",
                                 "scheduler-service"};

// A port nothing listens on now: Prometheus cannot report the port it bound
// when given port 0.
int UnusedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

class PrometheusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(access(kPrometheus, X_OK), 0)
        << kPrometheus << " is missing: tools/install_deps.sh installs Debian's prometheus";
    ClusterOptions options;
    options.jobs = 10;
    options.metrics = true;
    // qa fails every run and stops after its first three; prod goes on.
    options.envs = {{"rdpc_qa", 3, false, 0, /*failure_rate=*/1.0}, {"rdpc_prod", 2, true}};
    cluster_ = std::make_unique<Cluster>(tmp_.path(), options);
    std::string error;
    ASSERT_TRUE(cluster_->Start(&error)) << error;
    StartPrometheus();
  }

  // Scrapes every second and evaluates deploy/monitoring's rules every
  // second, as the plain rule file tools/prometheus_rules.py writes.
  void StartPrometheus() {
    const std::string rules = tmp_.path() + "/tracker-rules.yml";
    auto made = Shell(absl::StrCat(
        "python3 ", ShellQuote(Runfile("tools/prometheus_rules.py")), " ",
        ShellQuote(Runfile("deploy/monitoring/prometheus-rule.yaml")), " > ", ShellQuote(rules)));
    ASSERT_EQ(made.exit_code, 0) << made.output;
    std::string config = absl::StrCat(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        "rule_files: [", rules, "]\nscrape_configs:\n");
    for (const char* service : kServices) {
      absl::StrAppend(&config, "  - job_name: ", service,
                      "\n    static_configs:\n      - targets: ['127.0.0.1:",
                      cluster_->metrics_port(service), "']\n        labels: {service: ", service,
                      "}\n");
    }
    std::ofstream(tmp_.path() + "/prometheus.yml") << config;
    port_ = UnusedPort();
    prometheus_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{kPrometheus, "--config.file=" + tmp_.path() + "/prometheus.yml",
                                 "--storage.tsdb.path=" + tmp_.path() + "/tsdb",
                                 absl::StrCat("--web.listen-address=127.0.0.1:", port_)},
        tmp_.path() + "/prometheus.log");
    for (int i = 0; i < 300; ++i) {
      if (Shell(absl::StrCat("curl -sf http://127.0.0.1:", port_, "/-/ready")).exit_code == 0) {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "prometheus not ready:\n" << Shell("tail -20 " + tmp_.path() + "/prometheus.log").output;
  }

  // The `data.result` of an instant query; fails the test on an error.
  std::vector<google::protobuf::Struct> Query(const std::string& expr) {
    auto r = Shell(absl::StrCat("curl -sf -G http://127.0.0.1:", port_,
                                "/api/v1/query --data-urlencode ", ShellQuote("query=" + expr)));
    std::vector<google::protobuf::Struct> out;
    auto parsed = ParseJsonObject(r.output, "prometheus answer");
    EXPECT_TRUE(r.exit_code == 0 && parsed.ok()) << expr << ": " << r.output;
    if (!parsed.ok()) return out;
    EXPECT_EQ(StringField(*parsed, "status"), "success") << expr << ": " << r.output;
    auto data = parsed->fields().find("data");
    if (data == parsed->fields().end()) return out;
    for (const auto& v : data->second.struct_value().fields().at("result").list_value().values()) {
      out.push_back(v.struct_value());
    }
    return out;
  }

  // The value of a query that answers one number (-1 when it answers none).
  double Scalar(const std::string& expr) {
    auto result = Query(expr);
    if (result.size() != 1) return -1;
    const auto& value = result[0].fields().at("value").list_value().values();
    return std::stod(value[1].string_value());
  }

  // Waits (scrapes are one second apart) until `expr` equals `want`.
  double WaitFor(const std::string& expr, double want) {
    double got = -1;
    for (int i = 0; i < 100 && (got = Scalar(expr)) != want; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return got;
  }

  std::set<std::string> FiringStopped() {
    std::set<std::string> envs;
    for (const auto& s : Query(R"(ALERTS{alertname="TrackerEnvironmentStopped",alertstate="firing"})")) {
      envs.insert(StringField(s.fields().at("metric").struct_value(), "environment"));
    }
    return envs;
  }

  TempDir tmp_;
  std::unique_ptr<Cluster> cluster_;
  std::unique_ptr<ChildProcess> prometheus_;
  int port_ = 0;
};

TEST_F(PrometheusTest, SeriesFollowTheCyclesAndTheStoppedAlertFires) {
  for (const char* service : kServices) {
    EXPECT_EQ(WaitFor(absl::StrCat("up{service=\"", service, "\"}"), 1), 1) << service;
  }
  const int jobs = cluster_->backlog_jobs();
  int completions = 0, failures = 0, starts = 0;
  bool stopped_seen_clear = false;
  for (int cycle = 0; cycle < 60; ++cycle) {
    RunCycleResponse r;
    ASSERT_TRUE(cluster_->Cycle(&r).ok());
    for (const auto& env : r.environments()) {
      completions += env.completed();
      failures += env.failed();
      for (const auto& a : env.actions()) starts += a.action() == CYCLE_ACTION_STARTED;
    }
    // Each cycle's counts reach Prometheus at the next scrape.
    ASSERT_EQ(WaitFor(R"(sum(tracker_scheduler_job_actions_total{action="completed"}) or vector(0))",
                      completions),
              completions);
    ASSERT_EQ(WaitFor(R"(sum(tracker_jobs{state="completed"}) or vector(0))",
                      cluster_->Count(JOB_STATE_COMPLETED)),
              cluster_->Count(JOB_STATE_COMPLETED));
    if (failures < 3 && FiringStopped().empty()) stopped_seen_clear = true;
    if (cluster_->Count(JOB_STATE_BACKLOG) + cluster_->Count(JOB_STATE_QUEUED) == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }
  EXPECT_EQ(completions + failures, jobs);
  EXPECT_EQ(failures, 3);
  EXPECT_EQ(WaitFor("sum(tracker_scheduler_run_failures_total)", failures), failures);
  EXPECT_EQ(WaitFor(R"(sum(tracker_scheduler_job_actions_total{action="started"}))", starts), starts);
  // Every job of the repository (the excerpt's history holds more than the
  // ones put in backlog).
  const int total = cluster_->Report().total_jobs();
  EXPECT_EQ(WaitFor("sum(tracker_jobs)", total), total);
  EXPECT_GT(Scalar(R"(sum(tracker_job_bytes{state="completed"}))"), 0);
  EXPECT_EQ(WaitFor(R"(tracker_scheduler_environment_stopped{environment="rdpc_qa"})", 1), 1);
  EXPECT_EQ(Scalar(R"(tracker_scheduler_environment_stopped{environment="rdpc_prod"})"), 0);

  // The alert: clear before the breaker tripped, firing for qa only after.
  EXPECT_TRUE(stopped_seen_clear);
  std::set<std::string> firing;
  for (int i = 0; i < 50 && (firing = FiringStopped()).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(firing, std::set<std::string>{"rdpc_qa"});
}

// Every expression of the Grafana dashboard is valid PromQL and every series
// it names exists in the live system.
TEST_F(PrometheusTest, TheDashboardQueriesOnlySeriesThatExist) {
  RunCycleResponse r;
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(cluster_->Cycle(&r).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  std::ifstream in(Runfile("deploy/monitoring/grafana-dashboard.json"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto dashboard = ParseJsonObject(text, "grafana-dashboard.json");
  ASSERT_TRUE(dashboard.ok()) << dashboard.status();
  std::vector<std::string> exprs;
  for (const auto& panel : dashboard->fields().at("panels").list_value().values()) {
    for (const auto& target : panel.struct_value().fields().at("targets").list_value().values()) {
      exprs.push_back(StringField(target.struct_value(), "expr"));
    }
  }
  ASSERT_GE(exprs.size(), 10u);
  const std::regex metric(R"(\b(tracker_[a-z_]+|up)\b)");
  std::set<std::string> names;
  for (const std::string& expr : exprs) {
    Query(expr);  // fails the test unless Prometheus answers success
    for (std::sregex_iterator it(expr.begin(), expr.end(), metric), end; it != end; ++it) {
      names.insert((*it)[1]);
    }
  }
  for (const std::string& name : names) {
    EXPECT_GT(WaitFor(absl::StrCat("count({__name__=\"", name, "\"}) > bool 0"), 1), 0)
        << "the dashboard queries " << name << ", which no service exposes";
  }
}

}  // namespace
}  // namespace tracker
