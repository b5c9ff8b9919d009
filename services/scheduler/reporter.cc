#include "services/scheduler/reporter.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reporting/progress.h"
#include "tracking/proto.h"

namespace tracker::scheduler {

using namespace tracker::v1;  // NOLINT: generated message names

namespace {

// Changes listed one by one; the rest are counted.
constexpr int kChangesShown = 20;

std::string FolderOrRemoved(const std::string& folder) {
  return folder.empty() ? "removed" : folder;
}

}  // namespace

std::string FormatReport(const ReportResponse& report, const std::string& since,
                         const std::vector<JobChange>* changes) {
  std::string text = absl::StrCat("Transfer job status (", report.total_jobs(), " jobs, scheduler ",
                                  report.commit().substr(0, 8), ")\n", report.text());
  if (changes != nullptr) {
    std::map<std::string, int> by_folder;
    for (const auto& ch : *changes) by_folder[FolderOrRemoved(ch.to_folder())]++;
    std::vector<std::string> parts;
    for (const auto& [folder, n] : by_folder) parts.push_back(absl::StrCat(n, " to ", folder));
    absl::StrAppend(&text, "Since the last report (", since.substr(0, 8), "): ",
                    parts.empty() ? "no job moved" : absl::StrJoin(parts, ", "), "\n");
    int shown = 0;
    for (const auto& ch : *changes) {
      if (++shown > kChangesShown) {
        absl::StrAppend(&text, "  ... and ", changes->size() - kChangesShown, " more\n");
        break;
      }
      absl::StrAppend(&text, "  ", tracking::JobKeyText(ch.key()), ": ",
                      ch.from_folder().empty() ? "new" : ch.from_folder(), " -> ",
                      FolderOrRemoved(ch.to_folder()), "\n");
    }
  }
  for (const auto& flag : report.flags()) absl::StrAppend(&text, "Flag: ", flag.path(), "\n");
  return text;
}

Reporter::Reporter(RepoClient* repo, Notifier* notifier, Clock* clock)
    : repo_(repo), notifier_(notifier), clock_(clock) {}

absl::StatusOr<SendReportResponse> Reporter::Send(bool dry_run) {
  absl::MutexLock lock(&mu_);
  auto report = repo_->Report();
  if (!report.ok()) return report.status();
  std::string since = last_report_commit_;
  if (since.empty()) {
    absl::StatusOr<std::string> pushed = repo_->PushedSchedulerTip();
    if (pushed.ok()) since = *pushed;
  }
  absl::StatusOr<std::vector<JobChange>> changes = absl::NotFoundError("nothing to compare");
  if (!since.empty() && since != report->commit()) {
    changes = repo_->ListTransitions(since, report->commit());
  }
  // Progress heads the report: the branch now against a day ago.
  const absl::Time now = clock_->Now();
  const absl::Time day_ago = now - absl::Hours(24);
  absl::StatusOr<ReportResponse> earlier = repo_->Report(day_ago);
  SendReportResponse out;
  out.set_text(absl::StrCat(
      reporting::FormatProgress(*report, earlier.ok() ? &*earlier : nullptr, day_ago, now), "\n",
      FormatReport(*report, since, changes.ok() ? &*changes : nullptr)));
  if (dry_run) return out;
  // The text answered stays plain; Slack gets it in the original's form.
  absl::Status posted = notifier_->Post(SlackText(AlertLevel::kInfo, out.text()));
  if (posted.code() == absl::StatusCode::kFailedPrecondition) return posted;
  out.set_sent(posted.ok());
  if (posted.ok()) last_report_commit_ = report->commit();
  return out;
}

}  // namespace tracker::scheduler
