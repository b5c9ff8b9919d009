// The verifier against a fake HTTP transport that answers as SONG does:
// GET /studies/{studyId}/analysis/{analysisId} returns the analysis (its
// analysisId, analysisState and file[] with objectId), 404 when unknown
// (overture-stack/SONG, song-server/src/main/java/bio/overture/song/server/
// controller/AnalysisController.java). SCORE's object lookup answers 200
// when the object is there, 404 when not.

#include "services/azure_verifier/verifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "testing/fake_http_client.h"

namespace tracker::verifier {
namespace {

using ::testing::HasSubstr;
using testing::FakeHttpClient;

constexpr char kSong[] = "https://song.azure.test";
constexpr char kScore[] = "https://score.azure.test";
constexpr char kStudy[] = "LAML-KR";

class VerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http_->SetHandler([this](const HttpRequest& r) -> absl::StatusOr<HttpResponse> {
      HttpResponse out;
      const std::string prefix = absl::StrCat(kSong, "/studies/", kStudy, "/analysis/");
      if (absl::StartsWith(r.url, prefix)) {
        auto it = song_.find(r.url.substr(prefix.size()));
        if (it == song_.end()) {
          out.status = 404;
          out.body = R"({"errorId":"analysis.id.not.found","httpStatusCode":404})";
        } else {
          out.status = 200;
          out.body = it->second;
        }
        return out;
      }
      const std::string upload = absl::StrCat(kScore, "/upload/");
      if (absl::StartsWith(r.url, upload)) {
        out.status = score_.count(r.url.substr(upload.size())) ? 200 : 404;
        return out;
      }
      return absl::InternalError("unexpected " + r.url);
    });
  }

  // An analysis as SONG answers it (fields as in the real payload dump).
  void Analysis(const std::string& id, const std::string& state,
                std::vector<std::string> objects = {}) {
    std::string files;
    for (const auto& o : objects) {
      absl::StrAppend(&files, files.empty() ? "" : ",", R"({"objectId":")", o,
                      R"(","fileName":"x.bam","fileSize":7})");
    }
    song_[id] = absl::StrCat(R"({"analysisId":")", id, R"(","studyId":")", kStudy,
                             R"(","analysisType":{"name":"sequencing_experiment"},)",
                             R"("analysisState":")", state, R"(","file":[)", files, "]}");
  }

  tracker::v1::VerifyAnalysesRequest Request(std::vector<std::string> ids, bool score = false) {
    tracker::v1::VerifyAnalysesRequest req;
    req.set_song_url(kSong);
    if (score) req.set_score_url(kScore);
    req.set_study_id(kStudy);
    for (const auto& id : ids) req.add_analysis_ids(id);
    return req;
  }

  std::shared_ptr<FakeHttpClient> http_ = std::make_shared<FakeHttpClient>();
  Verifier verifier_{http_, std::make_shared<StaticTokenProvider>("song-token"),
                     std::make_shared<StaticTokenProvider>("score-token")};
  std::map<std::string, std::string> song_;
  std::set<std::string> score_;
};

TEST_F(VerifierTest, AllPublishedIsVerified) {
  Analysis("EGAR00001634204", "PUBLISHED", {"o1"});
  Analysis("4b699bc1-9705-4ef8-85bd-843476ddcda6", "PUBLISHED", {"o2", "o3"});
  auto r = verifier_.VerifyAnalyses(Request({"EGAR00001634204", "4b699bc1-9705-4ef8-85bd-843476ddcda6"}));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->verified());
  ASSERT_EQ(r->analyses_size(), 2);
  EXPECT_EQ(r->analyses(1).file_count(), 2);
  EXPECT_EQ(r->summary(), "2 of 2 analyses PUBLISHED");
  // SONG is asked with its own token, never SCORE's.
  for (const auto& req : http_->requests()) {
    EXPECT_THAT(req.headers, ::testing::Contains(std::make_pair(std::string("Authorization"),
                                                                std::string("Bearer song-token"))));
  }
}

