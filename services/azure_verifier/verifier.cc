#include "services/azure_verifier/verifier.h"

#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/json.h"
#include "common/log.h"
#include "common/parallel.h"
#include "tracking/ids.h"

namespace tracker::verifier {
namespace {

using tracker::v1::AnalysisState;

AnalysisState ParseState(const std::string& s) {
  if (s == "PUBLISHED") return tracker::v1::ANALYSIS_STATE_PUBLISHED;
  if (s == "UNPUBLISHED") return tracker::v1::ANALYSIS_STATE_UNPUBLISHED;
  if (s == "SUPPRESSED") return tracker::v1::ANALYSIS_STATE_SUPPRESSED;
  return tracker::v1::ANALYSIS_STATE_OTHER;
}

}  // namespace

absl::Status ValidateBaseUrl(absl::string_view url, absl::string_view what) {
  if (!absl::StartsWith(url, "http://") && !absl::StartsWith(url, "https://")) {
    return absl::InvalidArgumentError(absl::StrCat(what, " must be an http(s) URL"));
  }
  if (url.find_first_of("?# \t\r\n") != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(what, " may not hold a query, fragment or space"));
  }
  return absl::OkStatus();
}

Verifier::Verifier(std::shared_ptr<HttpClient> http, std::shared_ptr<TokenProvider> song_tokens,
                   std::shared_ptr<TokenProvider> score_tokens, VerifierOptions options)
    : http_(std::move(http)),
      song_tokens_(std::move(song_tokens)),
      score_tokens_(std::move(score_tokens)),
      options_(options) {}

absl::StatusOr<bool> Verifier::ObjectExists(const std::string& score, const std::string& object_id) {
  HttpRequest request;
  request.url = absl::StrCat(score, "/upload/", UrlEncode(object_id));
  request.timeout = options_.request_timeout;
  auto response = SendAuthorized(*http_, score_tokens_.get(), request);
  if (!response.ok()) return response.status();
  if (response->status == 200) return true;
  if (response->status == 404) return false;
  absl::Status error = HttpError("SCORE object lookup", request, *response);
  // Anything but "there" or "not there" is the server's trouble, not a verdict.
  return absl::UnavailableError(error.message());
}

absl::StatusOr<tracker::v1::AnalysisVerification> Verifier::VerifyOne(
    const std::string& song, const std::string& score, const std::string& study,
    const std::string& analysis_id) {
  const std::string key = absl::StrCat(song, "|", score, "|", study, "|", analysis_id);
  {
    absl::MutexLock lock(&cache_mu_);
    auto it = published_.find(key);
    if (it != published_.end()) {
      tracker::v1::AnalysisVerification cached = it->second;
      cached.set_cached(true);
      return cached;
    }
  }
  HttpRequest request;
  request.url = absl::StrCat(song, "/studies/", study, "/analysis/", analysis_id);
  request.timeout = options_.request_timeout;
  request.headers = {{"Accept", "application/json"}};
  auto response = SendAuthorized(*http_, song_tokens_.get(), request);
  if (!response.ok()) return response.status();
  tracker::v1::AnalysisVerification out;
  out.set_analysis_id(analysis_id);
  if (response->status == 404) {
    out.set_state(tracker::v1::ANALYSIS_STATE_NOT_FOUND);
    out.set_reported_state("NOT_FOUND");
    return out;
  }
  if (response->status != 200) {
    absl::Status error = HttpError("SONG analysis lookup", request, *response);
    if (error.code() == absl::StatusCode::kInvalidArgument ||
        error.code() == absl::StatusCode::kFailedPrecondition) {
      // SONG refusing our well-formed request is its trouble, not a verdict.
      return absl::UnavailableError(error.message());
    }
    return error;
  }
  auto parsed = ParseJsonObject(response->body, "SONG analysis");
  if (!parsed.ok()) {
    return absl::UnavailableError(absl::StrCat("SONG at ", RedactUrl(song),
                                               " answered something that is not JSON for ",
                                               analysis_id));
  }
  std::string state = StringField(*parsed, "analysisState");
  if (state.empty()) {
    return absl::UnavailableError(absl::StrCat("SONG answer for ", analysis_id,
                                               " has no analysisState"));
  }
  std::string answered_id = StringField(*parsed, "analysisId");
  if (!answered_id.empty() && answered_id != analysis_id) {
    return absl::UnavailableError(absl::StrCat("SONG answered analysis ", answered_id,
                                               " when asked for ", analysis_id));
  }
  out.set_reported_state(state);
  out.set_state(ParseState(state));
  std::vector<std::string> objects;
  auto files = parsed->fields().find("file");
  if (files != parsed->fields().end() && files->second.has_list_value()) {
    for (const auto& f : files->second.list_value().values()) {
      if (!f.has_struct_value()) continue;
      std::string id = StringField(f.struct_value(), "objectId");
      if (!id.empty()) objects.push_back(id);
    }
  }
  out.set_file_count(static_cast<int>(objects.size()));
  if (!score.empty() && out.state() == tracker::v1::ANALYSIS_STATE_PUBLISHED) {
    out.set_objects_checked(true);
    for (const auto& id : objects) {
      auto exists = ObjectExists(score, id);
      if (!exists.ok()) return exists.status();
      if (!*exists) out.add_missing_object_ids(id);
    }
  }
  if (out.state() == tracker::v1::ANALYSIS_STATE_PUBLISHED && out.missing_object_ids_size() == 0) {
    absl::MutexLock lock(&cache_mu_);
    if (published_.size() >= options_.max_cached) published_.clear();
    published_[key] = out;
  }
  return out;
}

