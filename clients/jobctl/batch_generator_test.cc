// The generator on payloads made here in SONG's real shape: the analysis as
// SONG 1.x serialises it (overture-stack/SONG,
// song-server/src/main/java/bio/overture/song/server/model/analysis/AbstractAnalysis.java:
// analysisId, study, analysisState, sample[], file[], analysisType, the
// last written twice: first as Jackson's external type property, last by
// its getter, as the real dumps have it) with
// its files as entity/FileEntity.java has them (objectId, studyId,
// analysisId, fileName, fileSize, fileType, fileMd5sum, fileAccess, info).

#include "clients/jobctl/batch_generator.h"

#include <zlib.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/test_util.h"

namespace jobctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::tracker::testing::TempDir;

// One analysis as SONG answers it, with a file of each given size.
std::string SongAnalysis(const std::string& id, const std::vector<int64_t>& sizes,
                         const std::string& state = "PUBLISHED",
                         const std::string& study = "LAML-KR") {
  std::vector<std::string> files;
  for (size_t i = 0; i < sizes.size(); ++i) {
    files.push_back(absl::StrCat(
        R"({"info": {}, "objectId": "00000000-0000-5000-8000-00000000000)", i,
        R"(", "studyId": ")", study, R"(", "analysisId": ")", id,
        R"(", "fileName": "f)", i, R"(.bam", "fileSize": )", sizes[i],
        R"(, "fileType": "BAM", "fileMd5sum": "8656ee216b6a6c942364c7b112152c2c", "fileAccess": "controlled"})"));
  }
  return absl::StrCat(R"({"analysisType": "sequencingRead", "info": {"isPcawg": false}, "analysisId": ")",
                      id, R"(", "study": ")", study, R"(", "analysisState": ")", state,
                      R"(", "sample": [{"sampleId": "SA1", "specimenId": "SP1", "sampleType": "DNA"}], "file": [)",
                      absl::StrJoin(files, ", "),
                      R"(], "experiment": {"analysisId": ")", id,
                      R"(", "libraryStrategy": "WGS"}, "analysisType": "sequencingRead"})");
}

std::string Dump(const std::vector<std::string>& analyses) {
  return absl::StrCat("[", absl::StrJoin(analyses, ",\n"), "]");
}

// The dump every grouping test uses: pool budget 100 bytes, 3 per job.
//   B1 (big), s1, s2, B2 (big), s3, s4, U (UNPUBLISHED), X (in a job), s5
std::vector<DumpAnalysis> MixedDump() {
  auto d = ParsePayloadDump(
      Dump({SongAnalysis("EGAR00000000001", {4890, 195110}), SongAnalysis("s1", {10}),
            SongAnalysis("s2", {15, 5}), SongAnalysis("EGAR00000000002", {300}),
            SongAnalysis("s3", {100}), SongAnalysis("s4", {40}),
            SongAnalysis("u1", {1}, "UNPUBLISHED"), SongAnalysis("x1", {1}),
            SongAnalysis("s5", {50})}),
      "test dump");
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : std::vector<DumpAnalysis>{};
}

GeneratorConfig SmallConfig() {
  GeneratorConfig c;
  c.max_pooled_bytes = 100;
  c.max_analyses_per_job = 3;
  return c;
}

TEST(ParsePayloadDump, ReadsSongsShape) {
  auto d = ParsePayloadDump(Dump({SongAnalysis("EGAR00001671360", {4890, 69213845043}),
                                  SongAnalysis("a1", {7}, "SUPPRESSED")}),
                            "dump");
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->size(), 2u);
  EXPECT_EQ((*d)[0].analysis_id, "EGAR00001671360");
  EXPECT_EQ((*d)[0].study, "LAML-KR");
  EXPECT_EQ((*d)[0].state, "PUBLISHED");
  EXPECT_EQ((*d)[0].bytes, 69213849933);  // the real job.0001's job_bytes
  EXPECT_EQ((*d)[1].state, "SUPPRESSED");
  // Later SONG versions say studyId.
  d = ParsePayloadDump(R"([{"analysisId": "a", "studyId": "PACA-CA", "analysisState": "PUBLISHED", "file": []}])", "dump");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ((*d)[0].study, "PACA-CA");
  EXPECT_EQ((*d)[0].bytes, 0);
  // SONG 1.x writes analysisType twice (its Jackson type property and the
  // getter): read as Python's json.load read it.
  d = ParsePayloadDump(R"([{"analysisType": "variantCall", "analysisId": "a", "study": "X",
                           "analysisType": "variantCall", "analysisState": "PUBLISHED",
                           "file": [{"fileSize": 5}]}])", "dump");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ((*d)[0].bytes, 5);
}

