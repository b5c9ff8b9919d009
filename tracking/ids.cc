#include "tracking/ids.h"

#include <cctype>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace tracker::tracking {
namespace {

bool IsAlnum(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)); }

}  // namespace

std::string QuoteId(absl::string_view id) {
  std::string out = "'";
  for (char c : id.substr(0, 80)) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += "\\x";
      out += absl::StrCat(absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
    } else {
      out.push_back(c);
    }
  }
  if (id.size() > 80) out += "...";
  return out + "'";
}

namespace {

absl::Status Invalid(absl::string_view what, absl::string_view id,
                     absl::string_view form) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid ", what, " ", QuoteId(id), ": expected ", form));
}

// Letters, digits and `extra`, starting with a letter or digit.
bool IsToken(absl::string_view s, absl::string_view extra, size_t max_len) {
  if (s.empty() || s.size() > max_len || !IsAlnum(s[0])) return false;
  for (char c : s) {
    if (!IsAlnum(c) && extra.find(c) == absl::string_view::npos) return false;
  }
  return true;
}

}  // namespace

absl::Status ValidateStudyId(absl::string_view id) {
  // Upper-case code, a dash, a country: PACA-CA, BOCA-UK (ARGO's program
  // ids are upper case; a lower-case one is a typo that matches nothing).
  // The seed's report loop finds studies with the glob *-*, so the dash is
  // required.
  bool ok = IsToken(id, "-_", 64) && absl::StrContains(id, "-") && id.back() != '-';
  for (char c : id) ok = ok && !absl::ascii_islower(static_cast<unsigned char>(c));
  if (!ok) {
    return Invalid("study id", id, "upper-case letters and digits with a dash, like PACA-CA");
  }
  return absl::OkStatus();
}

absl::Status ValidateBatchId(absl::string_view id) {
  bool ok = (id.size() == 10 || id.size() == 11);
  for (size_t i = 0; ok && i < 10; ++i) {
    ok = (i == 4 || i == 7) ? id[i] == '-'
                            : absl::ascii_isdigit(static_cast<unsigned char>(id[i]));
  }
  if (ok && id.size() == 11) ok = id[10] >= 'a' && id[10] <= 'z';
  if (!ok) return Invalid("batch id", id, "YYYY-MM-DD with an optional lower-case letter, like 2021-07-12a");
  return absl::OkStatus();
}

absl::Status ValidateJobId(absl::string_view id) {
  if (!IsToken(id, "._-", 64) || absl::StrContains(id, "..")) {
    return Invalid("job id", id, "letters, digits, '.', '_' or '-', like job.0001");
  }
  return absl::OkStatus();
}

absl::Status ValidateEnvironment(absl::string_view env) {
  // No dots: marker and flag file names are dot-separated.
  if (!IsToken(env, "_-", 64)) {
    return Invalid("environment", env, "letters, digits, '_' or '-', like rdpc_qa");
  }
  return absl::OkStatus();
}

absl::Status ValidateRunId(absl::string_view id) {
  // wes-<32 hex> on ARGO (workflow-management); other WES servers use
  // UUIDs. A dot would split a marker name, a slash a URL path.
  if (!IsToken(id, "_-", 128)) {
    return Invalid("run id", id, "letters, digits, '_' or '-', like wes-0123abcd");
  }
  return absl::OkStatus();
}

absl::Status ValidateSessionId(absl::string_view id) {
  // Nextflow's session ids are UUIDs, and ARGO's WES reads `resume` as a
  // java.util.UUID: 8-4-4-4-12 hex digits.
  static constexpr int kGroups[] = {8, 4, 4, 4, 12};
  size_t pos = 0;
  bool ok = id.size() == 36;
  for (int g = 0; ok && g < 5; ++g) {
    for (int i = 0; ok && i < kGroups[g]; ++i, ++pos) ok = absl::ascii_isxdigit(id[pos]);
    if (ok && g < 4) ok = id[pos++] == '-';
  }
  if (!ok) return Invalid("session id", id, "a UUID (8-4-4-4-12 hex digits)");
  return absl::OkStatus();
}

absl::Status ValidateAnalysisId(absl::string_view id) {
  if (!IsToken(id, "-_.", 128) || absl::StrContains(id, "..")) {
    return Invalid("analysis id", id, "letters, digits, '-', '_' or '.'");
  }
  return absl::OkStatus();
}

std::string JobKeyText(absl::string_view study, absl::string_view batch,
                       absl::string_view job) {
  return absl::StrCat(study, "/", batch, "/", job);
}

absl::Status ValidateJobKey(const JobKey& key) {
  if (absl::Status s = ValidateStudyId(key.study_id); !s.ok()) return s;
  if (absl::Status s = ValidateBatchId(key.batch_id); !s.ok()) return s;
  return ValidateJobId(key.job_id);
}

absl::StatusOr<JobKey> ParseJobKey(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '/');
  if (parts.size() != 3) {
    return Invalid("job key", text, "STUDY/BATCH/JOB, like PACA-CA/2021-07-12/job.0001");
  }
  JobKey key{std::string(parts[0]), std::string(parts[1]), std::string(parts[2])};
  if (absl::Status s = ValidateJobKey(key); !s.ok()) return s;
  return key;
}

}  // namespace tracker::tracking