absl::StatusOr<tracker::v1::VerifyAnalysesResponse> Verifier::VerifyAnalyses(
    const tracker::v1::VerifyAnalysesRequest& req) {
  absl::Status valid = ValidateBaseUrl(req.song_url(), "song_url");
  if (!valid.ok()) return valid;
  if (!req.score_url().empty()) {
    valid = ValidateBaseUrl(req.score_url(), "score_url");
    if (!valid.ok()) return valid;
  }
  // Both go into URL paths; the repository's rules keep separators out.
  valid = tracking::ValidateStudyId(req.study_id());
  if (!valid.ok()) return valid;
  if (req.analysis_ids_size() == 0) return absl::InvalidArgumentError("no analysis_ids given");
  if (req.analysis_ids_size() > options_.max_analyses_per_call) {
    return absl::InvalidArgumentError(absl::StrCat("at most ", options_.max_analyses_per_call,
                                                   " analyses per call"));
  }
  for (const auto& id : req.analysis_ids()) {
    valid = tracking::ValidateAnalysisId(id);
    if (!valid.ok()) return valid;
  }
  const std::string song(absl::StripSuffix(req.song_url(), "/"));
  const std::string score(absl::StripSuffix(req.score_url(), "/"));
  std::vector<absl::StatusOr<tracker::v1::AnalysisVerification>> results(req.analysis_ids_size());
  ParallelFor(results.size(), options_.max_concurrency, [&](size_t i) {
    results[i] = VerifyOne(song, score, req.study_id(), req.analysis_ids(i));
  });
  tracker::v1::VerifyAnalysesResponse out;
  std::vector<std::string> not_yet;
  int published = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    // One unanswered analysis makes the whole verdict unknown: never report
    // "not published" for what we could not see.
    if (!results[i].ok()) {
      LogWarning("verify_unavailable")
          .Kv("study", req.study_id())
          .Kv("analysis", req.analysis_ids(i))
          .Kv("error", std::string(results[i].status().message()));
      return absl::Status(results[i].status().code() == absl::StatusCode::kNotFound
                              ? absl::StatusCode::kUnavailable
                              : results[i].status().code(),
                          absl::StrCat("cannot verify ", req.analysis_ids(i), ": ",
                                       results[i].status().message()));
    }
    const auto& a = *results[i];
    bool ok = a.state() == tracker::v1::ANALYSIS_STATE_PUBLISHED && a.missing_object_ids_size() == 0;
    if (ok) {
      ++published;
    } else {
      not_yet.push_back(absl::StrCat(
          a.analysis_id(), " (", a.reported_state(),
          a.missing_object_ids_size() > 0
              ? absl::StrCat(", ", a.missing_object_ids_size(), " objects missing in SCORE")
              : "",
          ")"));
    }
    *out.add_analyses() = a;
  }
  out.set_verified(not_yet.empty());
  out.set_summary(absl::StrCat(published, " of ", results.size(), " analyses PUBLISHED",
                               not_yet.empty() ? "" : "; not yet: ",
                               absl::StrJoin(not_yet, ", ")));
  LogInfo("verified")
      .Kv("study", req.study_id())
      .Kv("analyses", static_cast<int64_t>(results.size()))
      .Kv("published", published)
      .Kv("verified", out.verified() ? "true" : "false");
  return out;
}

}  // namespace tracker::verifier