TEST(ParsePayloadDump, RefusesWhatIsNotAnArrayOfAnalyses) {
  for (const std::string& bad :
       {std::string("not json"), std::string(R"({"analysisId": "a"})"), std::string("[1]"),
        std::string(R"([{"study": "X", "analysisState": "PUBLISHED", "file": []}])"),
        std::string(R"([{"analysisId": "a", "study": "X", "analysisState": "PUBLISHED", "file": [{"fileName": "a.bam"}]}])"),
        std::string(R"([{"analysisId": "a", "analysisState": "PUBLISHED", "file": []}])"),
        std::string(R"([{"analysisId": "a", "study": "X", "file": []}])"),
        std::string(R"([{"analysisId": "a", "study": "X", "analysisState": "PUBLISHED", "file": [{"fileSize": 1.5}]}])"),
        std::string(R"([{"analysisId": "../a", "study": "X", "analysisState": "PUBLISHED", "file": []}])")}) {
    auto d = ParsePayloadDump(bad, "the dump");
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(d.status().message()), HasSubstr("the dump")) << bad;
  }
}

TEST(ReadPayloadDump, ReadsGzipAndPlainAndRefusesTheRest) {
  TempDir tmp;
  const std::string json = Dump({SongAnalysis("a1", {1, 2})});
  const std::string gz = tmp.path() + "/LAML-KR.payloads.2030-01-01.json.gz";
  gzFile out = gzopen(gz.c_str(), "wb");
  ASSERT_NE(out, nullptr);
  ASSERT_EQ(gzwrite(out, json.data(), json.size()), static_cast<int>(json.size()));
  gzclose(out);
  auto d = ReadPayloadDump(gz);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ((*d)[0].bytes, 3);
  std::ofstream(tmp.path() + "/plain.json") << json;
  EXPECT_TRUE(ReadPayloadDump(tmp.path() + "/plain.json").ok());

  EXPECT_EQ(ReadPayloadDump(tmp.path() + "/missing.json.gz").status().code(),
            absl::StatusCode::kNotFound);
  // A gzip file cut short is not read as the part that is there.
  std::ifstream in(gz, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  std::ofstream(tmp.path() + "/cut.json.gz", std::ios::binary) << bytes.substr(0, bytes.size() - 12);
  auto cut = ReadPayloadDump(tmp.path() + "/cut.json.gz");
  EXPECT_EQ(cut.status().code(), absl::StatusCode::kInvalidArgument);
  std::ofstream(tmp.path() + "/text.txt") << "hello";
  EXPECT_THAT(std::string(ReadPayloadDump(tmp.path() + "/text.txt").status().message()),
              HasSubstr("is not JSON"));
}

TEST(GroupAnalyses, PoolsSmallAnalysesAndKeepsDumpOrder) {
  auto g = GroupAnalyses("LAML-KR", MixedDump(), {"x1"}, SmallConfig(), 1000);
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(g->jobs.size(), 4u);
  // Big ones are jobs at once; the pool closes when the next small one
  // finds it full (s4 after s3), so it comes after B2.
  EXPECT_THAT(g->jobs[0].analyses, ElementsAre(Pair("EGAR00000000001", 200000)));
  EXPECT_THAT(g->jobs[1].analyses, ElementsAre(Pair("EGAR00000000002", 300)));
  // s3 is exactly the budget: pooled (only larger ones are alone).
  EXPECT_THAT(g->jobs[2].analyses, ElementsAre(Pair("s1", 10), Pair("s2", 20), Pair("s3", 100)));
  EXPECT_EQ(g->jobs[2].bytes, 130);
  EXPECT_THAT(g->jobs[3].analyses, ElementsAre(Pair("s4", 40), Pair("s5", 50)));
  EXPECT_EQ(g->already_in_jobs, 1);
  EXPECT_EQ(g->not_published, 1);
  EXPECT_EQ(g->left_for_later, 0);

  EXPECT_EQ(GeneratedSummary("LAML-KR.payloads.2030-01-01.json.gz", g->jobs),
            "# SONG analysis objects retrieved from payload dump: LAML-KR.payloads.2030-01-01.json.gz\n"
            "job.0001\t1\t200000\tEGAR00000000001\t200000\n"
            "job.0002\t1\t300\tEGAR00000000002\t300\n"
            "job.0003\t3\t130\ts1\t10\n"
            "job.0003\t3\t130\ts2\t20\n"
            "job.0003\t3\t130\ts3\t100\n"
            "job.0004\t2\t90\ts4\t40\n"
            "job.0004\t2\t90\ts5\t50\n");
}

TEST(GroupAnalyses, OnePerJobAsTheFinalConfig) {
  GeneratorConfig c = SmallConfig();
  c.max_analyses_per_job = 1;
  auto g = GroupAnalyses("LAML-KR", MixedDump(), {"x1"}, c, 1000);
  ASSERT_TRUE(g.ok()) << g.status();
  std::vector<std::string> order;
  for (const auto& job : g->jobs) {
    ASSERT_EQ(job.analyses.size(), 1u);
    order.push_back(job.analyses[0].first);
  }
  // A small analysis becomes a job when the next small one arrives.
  EXPECT_THAT(order, ElementsAre("EGAR00000000001", "s1", "EGAR00000000002", "s2", "s3", "s4", "s5"));
}

TEST(GroupAnalyses, StopsAtTheJobCountAsTheOriginal) {
  auto g = GroupAnalyses("LAML-KR", MixedDump(), {"x1"}, SmallConfig(), 3);
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(g->jobs.size(), 3u);
  // s4 found the pool full, closed job 3, and waits with s5.
  EXPECT_EQ(g->left_for_later, 2);
  g = GroupAnalyses("LAML-KR", MixedDump(), {"x1"}, SmallConfig(), 1);
  ASSERT_TRUE(g.ok());
  ASSERT_EQ(g->jobs.size(), 1u);
  EXPECT_EQ(g->left_for_later, 6);  // the open pool (s1, s2) is dropped too
  // A batch of two: the second big one is the limit; s1 and s2 wait.
  g = GroupAnalyses("LAML-KR", MixedDump(), {"x1"}, SmallConfig(), 2);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->jobs[1].analyses[0].first, "EGAR00000000002");
  EXPECT_EQ(g->left_for_later, 5);
}

