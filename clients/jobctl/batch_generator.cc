#include "clients/jobctl/batch_generator.h"

#include <zlib.h>

#include <algorithm>

#include <google/protobuf/util/json_util.h>
#include <yaml-cpp/yaml.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "clients/jobctl/song_payload.pb.h"
#include "common/json.h"
#include "tracking/batch_summary.h"
#include "tracking/ids.h"

namespace jobctl {
absl::StatusOr<std::vector<DumpAnalysis>> ParsePayloadDump(absl::string_view json,
                                                           absl::string_view what) {
  const absl::string_view body = absl::StripAsciiWhitespace(json);
  if (body.empty() || body.front() != '[') {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " is not JSON: a SONG payload dump is a JSON array of analyses (what SONG answers "
              "to GET /studies/{study}/analysis)"));
  }
  song::PayloadDump dump;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  auto parsed = google::protobuf::util::JsonStringToMessage(
      absl::StrCat("{\"analyses\":", body, "}"), &dump, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " is not JSON in SONG's shape: ", parsed.message().ToString()));
  }
  std::vector<DumpAnalysis> out;
  for (int i = 0; i < dump.analyses_size(); ++i) {
    const song::PayloadAnalysis& a = dump.analyses(i);
    auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": analysis ", i, " (from 0) ", why));
    };
    DumpAnalysis d;
    d.analysis_id = a.analysis_id();
    d.study = a.study().empty() ? a.study_id() : a.study();
    d.state = a.analysis_state();
    if (d.analysis_id.empty()) return bad("has no analysisId");
    if (absl::Status s = tracker::tracking::ValidateAnalysisId(d.analysis_id); !s.ok()) {
      return bad(s.message());
    }
    if (d.study.empty()) return bad(absl::StrCat(d.analysis_id, " has no study"));
    if (d.state.empty()) return bad(absl::StrCat(d.analysis_id, " has no analysisState"));
    for (const song::PayloadFile& f : a.file()) {
      if (!f.has_file_size() || f.file_size() < 0) {
        return bad(absl::StrCat(d.analysis_id, " has a file without a fileSize"));
      }
      d.bytes += f.file_size();
    }
    out.push_back(std::move(d));
  }
  return out;
}

absl::StatusOr<std::vector<DumpAnalysis>> ReadPayloadDump(const std::string& path) {
  // gzread reads a plain file as it is, so an unzipped dump works too.
  gzFile in = gzopen(path.c_str(), "rb");
  if (in == nullptr) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::string text;
  char buf[1 << 16];
  int n = 0;
  while ((n = gzread(in, buf, sizeof buf)) > 0) text.append(buf, n);
  int err = Z_OK;
  const char* message = gzerror(in, &err);
  const std::string why = n < 0 ? std::string(message) : "";
  gzclose(in);
  if (n < 0) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is not a whole gzip file: ", why));
  }
  return ParsePayloadDump(text, path);
}

absl::StatusOr<GeneratorConfig> ParseGeneratorConfig(absl::string_view yaml) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("job-gen.conf is not YAML: ", e.what()));
  }
  if (!root.IsMap()) return absl::InvalidArgumentError("job-gen.conf is not a YAML mapping");
  GeneratorConfig config;
  auto read = [&](const char* key, int64_t min, int64_t* out) -> absl::Status {
    const YAML::Node node = root[key];
    if (!node) return absl::InvalidArgumentError(absl::StrCat("job-gen.conf: ", key, " is missing"));
    try {
      *out = node.as<int64_t>();
    } catch (const YAML::Exception&) {
      return absl::InvalidArgumentError(absl::StrCat("job-gen.conf: ", key, " must be a whole number"));
    }
    if (*out < min) {
      return absl::InvalidArgumentError(absl::StrCat("job-gen.conf: ", key, " must be >= ", min));
    }
    return absl::OkStatus();
  };
  int64_t per_job = 0, per_batch = 0;
  for (absl::Status s : {read("max_analysis_data_size_to_be_pooled", 0, &config.max_pooled_bytes),
                         read("max_analyses_per_job", 1, &per_job),
                         read("max_jobs_per_batch", 1, &per_batch)}) {
    if (!s.ok()) return s;
  }
  if (per_job > 1000000 || per_batch > 9999) {
    return absl::InvalidArgumentError(
        "job-gen.conf: max_analyses_per_job must be <= 1000000 and max_jobs_per_batch <= 9999");
  }
  config.max_analyses_per_job = static_cast<int>(per_job);
  config.max_jobs_per_batch = static_cast<int>(per_batch);
  return config;
}

