// SONG and SCORE, as far as the azure-verifier reads them, on loopback:
//   GET /studies/{study}/analysis/{id}  -> the analysis in SONG 1.x's shape (analysisType
//        twice, analysisId, study, analysisState, file[]: see AnalysisJson)
//   GET /upload/{objectId}              -> 200 when the object is in SCORE, else 404
// Test controls (never faulted):
//   PUT  /_sim/analyses {"study_id", "analysis_id", "state", "object_ids": [...],
//                        "missing_object_ids": [...]}
//   POST /_sim/publish  {"study_id", "analysis_ids": [...]}   (what the transfer
//        workflow does when it finishes: analyses PUBLISHED, objects uploaded)
//   GET  /_sim/analyses
//   POST /_sim/faults, DELETE /_sim/faults   see sim_server.h
//
//   song-sim --port=0 --seed=7 [--unknown_state=UNPUBLISHED]

#include <map>
#include <random>
#include <set>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "common/json.h"
#include "tools/sim/sim_server.h"

ABSL_FLAG(int, port, 0, "port on --host (0: any free one)");
ABSL_FLAG(std::string, port_file, "", "write the bound port here");
ABSL_FLAG(uint64_t, seed, 1, "seed of generated object ids");
ABSL_FLAG(std::string, unknown_state, "NOT_FOUND",
          "answer for analyses never registered: NOT_FOUND (HTTP 404) or a state such as "
          "UNPUBLISHED (registered on first read, as a destination SONG that already has the "
          "metadata)");
ABSL_FLAG(int, files_per_analysis, 2, "objects of a generated analysis");

namespace tracker::sim {
namespace {

using google::protobuf::Struct;

// What every analysis here is: SONG 1.x's name for a read-alignment analysis.
constexpr char kAnalysisType[] = "sequencingRead";

struct Analysis {
  std::string state;
  std::vector<std::string> object_ids;
};

class SongSim {
 public:
  SongSim(uint64_t seed, std::string unknown_state, int files)
      : rng_(seed), unknown_state_(std::move(unknown_state)), files_(files) {}

  void Install(httplib::Server& s) {
    faults_.Install(s);
    s.Get(R"(/studies/([^/]+)/analysis/([^/]+))",
          [this](const httplib::Request& req, httplib::Response& res) {
            Get(req.matches[1], req.matches[2], res);
          });
    s.Get(R"(/upload/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      absl::MutexLock lock(&mu_);
      std::string id = req.matches[1];
      if (uploaded_.count(id) == 0) return JsonError(res, 404, "object not found: " + id);
      Json(res, absl::StrCat(R"({"objectId":")", id, R"(","uploadId":"u-)", id,
                             R"(","parts":[],"objectMd5":""})"));
    });
    s.Put("/_sim/analyses", [this](const httplib::Request& req, httplib::Response& res) {
      auto body = ParseJsonObject(req.body, "analysis");
      if (!body.ok()) return JsonError(res, 400, std::string(body.status().message()));
      absl::MutexLock lock(&mu_);
      Analysis a;
      a.state = StringField(*body, "state");
      for (const char* key : {"object_ids", "missing_object_ids"}) {
        auto it = body->fields().find(key);
        if (it == body->fields().end()) continue;
        for (const auto& v : it->second.list_value().values()) {
          a.object_ids.push_back(v.string_value());
          if (std::string(key) == "object_ids") uploaded_.insert(v.string_value());
        }
      }
      analyses_[Key(StringField(*body, "study_id"), StringField(*body, "analysis_id"))] = a;
      Json(res, "{}");
    });
    s.Post("/_sim/publish", [this](const httplib::Request& req, httplib::Response& res) {
      auto body = ParseJsonObject(req.body, "publish");
      if (!body.ok()) return JsonError(res, 400, std::string(body.status().message()));
      std::string study = StringField(*body, "study_id");
      absl::MutexLock lock(&mu_);
      auto it = body->fields().find("analysis_ids");
      if (it == body->fields().end()) return JsonError(res, 400, "analysis_ids required");
      std::vector<std::string> ids;
      if (it->second.has_list_value()) {
        for (const auto& v : it->second.list_value().values()) ids.push_back(v.string_value());
      } else {
        ids.push_back(it->second.string_value());
      }
      for (const auto& id : ids) {
        Analysis& a = Register(study, id);
        a.state = "PUBLISHED";
        for (const auto& o : a.object_ids) uploaded_.insert(o);
      }
      Json(res, "{}");
    });
    s.Get("/_sim/analyses", [this](const httplib::Request&, httplib::Response& res) {
      absl::MutexLock lock(&mu_);
      Struct out;
      auto& f = *out.mutable_fields();
      for (const auto& [key, a] : analyses_) f[key].set_string_value(a.state);
      Json(res, ToJson(out));
    });
  }

