#include "services/repo_service/batch_summary.h"

#include <unordered_map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/repo_service/layout.h"

namespace tracker::repo {
namespace {

absl::Status LineError(int line_number, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("batch-summary.tsv line ", line_number, ": ", what));
}

absl::string_view StripCr(absl::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

absl::StatusOr<BatchSummary> ParseBatchSummary(absl::string_view text) {
  BatchSummary summary;
  std::unordered_map<std::string, int> seen;  // analysis id -> line number
  int line_number = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++line_number;
    absl::string_view line = StripCr(raw);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> cols = absl::StrSplit(line, '\t');
    if (cols.size() != 5) {
      return LineError(line_number,
                       absl::StrCat("expected 5 tab-separated columns (job_id, "
                                    "analyses_in_job, job_bytes, analysis_id, "
                                    "analysis_bytes), found ",
                                    cols.size()));
    }
    SummaryLine out;
    if (absl::Status s = ValidateJobId(cols[0]); !s.ok()) {
      return LineError(line_number, s.message());
    }
    out.job_id = std::string(cols[0]);
    if (!absl::SimpleAtoi(cols[1], &out.analyses_in_job) || out.analyses_in_job < 1) {
      return LineError(line_number, "analyses_in_job must be a whole number >= 1");
    }
    if (!absl::SimpleAtoi(cols[2], &out.job_bytes) || out.job_bytes < 0) {
      return LineError(line_number, "job_bytes must be a whole number >= 0");
    }
    if (absl::Status s = ValidateAnalysisId(cols[3]); !s.ok()) {
      return LineError(line_number, s.message());
    }
    out.analysis_id = std::string(cols[3]);
    if (!absl::SimpleAtoi(cols[4], &out.analysis_bytes) || out.analysis_bytes < 0) {
      return LineError(line_number, "analysis_bytes must be a whole number >= 0");
    }
    auto [it, inserted] = seen.emplace(out.analysis_id, line_number);
    if (!inserted) {
      return LineError(line_number, absl::StrCat("analysis ", out.analysis_id,
                                                 " is already on line ", it->second));
    }
    summary.lines.push_back(std::move(out));
  }
  return summary;
}

absl::StatusOr<std::string> RemoveAnalysisLine(absl::string_view text,
                                               absl::string_view analysis_id) {
  std::string out;
  out.reserve(text.size());
  bool removed = false;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    size_t next = end == absl::string_view::npos ? text.size() : end + 1;
    absl::string_view line = StripCr(text.substr(start, (end == absl::string_view::npos ? text.size() : end) - start));
    bool match = false;
    if (!line.empty() && line[0] != '#') {
      std::vector<absl::string_view> cols = absl::StrSplit(line, '\t');
      match = cols.size() >= 4 && cols[3] == analysis_id;
    }
    if (match) {
      removed = true;
    } else {
      out.append(text.data() + start, next - start);
    }
    start = next;
  }
  if (!removed) {
    return absl::NotFoundError(
        absl::StrCat("analysis ", analysis_id, " is not in this batch-summary.tsv"));
  }
  return out;
}

}  // namespace tracker::repo