TEST(GroupAnalyses, RefusesAnotherStudyAndNothingNew) {
  auto dump = MixedDump();
  auto g = GroupAnalyses("PACA-CA", dump, {}, SmallConfig(), 1000);
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(g.status().message()), HasSubstr("of study 'LAML-KR'"));
  std::set<std::string> all;
  for (const auto& a : dump) all.insert(a.analysis_id);
  all.erase("u1");
  g = GroupAnalyses("LAML-KR", dump, all, SmallConfig(), 1000);
  EXPECT_EQ(g.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(g.status().message()), HasSubstr("8 already in jobs, 1 not PUBLISHED"));
  EXPECT_EQ(GroupAnalyses("LAML-KR", {}, {}, SmallConfig(), 5).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ParseGeneratorConfig, ReadsJobGenConf) {
  auto c = ParseGeneratorConfig(
      "# config in YAML format\n\nmax_analysis_data_size_to_be_pooled: 2000000000  # 2 GB\n"
      "max_analyses_per_job: 50\nmax_jobs_per_batch: 1000\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->max_pooled_bytes, 2000000000);
  EXPECT_EQ(c->max_analyses_per_job, 50);
  EXPECT_EQ(c->max_jobs_per_batch, 1000);
  for (const char* bad : {"max_analyses_per_job: 1\nmax_jobs_per_batch: 5\n",
                          "max_analysis_data_size_to_be_pooled: 2GB\nmax_analyses_per_job: 1\nmax_jobs_per_batch: 5\n",
                          "max_analysis_data_size_to_be_pooled: 1\nmax_analyses_per_job: 0\nmax_jobs_per_batch: 5\n",
                          "[1, 2]", "a: [", "max_analysis_data_size_to_be_pooled: 1\nmax_analyses_per_job: 1\nmax_jobs_per_batch: 10000\n"}) {
    EXPECT_EQ(ParseGeneratorConfig(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(NextBatchId, FollowsTheOriginalsLetters) {
  EXPECT_EQ(*NextBatchId({}, "2021-08-27"), "2021-08-27");
  EXPECT_EQ(*NextBatchId({"2021-07-22", "2021-08-13"}, "2021-08-27"), "2021-08-27");
  EXPECT_EQ(*NextBatchId({"2021-08-27", "2021-07-22"}, "2021-08-27"), "2021-08-27a");
  EXPECT_EQ(*NextBatchId({"2021-08-27", "2021-08-27a"}, "2021-08-27"), "2021-08-27b");
  EXPECT_EQ(NextBatchId({"2021-08-27z"}, "2021-08-27").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(PlanGeneratedBatch, SortsParamsAndSizesTheTransfer) {
  GeneratorConfig c = SmallConfig();
  auto g = GroupAnalyses("LAML-KR", MixedDump(), {"x1"}, c, 1000);
  ASSERT_TRUE(g.ok());
  // s2 before s1 in the pool: the summary keeps pool order, params sort.
  std::swap(g->jobs[2].analyses[0], g->jobs[2].analyses[1]);
  const std::string summary = GeneratedSummary("d.json.gz", g->jobs);
  auto plan = PlanGeneratedBatch(
      "LAML-KR", summary,
      R"({"max_retries": 3, "download_cpus": 1, "download_mem": 2, "upload_cpus": 1, "upload_mem": 2})", 4);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->summary_tsv, summary);
  const std::string& pooled = plan->params_json.at("job.0003");
  EXPECT_THAT(pooled, HasSubstr("\"analysis_id\": [\n    \"s1\",\n    \"s2\",\n    \"s3\"\n  ]"));
  EXPECT_THAT(pooled, HasSubstr("\"download_cpus\": 1,\n  \"download_mem\": 2"));
  EXPECT_TRUE(tracker::JsonObjectMembers(pooled, "params").ok()) << pooled;
  // No sizing asked: the template as written.
  plan = PlanGeneratedBatch("LAML-KR", summary, R"({"upload_cpus": 3})", 0);
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(plan->params_json.at("job.0001"), HasSubstr("\"upload_cpus\": 3\n"));
  EXPECT_THAT(plan->params_json.at("job.0001"), Not(HasSubstr("download_cpus")));
}

TEST(JobCpus, OnePerFiveGigabytesForASingleAnalysis) {
  EXPECT_EQ(JobCpus(1, 69213849933, 4), 4);   // 13 wanted, capped
  EXPECT_EQ(JobCpus(1, 69213849933, 8), 8);
  EXPECT_EQ(JobCpus(1, 14999999999, 8), 2);
  EXPECT_EQ(JobCpus(1, 59421009, 4), 1);
  EXPECT_EQ(JobCpus(50, 900000000000, 4), 1);  // pooled jobs get one
}

TEST(ParamsAnalysisIds, ReadsAListOrOneString) {
  EXPECT_THAT(*ParamsAnalysisIds(R"({"analysis_id": ["a", "b"]})", "p"), ElementsAre("a", "b"));
  EXPECT_THAT(*ParamsAnalysisIds(R"({"analysis_id": "a"})", "p"), ElementsAre("a"));
  EXPECT_TRUE(ParamsAnalysisIds(R"({"cpus": 1})", "p")->empty());
  EXPECT_EQ(ParamsAnalysisIds("[", "p").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace jobctl