absl::StatusOr<Generated> GroupAnalyses(const std::string& study,
                                        const std::vector<DumpAnalysis>& dump,
                                        const std::set<std::string>& in_jobs,
                                        const GeneratorConfig& config, int job_count) {
  if (dump.empty()) return absl::InvalidArgumentError("the payload dump holds no analyses");
  // The original stopped at the first analysis of another study: a dump of
  // the wrong study, or a typo in the study.
  Generated out;
  int fresh = 0;  // PUBLISHED and in no job
  for (const DumpAnalysis& a : dump) {
    if (a.study != study) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the payload dump holds analyses of study ", tracker::tracking::QuoteId(a.study),
          " (", a.analysis_id, "), not of ", study, ": the dump of another study?"));
    }
    if (in_jobs.count(a.analysis_id)) {
      ++out.already_in_jobs;
    } else if (a.state != "PUBLISHED") {
      ++out.not_published;
    } else {
      ++fresh;
    }
  }
  const auto full = [&] { return static_cast<int>(out.jobs.size()) == job_count; };
  GeneratedJob pool;
  for (const DumpAnalysis& a : dump) {
    if (in_jobs.count(a.analysis_id) || a.state != "PUBLISHED") continue;
    if (a.bytes > config.max_pooled_bytes) {
      out.jobs.push_back(GeneratedJob{{{a.analysis_id, a.bytes}}, a.bytes});
      if (full()) break;
    } else {
      if (static_cast<int>(pool.analyses.size()) >= config.max_analyses_per_job) {
        out.jobs.push_back(std::move(pool));
        pool = GeneratedJob();
        // As the original: the analysis that found the pool full waits for
        // the next batch when this job was the last one.
        if (full()) break;
      }
      pool.analyses.emplace_back(a.analysis_id, a.bytes);
      pool.bytes += a.bytes;
    }
  }
  if (!pool.analyses.empty() && !full()) out.jobs.push_back(std::move(pool));
  int used = 0;
  for (const GeneratedJob& job : out.jobs) used += static_cast<int>(job.analyses.size());
  out.left_for_later = fresh - used;
  if (out.jobs.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "nothing new: no PUBLISHED analysis of the dump is outside the jobs (", out.already_in_jobs,
        " already in jobs, ", out.not_published, " not PUBLISHED)"));
  }
  return out;
}

std::string GeneratedSummary(const std::string& dump_file_name,
                             const std::vector<GeneratedJob>& jobs) {
  std::string out = tracker::tracking::PayloadDumpComment(dump_file_name);
  for (size_t i = 0; i < jobs.size(); ++i) {
    tracker::tracking::SummaryLine line;
    line.job_id = tracker::tracking::GeneratedJobId(static_cast<int>(i + 1));
    line.analyses_in_job = static_cast<int>(jobs[i].analyses.size());
    line.job_bytes = jobs[i].bytes;
    for (const auto& [id, bytes] : jobs[i].analyses) {
      line.analysis_id = id;
      line.analysis_bytes = bytes;
      out += tracker::tracking::FormatSummaryLine(line);
    }
  }
  return out;
}

int JobCpus(size_t analysis_count, int64_t bytes, int max_cpus) {
  int64_t cpus = analysis_count == 1 ? bytes / 5000000000 : 1;  // 5 GB per CPU
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(cpus, max_cpus)));
}

absl::StatusOr<BatchPlan> PlanGeneratedBatch(const std::string& study, const std::string& summary,
                                             absl::string_view template_json, int max_cpus) {
  auto plan = PlanFromSummary(summary);
  if (!plan.ok()) return plan.status();
  for (PlannedJob& job : plan->jobs) {
    std::sort(job.analysis_ids.begin(), job.analysis_ids.end());
    if (max_cpus <= 0) continue;
    const int cpus = JobCpus(job.analysis_ids.size(), job.bytes, max_cpus);
    for (const char* key : {"download_cpus", "upload_cpus"}) {
      job.template_overrides[key] = absl::StrCat(cpus);
    }
    for (const char* key : {"download_mem", "upload_mem"}) {
      job.template_overrides[key] = absl::StrCat(cpus * 2);  // 2 GB per CPU
    }
  }
  if (absl::Status s = FillFromTemplate(study, template_json, &*plan); !s.ok()) return s;
  return plan;
}

absl::StatusOr<std::string> NextBatchId(std::vector<std::string> batch_ids,
                                        const std::string& today) {
  if (batch_ids.empty()) return today;
  std::sort(batch_ids.begin(), batch_ids.end());
  const std::string& last = batch_ids.back();
  if (last == today) return today + "a";
  if (last.size() == today.size() + 1 && last.compare(0, today.size(), today) == 0) {
    const char suffix = last.back();
    if (suffix < 'a' || suffix > 'z') {
      return absl::FailedPreconditionError(
          absl::StrCat("the last batch id ", last, " is not YYYY-MM-DD[a-z]; give --batch"));
    }
    if (suffix == 'z') {
      return absl::FailedPreconditionError(
          absl::StrCat("no batch id is left for ", today, " (", last, " exists); give --batch"));
    }
    return today + static_cast<char>(suffix + 1);
  }
  return today;
}

absl::StatusOr<std::vector<std::string>> ParamsAnalysisIds(absl::string_view params_json,
                                                           absl::string_view what) {
  auto params = tracker::ParseJsonObject(params_json, what);
  if (!params.ok()) return params.status();
  std::vector<std::string> ids;
  auto it = params->fields().find("analysis_id");
  if (it == params->fields().end()) return ids;
  using google::protobuf::Value;
  if (it->second.kind_case() == Value::kStringValue) {
    ids.push_back(it->second.string_value());
  } else if (it->second.kind_case() == Value::kListValue) {
    for (const Value& v : it->second.list_value().values()) {
      if (v.kind_case() == Value::kStringValue) ids.push_back(v.string_value());
    }
  }
  return ids;
}

}  // namespace jobctl
