#include "services/scheduler/push_summary.h"

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/log.h"

namespace tracker::scheduler {

using namespace tracker::v1;  // NOLINT: generated message names

std::string FormatPushSummary(const std::vector<JobChange>& changes, const ReportResponse& report) {
  // Keyed by the line's own text: the original sorted the lines as text.
  std::map<std::string, int> moves;
  std::set<std::string> studies;
  for (const auto& ch : changes) {
    if (ch.from_folder().empty() || ch.to_folder().empty()) continue;
    moves[absl::StrCat(ch.key().study_id(), " ", ch.from_folder(), "->", ch.to_folder())]++;
    studies.insert(ch.key().study_id());
  }
  if (moves.empty()) return "";
  std::vector<std::string> lines;
  for (const auto& [move, n] : moves) lines.push_back(absl::StrCat(move, " ", n));
  lines.push_back("");
  for (const std::string& study : studies) {
    for (absl::string_view line : absl::StrSplit(report.text(), '\n', absl::SkipEmpty())) {
      if (absl::StartsWith(line, absl::StrCat(study, " "))) lines.emplace_back(line);
    }
  }
  return absl::StrCat("```\n", absl::StrJoin(lines, "\n"), "\n```");
}

void PushAnnouncer::Announce(const std::string& from_commit, const std::string& to_commit) {
  auto changes = repo_->ListTransitions(from_commit, to_commit);
  auto report = changes.ok() ? repo_->Report() : absl::StatusOr<ReportResponse>(changes.status());
  if (!report.ok()) {
    LogWarning("push_summary_not_sent").Kv("error", report.status().ToString());
    return;
  }
  const std::string summary = FormatPushSummary(*changes, *report);
  if (summary.empty()) return;
  absl::Status posted = notifier_->Post(SlackText(AlertLevel::kInfo, summary));
  // Without a webhook there is nowhere to post: not worth a log line.
  if (!posted.ok() && posted.code() != absl::StatusCode::kFailedPrecondition) {
    LogWarning("push_summary_not_sent").Kv("error", std::string(posted.message()));
  }
}

}  // namespace tracker::scheduler
