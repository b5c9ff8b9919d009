#include "clients/jobctl/batch.h"

#include "absl/strings/str_cat.h"
#include "common/json.h"
#include "tracking/batch_summary.h"

namespace jobctl {

using ::tracker::JsonQuote;

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
    if (added) plan.jobs.push_back(PlannedJob{line.job_id, {}, 0, {}});
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
  auto members = tracker::JsonObjectMembers(template_json, "the params template");
  if (!members.ok()) return members.status();
  for (const auto& [key, raw] : *members) {
    if (key == "study_id" && raw != JsonQuote(study_id)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the params template is for study ", raw, ", not \"", study_id,
          "\"; remove study_id from it or use the right template"));
    }
  }
  for (const PlannedJob& job : plan->jobs) {
    std::string text = absl::StrCat("{\n  \"_job_id\": ", JsonQuote(job.job_id),
                                    ",\n  \"study_id\": ", JsonQuote(study_id),
                                    ",\n  \"analysis_id\": [");
    for (size_t i = 0; i < job.analysis_ids.size(); ++i) {
      absl::StrAppend(&text, i ? "," : "", "\n    ", JsonQuote(job.analysis_ids[i]));
    }
    absl::StrAppend(&text, "\n  ]");
    for (const auto& [key, raw] : *members) {
      if (key == "_job_id" || key == "study_id" || key == "analysis_id") continue;
      auto own = job.template_overrides.find(key);
      absl::StrAppend(&text, ",\n  ", JsonQuote(key), ": ",
                      own == job.template_overrides.end() ? raw : own->second);
    }
    absl::StrAppend(&text, "\n}\n");
    plan->params_json[job.job_id] = std::move(text);
  }
  return absl::OkStatus();
}

}  // namespace jobctl
