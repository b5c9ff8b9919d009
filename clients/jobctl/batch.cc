#include "clients/jobctl/batch.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "tracking/batch_summary.h"

namespace jobctl {
namespace {

// A small scanner over JSON text: just enough to find where each top-level
// value starts and ends, so a template's members are copied byte for byte
// (number formats, key order and nested layout are the admin's).
class Scanner {
 public:
  explicit Scanner(absl::string_view text) : text_(text) {}

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  bool Eat(char c) {
    SkipSpace();
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  size_t pos() const { return pos_; }
  // Whether the last string had an escape other than \" \\ \/.
  bool other_escape() const { return other_escape_; }

  // A string literal; its decoded value for plain ASCII keys (escapes other
  // than \" and \\ are kept as written: keys here are identifiers).
  bool String(std::string* out) {
    SkipSpace();
    if (Peek() != '"') return false;
    ++pos_;
    out->clear();
    other_escape_ = false;
    while (!AtEnd()) {
      char c = text_[pos_++];
      if (c == '"') return true;
      if (c == '\\') {
        if (AtEnd()) return false;
        char e = text_[pos_++];
        if (e == '"' || e == '\\' || e == '/') {
          out->push_back(e);
        } else {
          other_escape_ = true;
          out->push_back('\\');
          out->push_back(e);
        }
        continue;
      }
      if (static_cast<unsigned char>(c) < 0x20) return false;
      out->push_back(c);
    }
    return false;
  }

  // Skips one value of any kind; false when it is not well formed.
  bool Value(int depth = 0) {
    if (depth > 64) return false;
    SkipSpace();
    char c = Peek();
    std::string ignored;
    if (c == '"') return String(&ignored);
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++pos_;
      if (Eat(close)) return true;
      while (true) {
        if (c == '{') {
          if (!String(&ignored) || !Eat(':')) return false;
        }
        if (!Value(depth + 1)) return false;
        if (Eat(close)) return true;
        if (!Eat(',')) return false;
      }
    }
    // true, false, null, numbers: a run of their characters.
    size_t start = pos_;
    while (!AtEnd() && std::string("+-.0123456789eEtruefalsn").find(Peek()) != std::string::npos) {
      ++pos_;
    }
    absl::string_view word = text_.substr(start, pos_ - start);
    if (word == "true" || word == "false" || word == "null") return true;
    if (word.empty()) return false;
    double ignored_number;
    std::string w(word);
    char trailing;
    return std::sscanf(w.c_str(), "%lf%c", &ignored_number, &trailing) == 1;
  }

 private:
  absl::string_view text_;
  size_t pos_ = 0;
  bool other_escape_ = false;
};

}  // namespace

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ObjectMembers(
    absl::string_view text, absl::string_view what) {
  Scanner s(text);
  std::vector<std::pair<std::string, std::string>> members;
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is not a JSON object: ", why, " near byte ", s.pos()));
  };
  if (!s.Eat('{')) return bad("it does not start with {");
  if (!s.Eat('}')) {
    while (true) {
      std::string key;
      if (!s.String(&key)) return bad("expected a member name");
      if (s.other_escape()) return bad("member names with escapes such as \\u are not supported");
      if (!s.Eat(':')) return bad("expected :");
      s.SkipSpace();
      size_t start = s.pos();
      if (!s.Value()) return bad(absl::StrCat("bad value of \"", key, "\""));
      for (const auto& m : members) {
        if (m.first == key) return bad(absl::StrCat("\"", key, "\" appears twice"));
      }
      members.emplace_back(key, std::string(text.substr(start, s.pos() - start)));
      if (s.Eat('}')) break;
      if (!s.Eat(',')) return bad("expected , or }");
    }
  }
  s.SkipSpace();
  if (!s.AtEnd()) return bad("text after the object");
  return members;
}

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
  return out + "\"";
}

absl::StatusOr<BatchPlan> PlanFromSummary(absl::string_view summary_tsv) {
  auto summary = tracker::tracking::ParseBatchSummary(summary_tsv);
  if (!summary.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch summary: ", summary.status().message()));
  }
  if (summary->lines.empty()) {
    return absl::InvalidArgumentError("batch summary has no job lines (only comments or nothing)");
  }
  BatchPlan plan;
  plan.summary_tsv = std::string(summary_tsv);
  std::map<std::string, size_t> index;
  for (const auto& line : summary->lines) {
    auto [it, added] = index.emplace(line.job_id, plan.jobs.size());
    if (added) plan.jobs.push_back(PlannedJob{line.job_id, {}, 0});
    PlannedJob& job = plan.jobs[it->second];
    job.analysis_ids.push_back(line.analysis_id);
    job.bytes += line.analysis_bytes;
    plan.total_bytes += line.analysis_bytes;
    ++plan.analysis_count;
  }
  return plan;
}

absl::Status FillFromTemplate(const std::string& study_id, absl::string_view template_json,
                              BatchPlan* plan) {
  auto members = ObjectMembers(template_json, "the params template");
  if (!members.ok()) return members.status();
  for (const auto& [key, raw] : *members) {
    if (key == "study_id" && raw != JsonString(study_id)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the params template is for study ", raw, ", not \"", study_id,
          "\"; remove study_id from it or use the right template"));
    }
  }
  for (const PlannedJob& job : plan->jobs) {
    std::string text = absl::StrCat("{\n  \"_job_id\": ", JsonString(job.job_id),
                                    ",\n  \"study_id\": ", JsonString(study_id),
                                    ",\n  \"analysis_id\": [");
    for (size_t i = 0; i < job.analysis_ids.size(); ++i) {
      absl::StrAppend(&text, i ? "," : "", "\n    ", JsonString(job.analysis_ids[i]));
    }
    absl::StrAppend(&text, "\n  ]");
    for (const auto& [key, raw] : *members) {
      if (key == "_job_id" || key == "study_id" || key == "analysis_id") continue;
      absl::StrAppend(&text, ",\n  ", JsonString(key), ": ", raw);
    }
    absl::StrAppend(&text, "\n}\n");
    plan->params_json[job.job_id] = std::move(text);
  }
  return absl::OkStatus();
}

}  // namespace jobctl
