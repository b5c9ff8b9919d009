#include "reporting/progress.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tracker::reporting {
namespace {

using tracker::v1::ReportResponse;
using tracker::v1::StudyCounts;

struct Totals {
  int64_t jobs = 0, done_jobs = 0;
  double bytes = 0, done_bytes = 0;
};

Totals Of(const StudyCounts& s) {
  Totals t;
  t.jobs = s.backlog() + s.queued() + s.failed() + s.completed();
  for (const auto& [folder, n] : s.other_folders()) t.jobs += n;
  t.done_jobs = s.completed();
  t.bytes = static_cast<double>(s.backlog_bytes() + s.queued_bytes() + s.failed_bytes() +
                                s.completed_bytes());
  t.done_bytes = static_cast<double>(s.completed_bytes());
  return t;
}

Totals Sum(const ReportResponse& report) {
  Totals all;
  for (const auto& s : report.studies()) {
    Totals t = Of(s);
    all.jobs += t.jobs;
    all.done_jobs += t.done_jobs;
    all.bytes += t.bytes;
    all.done_bytes += t.done_bytes;
  }
  return all;
}

std::string Percent(double done, double all) {
  return all > 0 ? absl::StrFormat("%5.1f%%", 100.0 * done / all) : "    -";
}

std::string Line(const std::string& name, const Totals& t) {
  return absl::StrFormat("%-12s %6d/%-6d %s  %10s/%-10s %s  %s\n", name, t.done_jobs, t.jobs,
                         Percent(t.done_jobs, t.jobs), FormatBytes(t.done_bytes),
                         FormatBytes(t.bytes), Percent(t.done_bytes, t.bytes),
                         Bar(t.done_bytes, t.bytes));
}

std::string HumanDuration(absl::Duration d) {
  const int64_t hours = absl::ToInt64Hours(d + absl::Minutes(30));
  if (hours < 1) return absl::StrCat(std::max<int64_t>(1, absl::ToInt64Minutes(d)), " min");
  if (hours < 48) return absl::StrCat(hours, " h");
  return absl::StrCat(hours / 24, " d ", hours % 24, " h");
}

std::string Utc(absl::Time t) { return absl::FormatTime("%Y-%m-%d %H:%M UTC", t, absl::UTCTimeZone()); }

}  // namespace

std::string FormatBytes(double bytes) {
  static const char* const kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  int unit = 0;
  while (std::fabs(bytes) >= 1000 && unit < 5) {
    bytes /= 1000;
    ++unit;
  }
  return unit == 0 ? absl::StrFormat("%.0f B", bytes) : absl::StrFormat("%.2f %s", bytes, kUnits[unit]);
}

std::string Bar(double done, double all, int width) {
  const int filled = all > 0 ? static_cast<int>(std::clamp(done / all, 0.0, 1.0) * width + 0.5) : 0;
  return absl::StrCat("[", std::string(filled, '#'), std::string(width - filled, '-'), "]");
}

std::string FormatProgress(const ReportResponse& now, const ReportResponse* earlier,
                           absl::Time window_start, absl::Time at) {
  std::string text = absl::StrCat("Campaign progress (", now.commit().substr(0, 8), ", ",
                                  Utc(at), ")\n");
  absl::StrAppend(&text, absl::StrFormat("%-12s %13s %7s  %21s %6s\n", "study", "jobs done", "",
                                         "bytes done", ""));
  for (const auto& s : now.studies()) absl::StrAppend(&text, Line(s.study_id(), Of(s)));
  const Totals all = Sum(now);
  absl::StrAppend(&text, Line("total", all));
  if (earlier == nullptr) return text;

  const absl::Time since =
      std::max(window_start, absl::FromUnixSeconds(earlier->commit_time_unix_seconds()));
  const absl::Duration window = at - since;
  const Totals before = Sum(*earlier);
  // Net of jobs moved out of completed/ (a rerun) in the window.
  const int64_t jobs = std::max<int64_t>(0, all.done_jobs - before.done_jobs);
  const double bytes = std::max(0.0, all.done_bytes - before.done_bytes);
  absl::StrAppend(&text, "Last ", HumanDuration(window), ": ", jobs, " jobs, ", FormatBytes(bytes),
                  " completed");
  const double left = all.bytes - all.done_bytes;
  if (left <= 0) return absl::StrCat(text, "; all done\n");
  if (bytes <= 0 || window <= absl::ZeroDuration()) {
    return absl::StrCat(text, "; ", FormatBytes(left), " left, no estimate without progress\n");
  }
  const double per_second = bytes / absl::ToDoubleSeconds(window);
  const absl::Duration eta = absl::Seconds(left / per_second);
  absl::StrAppend(&text, " (", FormatBytes(per_second * 3600), "/h); ", FormatBytes(left),
                  " left: finished in about ", HumanDuration(eta), " (", Utc(at + eta), ")\n");
  return text;
}

}  // namespace tracker::reporting