// SONG 1.x writes "analysisType" twice, first and last (tools/sim/song_sim.cc
// cites why); protobuf's parser alone refuses such an object.
TEST_F(VerifierTest, Song1AnswerWithItsRepeatedAnalysisTypeIsRead) {
  const std::string id = "EGAR00001671360";
  song_[id] = absl::StrCat(
      R"({"analysisType":"sequencingRead","info":{"isPcawg":false},"analysisId":")", id,
      R"(","study":"LAML-KR","analysisState":"PUBLISHED","sample":[],"file":[)",
      R"({"info":{},"objectId":"1a692b1d-cd69-5299-a31a-50cc1f35a29f","fileSize":4890},)",
      R"({"info":{},"objectId":"712df49c-9664-5579-a3e0-45fdef5d90e2","fileSize":69213845043}],)",
      R"("experiment":{"analysisId":")", id, R"(","info":{}},"analysisType":"sequencingRead"})");
  score_ = {"1a692b1d-cd69-5299-a31a-50cc1f35a29f", "712df49c-9664-5579-a3e0-45fdef5d90e2"};
  auto r = verifier_.VerifyAnalyses(Request({id}, /*score=*/true));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->verified()) << r->summary();
  EXPECT_EQ(r->analyses(0).state(), tracker::v1::ANALYSIS_STATE_PUBLISHED);
  EXPECT_EQ(r->analyses(0).file_count(), 2);
  EXPECT_TRUE(r->analyses(0).objects_checked());
}

TEST_F(VerifierTest, UnpublishedAndUnknownAreNamed) {
  Analysis("a1", "PUBLISHED");
  Analysis("a2", "UNPUBLISHED");
  auto r = verifier_.VerifyAnalyses(Request({"a1", "a2", "a3"}));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->verified());
  EXPECT_EQ(r->analyses(1).state(), tracker::v1::ANALYSIS_STATE_UNPUBLISHED);
  EXPECT_EQ(r->analyses(2).state(), tracker::v1::ANALYSIS_STATE_NOT_FOUND);
  EXPECT_EQ(r->summary(), "1 of 3 analyses PUBLISHED; not yet: a2 (UNPUBLISHED), a3 (NOT_FOUND)");
}

TEST_F(VerifierTest, MissingScoreObjectsKeepItUnverified) {
  Analysis("a1", "PUBLISHED", {"o1", "o2"});
  score_ = {"o1"};
  auto r = verifier_.VerifyAnalyses(Request({"a1"}, /*score=*/true));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->verified());
  EXPECT_TRUE(r->analyses(0).objects_checked());
  EXPECT_THAT(r->analyses(0).missing_object_ids(), ::testing::ElementsAre("o2"));
  EXPECT_THAT(r->summary(), HasSubstr("1 objects missing in SCORE"));
}

TEST_F(VerifierTest, APublishedAnswerIsRemembered) {
  Analysis("a1", "PUBLISHED");
  ASSERT_TRUE(verifier_.VerifyAnalyses(Request({"a1"})).ok());
  const size_t asked = http_->requests().size();
  song_.clear();  // SONG would now say 404: the cache answers instead
  auto r = verifier_.VerifyAnalyses(Request({"a1"}));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->analyses(0).cached());
  EXPECT_EQ(http_->requests().size(), asked);
}

TEST_F(VerifierTest, AnUnreadableAnswerIsUnavailableNeverAVerdict) {
  song_["a1"] = "<html>gateway</html>";
  EXPECT_EQ(verifier_.VerifyAnalyses(Request({"a1"})).status().code(),
            absl::StatusCode::kUnavailable);
  song_["a1"] = R"({"analysisId":"a1"})";  // no analysisState
  EXPECT_EQ(verifier_.VerifyAnalyses(Request({"a1"})).status().code(),
            absl::StatusCode::kUnavailable);
  song_["a1"] = R"({"analysisId":"b2","analysisState":"PUBLISHED"})";
  auto r = verifier_.VerifyAnalyses(Request({"a1"}));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("answered analysis b2"));
}

TEST_F(VerifierTest, ServerErrorsAreUnavailable) {
  http_->Push(503, "busy");
  auto r = verifier_.VerifyAnalyses(Request({"a1"}));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  http_->Push(400, "bad");
  EXPECT_EQ(verifier_.VerifyAnalyses(Request({"a1"})).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(VerifierTest, BadInputIsInvalidArgumentAndAsksNothing) {
  auto req = Request({"a1"});
  req.set_song_url("ftp://song");
  EXPECT_EQ(verifier_.VerifyAnalyses(req).status().code(), absl::StatusCode::kInvalidArgument);
  req = Request({"a1"});
  req.set_song_url("https://song/?token=x");
  EXPECT_EQ(verifier_.VerifyAnalyses(req).status().code(), absl::StatusCode::kInvalidArgument);
  req = Request({"../a1"});
  EXPECT_EQ(verifier_.VerifyAnalyses(req).status().code(), absl::StatusCode::kInvalidArgument);
  req = Request({"a1"});
  req.set_study_id("LAML/KR");
  EXPECT_EQ(verifier_.VerifyAnalyses(req).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(verifier_.VerifyAnalyses(Request({})).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(http_->requests().empty());
}

}  // namespace
}  // namespace tracker::verifier
