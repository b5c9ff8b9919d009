// The verifier reading real SONG 1.x answers: every analysis of the LAML-KR
// payload dump (../shared/fixtures/LAML-KR.payloads.2021-07-12.json.gz, SONG's
// own answer, each analysis with "analysisType" twice) served as SONG serves
// one analysis. Skips, saying so, without the fixtures ($TRACKER_FIXTURES).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <map>
#include <memory>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/azure_verifier/verifier.h"
#include "testing/fake_http_client.h"
#include "testing/test_util.h"

namespace tracker::verifier {
namespace {

using testing::FakeHttpClient;

constexpr char kSong[] = "https://song.azure.test";
constexpr char kScore[] = "https://score.azure.test";
constexpr char kStudy[] = "LAML-KR";

// The text of the gzip file at `path`; empty when unreadable.
std::string Gunzip(const std::string& path) {
  std::string text;
  gzFile in = gzopen(path.c_str(), "rb");
  if (in == nullptr) return text;
  char buf[1 << 16];
  int n;
  while ((n = gzread(in, buf, sizeof buf)) > 0) text.append(buf, n);
  gzclose(in);
  return text;
}

// The elements of a top-level JSON array of objects, each as written (no
// parser here may see them before the verifier does).
std::vector<std::string> TopLevelObjects(const std::string& text) {
  std::vector<std::string> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
    } else if (c == '{' || c == '[') {
      if (depth++ == 1) start = i;
    } else if (c == '}' || c == ']') {
      if (--depth == 1) out.push_back(text.substr(start, i + 1 - start));
    }
  }
  return out;
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(VerifierDumpTest, EveryRealSong1AnalysisIsReadAsPublishedWithItsFiles) {
  SKIP_WITHOUT_FIXTURES();
  const std::string text =
      Gunzip(::tracker::testing::FixturesDir() + "/LAML-KR.payloads.2021-07-12.json.gz");
  const std::vector<std::string> analyses = TopLevelObjects(text);
  ASSERT_EQ(analyses.size(), 124u) << "the dump holds 124 analyses";

  // SONG's answer per analysis id, and the object ids its files name.
  std::map<std::string, std::string> song;
  std::map<std::string, size_t> objects;
  tracker::v1::VerifyAnalysesRequest req;
  req.set_song_url(kSong);
  req.set_score_url(kScore);
  req.set_study_id(kStudy);
  for (const auto& a : analyses) {
    // What this test is about: the repeated member, first and last.
    ASSERT_TRUE(absl::StartsWith(a, R"({"analysisType":)")) << a.substr(0, 80);
    ASSERT_EQ(Count(a, R"("analysisType":)"), 2u) << a.substr(0, 80);
    const std::string marker = R"("analysisId":")";
    const size_t at = a.find(marker) + marker.size();
    const std::string id = a.substr(at, a.find('"', at) - at);
    song[id] = a;
    objects[id] = Count(a, R"("objectId":)");
    req.add_analysis_ids(id);
  }
  ASSERT_EQ(song.size(), 124u);

  std::set<std::string> score;  // empty first: every file is named missing
  auto http = std::make_shared<FakeHttpClient>();
  http->SetHandler([&](const HttpRequest& r) -> absl::StatusOr<HttpResponse> {
    HttpResponse out;
    const std::string prefix = absl::StrCat(kSong, "/studies/", kStudy, "/analysis/");
    const std::string upload = absl::StrCat(kScore, "/upload/");
    if (absl::StartsWith(r.url, prefix)) {
      auto it = song.find(r.url.substr(prefix.size()));
      out.status = it == song.end() ? 404 : 200;
      if (it != song.end()) out.body = it->second;
    } else if (absl::StartsWith(r.url, upload)) {
      out.status = score.count(r.url.substr(upload.size())) ? 200 : 404;
    } else {
      return absl::InternalError("unexpected " + r.url);
    }
    return out;
  });

  {
    Verifier verifier(http, std::make_shared<StaticTokenProvider>("t"),
                      std::make_shared<StaticTokenProvider>("t"));
    auto r = verifier.VerifyAnalyses(req);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->analyses_size(), 124);
    size_t files = 0;
    for (const auto& a : r->analyses()) {
      EXPECT_EQ(a.state(), tracker::v1::ANALYSIS_STATE_PUBLISHED) << a.analysis_id();
      EXPECT_EQ(a.reported_state(), "PUBLISHED");
      EXPECT_EQ(static_cast<size_t>(a.file_count()), objects[a.analysis_id()]) << a.analysis_id();
      EXPECT_EQ(a.missing_object_ids_size(), a.file_count()) << a.analysis_id();
      for (const auto& o : a.missing_object_ids()) score.insert(o);
      files += a.file_count();
    }
    EXPECT_EQ(files, 551u) << "the dump names 551 files";
    EXPECT_FALSE(r->verified());
  }
  // With every object in SCORE, the whole study is verified.
  Verifier verifier(http, std::make_shared<StaticTokenProvider>("t"),
                    std::make_shared<StaticTokenProvider>("t"));
  auto r = verifier.VerifyAnalyses(req);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->verified()) << r->summary();
  EXPECT_EQ(r->summary(), "124 of 124 analyses PUBLISHED");
}

}  // namespace
}  // namespace tracker::verifier