  FaultInjector faults_;

 private:
  static std::string Key(const std::string& study, const std::string& id) {
    return study + "/" + id;
  }

  Analysis& Register(const std::string& study, const std::string& id) {
    auto [it, inserted] = analyses_.try_emplace(Key(study, id));
    if (inserted) {
      it->second.state = "UNPUBLISHED";
      for (int i = 0; i < files_; ++i) {
        char buf[40];
        uint64_t a = rng_(), b = rng_();
        snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx",
                 static_cast<unsigned long long>(a >> 32), static_cast<unsigned long long>(a & 0xffff),
                 static_cast<unsigned long long>((a >> 16) & 0xffff),
                 static_cast<unsigned long long>(b & 0xffff),
                 static_cast<unsigned long long>(b >> 16) & 0xffffffffffffULL);
        it->second.object_ids.push_back(buf);
      }
    }
    return it->second;
  }

  void Get(const std::string& study, const std::string& id, httplib::Response& res) {
    absl::MutexLock lock(&mu_);
    auto it = analyses_.find(Key(study, id));
    if (it == analyses_.end()) {
      if (unknown_state_ == "NOT_FOUND") {
        return Json(res,
                    absl::StrCat(R"({"errorId":"analysis.id.not.found","httpStatusCode":404,)",
                                 R"("message":"The analysisId ')", id, R"(' was not found"})"),
                    404);
      }
      Register(study, id).state = unknown_state_;
      it = analyses_.find(Key(study, id));
    }
    Json(res, AnalysisJson(study, id, it->second));
  }

  // One analysis as SONG 1.x writes it, members in its order. Jackson writes
  // "analysisType" twice: first as the type id of @JsonTypeInfo(use=NAME,
  // include=EXTERNAL_PROPERTY, property="analysisType") on AbstractAnalysis
  // (on a class Jackson treats EXTERNAL_PROPERTY as PROPERTY: the type id is
  // the first member), then again, last, as the bean property of the
  // getAnalysisType() getter, which Jackson does not merge with the type id.
  // overture-stack/SONG: song-server/src/main/java/bio/overture/song/server/
  // model/analysis/AbstractAnalysis.java, and song-server/src/main/java/org/
  // icgc/dcc/song/server/model/analysis/SequencingReadAnalysis.java for the
  // getter (@JsonGetter getAnalysisType). Every analysis of the real dump
  // (LAML-KR.payloads.2021-07-12.json.gz) reads {"analysisType", "info",
  // "analysisId", "study", "analysisState", "sample", "file", "experiment",
  // "analysisType"}, both analysisType members the same string.
  static std::string AnalysisJson(const std::string& study, const std::string& id,
                                  const Analysis& a) {
    const std::string type = JsonQuote(kAnalysisType);
    std::string files;
    int n = 0;
    for (const auto& o : a.object_ids) {
      // FileEntity's members, in its order.
      absl::StrAppend(&files, n == 0 ? "" : ",", R"({"info":{},"objectId":)", JsonQuote(o),
                      R"(,"studyId":)", JsonQuote(study), R"(,"analysisId":)", JsonQuote(id),
                      R"(,"fileName":)", JsonQuote(absl::StrCat(id, ".", n, ".bam")),
                      R"(,"fileSize":)", 1001 + n,
                      R"(,"fileType":"BAM","fileMd5sum":"d41d8cd98f00b204e9800998ecf8427e",)",
                      R"("fileAccess":"controlled"})");
      ++n;
    }
    return absl::StrCat(R"({"analysisType":)", type, R"(,"info":{},"analysisId":)", JsonQuote(id),
                        R"(,"study":)", JsonQuote(study), R"(,"analysisState":)",
                        JsonQuote(a.state), R"(,"sample":[],"file":[)", files,
                        R"(],"experiment":{"analysisId":)", JsonQuote(id),
                        R"(,"aligned":false,"libraryStrategy":"WGS","info":{}},"analysisType":)",
                        type, "}");
  }

  absl::Mutex mu_;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
  std::string unknown_state_;
  int files_;
  std::map<std::string, Analysis> analyses_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> uploaded_ ABSL_GUARDED_BY(mu_);
};

}  // namespace
}  // namespace tracker::sim

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  tracker::sim::SongSim sim(absl::GetFlag(FLAGS_seed), absl::GetFlag(FLAGS_unknown_state),
                            absl::GetFlag(FLAGS_files_per_analysis));
  httplib::Server server;
  sim.Install(server);
  return tracker::sim::Serve(server, "song-sim", absl::GetFlag(FLAGS_port),
                             absl::GetFlag(FLAGS_port_file));
}
