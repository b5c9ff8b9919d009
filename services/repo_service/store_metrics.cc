#include "services/repo_service/store_metrics.h"

#include <filesystem>

#include "common/metrics.h"

namespace tracker::repo {
namespace {

metrics::Registry& R() { return metrics::Registry::Default(); }

metrics::GaugeFamily& Packs() {
  static auto& packs = R().Gauge("tracker_repo_packs", "Pack files in repo-service's clone");
  return packs;
}

}  // namespace

void RecordWrite(const std::string& branch, absl::Duration took, bool committed) {
  static auto& latency = R().Histogram("tracker_repo_write_duration_seconds",
                                       "Time of one write to the tracking repository",
                                       {"branch"});
  static auto& commits = R().Counter("tracker_repo_commits_total",
                                     "Commits written to the tracking repository", {"branch"});
  latency.Observe({branch}, absl::ToDoubleSeconds(took));
  if (committed) commits.Add({branch});
}

void RecordPacks(const std::string& pack_dir) {
  std::error_code ec;
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(pack_dir, ec)) {
    if (entry.path().extension() == ".pack") ++n;
  }
  if (!ec) Packs().Set({}, n);
}

void CountPackWritten() { Packs().Add({}, 1); }

metrics::GaugeFamily& LastPush() {
  static auto& last = R().Gauge("tracker_repo_last_push_timestamp_seconds",
                                "When the branch was last pushed (Unix seconds)", {"branch"});
  return last;
}

void RecordPush(const std::string& branch, const std::string& result, int64_t pushed_at_unix) {
  static auto& pushes = R().Counter("tracker_repo_pushes_total",
                                    "Push attempts of a branch, by result (ok, rejected, failed)",
                                    {"branch", "result"});
  pushes.Add({branch, result});
  if (result == "ok") LastPush().Set({branch}, static_cast<double>(pushed_at_unix));
}

void RecordBranchSync(const std::string& branch, int unpushed_commits, int64_t last_push_unix) {
  static auto& unpushed = R().Gauge("tracker_repo_unpushed_commits",
                                    "Commits of the local branch its remote does not have",
                                    {"branch"});
  unpushed.Set({branch}, unpushed_commits);
  LastPush().Set({branch}, static_cast<double>(last_push_unix));
}

}  // namespace tracker::repo
