#include "tracking/batch_summary.h"

#include <cmath>
#include <unordered_map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "tracking/ids.h"

namespace tracker::tracking {
namespace {

absl::Status LineError(int line_number, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("batch-summary.tsv line ", line_number, ": ", what));
}

absl::string_view StripCr(absl::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// A size column: whole bytes in the 5-column shape, decimal GB (10^9 bytes,
// as the original's generator printed them) in the 6-column one.
bool ParseSize(absl::string_view text, bool in_gb, int64_t* bytes) {
  if (!in_gb) return absl::SimpleAtoi(text, bytes) && *bytes >= 0;
  double gb = 0;
  if (!absl::SimpleAtod(text, &gb) || !std::isfinite(gb) || gb < 0 || gb > 9e9) return false;
  *bytes = static_cast<int64_t>(std::llround(gb * 1e9));
  return true;
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
    if (cols.size() != 5 && cols.size() != 6) {
      return LineError(line_number,
                       absl::StrCat("expected 5 tab-separated columns (job_id, "
                                    "analyses_in_job, job_bytes, analysis_id, "
                                    "analysis_bytes) or 6 (sizes in GB, then a "
                                    "label), found ",
                                    cols.size()));
    }
    const bool in_gb = cols.size() == 6;
    SummaryLine out;
    if (absl::Status s = ValidateJobId(cols[0]); !s.ok()) {
      return LineError(line_number, s.message());
    }
    out.job_id = std::string(cols[0]);
    if (!absl::SimpleAtoi(cols[1], &out.analyses_in_job) || out.analyses_in_job < 1) {
      return LineError(line_number, "analyses_in_job must be a whole number >= 1");
    }
    if (!ParseSize(cols[2], in_gb, &out.job_bytes)) {
      return LineError(line_number, in_gb ? "job size must be a number of GB >= 0"
                                          : "job_bytes must be a whole number >= 0");
    }
    if (absl::Status s = ValidateAnalysisId(cols[3]); !s.ok()) {
      return LineError(line_number, s.message());
    }
    out.analysis_id = std::string(cols[3]);
    if (!ParseSize(cols[4], in_gb, &out.analysis_bytes)) {
      return LineError(line_number, in_gb ? "analysis size must be a number of GB >= 0"
                                          : "analysis_bytes must be a whole number >= 0");
    }
    if (in_gb) out.label = std::string(cols[5]);
    auto [it, inserted] = seen.emplace(out.analysis_id, line_number);
    if (!inserted) {
      return LineError(line_number, absl::StrCat("analysis ", out.analysis_id,
                                                 " is already on line ", it->second));
    }
    summary.lines.push_back(std::move(out));
  }
  return summary;
}

std::string PayloadDumpComment(absl::string_view dump_file_name) {
  return absl::StrCat("# SONG analysis objects retrieved from payload dump: ", dump_file_name, "\n");
}

std::string FormatSummaryLine(const SummaryLine& line) {
  return absl::StrCat(line.job_id, "\t", line.analyses_in_job, "\t", line.job_bytes, "\t",
                      line.analysis_id, "\t", line.analysis_bytes, "\n");
}

std::string GeneratedJobId(int n) { return absl::StrFormat("job.%04d", n); }

namespace {

// `text` without its data lines whose column `column` is `value`, every
// other byte (comments, line endings) kept; `removed` counts the lines.
std::string RemoveLinesWhere(absl::string_view text, size_t column, absl::string_view value,
                             int* removed) {
  std::string out;
  out.reserve(text.size());
  *removed = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    size_t next = end == absl::string_view::npos ? text.size() : end + 1;
    size_t line_end = end == absl::string_view::npos ? text.size() : end;
    absl::string_view line = StripCr(text.substr(start, line_end - start));
    bool match = false;
    if (!line.empty() && line[0] != '#') {
      std::vector<absl::string_view> cols = absl::StrSplit(line, '\t');
      match = cols.size() > column && cols[column] == value;
    }
    if (match) {
      ++*removed;
    } else {
      out.append(text.data() + start, next - start);
    }
    start = next;
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> RemoveAnalysisLine(absl::string_view text,
                                               absl::string_view analysis_id) {
  int removed = 0;
  std::string out = RemoveLinesWhere(text, 3, analysis_id, &removed);
  if (removed == 0) {
    return absl::NotFoundError(
        absl::StrCat("analysis ", analysis_id, " is not in this batch-summary.tsv"));
  }
  return out;
}

std::string RemoveJobLines(absl::string_view text, absl::string_view job_id, int* removed) {
  return RemoveLinesWhere(text, 0, job_id, removed);
}

}  // namespace tracker::tracking
