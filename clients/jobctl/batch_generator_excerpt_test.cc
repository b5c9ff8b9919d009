// The oracle: from the real SONG payload dump, the generator makes the
// excerpt's three real LAML-KR batches, line for line and params.json for
// params.json. Each batch is generated against the repository as it was
// when the admins made it (the batch's own commit without the batch), and
// with the config in use then. Skips, saying so, without ../shared/fixtures.
//
// What the history shows (commit ids of the excerpt):
//   2021-07-22 (481f2207): the first LAML-KR batch, nothing in jobs before;
//     max_analyses_per_job was 50 then (scripts/job-gen.conf of the public
//     repository before it became 1): 60 large analyses alone, 64 small
//     ones pooled into job.0061 (50) and job.0062 (14).
//   2021-08-13 (237c8217): those two pooled jobs had been put in onhold/;
//     the admins removed their 64 lines from the 2021-07-22 summary and
//     generated again with max_analyses_per_job: 1 (64 jobs). The onhold/
//     folders, whose params.json still named the 64 analyses, were deleted
//     only on 2021-08-17 (a875f6c3). The original read summaries only; ours
//     also reads every params.json, so it generates this batch only once
//     the onhold jobs are gone, and says "nothing new" before.
//   2021-08-27 (6cfd7642): 2021-07-22/job.0027 failed; its line and folder
//     were removed ("manually remove UNPUBLISHED analysis", though the dump
//     has it PUBLISHED) and one job generated again.

#include <fstream>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "clients/jobctl/batch_generator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/test_util.h"
#include "tracking/batch_summary.h"

namespace jobctl {
namespace {

using ::testing::HasSubstr;
using ::tracker::testing::FixturesDir;
using ::tracker::testing::Shell;
using ::tracker::testing::ShellQuote;
using ::tracker::testing::TempDir;

constexpr char kDumpName[] = "LAML-KR.payloads.2021-07-12.json.gz";
constexpr char kStudyDir[] = "jobs/LAML-KR/";

class GeneratorOracleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_FIXTURES();
    const std::string dump = FixturesDir() + "/" + kDumpName;
    auto analyses = ReadPayloadDump(dump);
    ASSERT_TRUE(analyses.ok()) << analyses.status();
    dump_ = *std::move(analyses);
    repo_ = tmp_.path() + "/excerpt.git";
    ASSERT_TRUE(tracker::testing::MakeExcerptRemote(repo_));
  }

  std::string Git(const std::string& args) {
    auto r = Shell(absl::StrCat("git -C ", ShellQuote(repo_), " ", args, " 2>/dev/null"));
    EXPECT_EQ(r.exit_code, 0) << args;
    return r.output;
  }
  std::string Show(const std::string& commit, const std::string& path) {
    return Git(absl::StrCat("show ", commit, ":", path));
  }

  // Every file of the study at `commit`, without those under `skip`
  // (prefixes relative to the study's folder).
  std::vector<std::string> Files(const std::string& commit, const std::vector<std::string>& skip) {
    std::vector<std::string> out;
    for (absl::string_view path :
         absl::StrSplit(Git(absl::StrCat("ls-tree -r --name-only ", commit, " ", kStudyDir)), '\n',
                        absl::SkipEmpty())) {
      bool skipped = false;
      for (const std::string& s : skip) skipped |= absl::StartsWith(path, kStudyDir + s);
      if (!skipped) out.emplace_back(path);
    }
    return out;
  }

  // What our generator counts as "in a job": every summary line and every
  // params.json of the study.
  std::set<std::string> InJobs(const std::string& commit, const std::vector<std::string>& skip) {
    std::set<std::string> ids;
    for (const std::string& path : Files(commit, skip)) {
      if (absl::EndsWith(path, "/batch-summary.tsv")) {
        auto summary = tracker::tracking::ParseBatchSummary(Show(commit, path));
        EXPECT_TRUE(summary.ok()) << path;
        if (summary.ok()) {
          for (const auto& line : summary->lines) ids.insert(line.analysis_id);
        }
      } else if (absl::EndsWith(path, "/params.json")) {
        auto in_params = ParamsAnalysisIds(Show(commit, path), path);
        EXPECT_TRUE(in_params.ok()) << path;
        if (in_params.ok()) ids.insert(in_params->begin(), in_params->end());
      }
    }
    return ids;
  }

  // Generates against `in_jobs` and compares with the real batch made in
  // `commit`: the summary byte for byte, every params.json (written from
  // the real job.0001's params as the template) byte for byte but the
  // newline json.dumps did not write.
  void ExpectRealBatch(const std::string& commit, const std::string& batch,
                       const GeneratorConfig& config, const std::set<std::string>& in_jobs) {
    auto generated = GroupAnalyses("LAML-KR", dump_, in_jobs, config, config.max_jobs_per_batch);
    ASSERT_TRUE(generated.ok()) << generated.status();
    const std::string dir = kStudyDir + batch + "/";
    const std::string real = Show(commit, dir + "batch-summary.tsv");
    const std::string summary = GeneratedSummary(kDumpName, generated->jobs);
    EXPECT_EQ(summary, real);
    auto plan = PlanGeneratedBatch("LAML-KR", summary, Show(commit, dir + "backlog/job.0001/params.json"),
                                   /*max_cpus=*/4);  // the script's cap in July and August 2021
    ASSERT_TRUE(plan.ok()) << plan.status();
    ASSERT_EQ(plan->jobs.size(), generated->jobs.size());
    for (const auto& [job, text] : plan->params_json) {
      EXPECT_EQ(absl::StripSuffix(text, "\n"), Show(commit, dir + "backlog/" + job + "/params.json"))
          << batch << "/" << job;
    }
  }

  TempDir tmp_;
  std::string repo_;
  std::vector<DumpAnalysis> dump_;
};

GeneratorConfig Config(int analyses_per_job) {
  GeneratorConfig c;
  c.max_pooled_bytes = 2000000000;
  c.max_analyses_per_job = analyses_per_job;
  c.max_jobs_per_batch = 1000;
  return c;
}

TEST_F(GeneratorOracleTest, TheDumpIsTheStudysPublishedAnalyses) {
  ASSERT_EQ(dump_.size(), 124u);
  for (const DumpAnalysis& a : dump_) {
    EXPECT_EQ(a.study, "LAML-KR");
    EXPECT_EQ(a.state, "PUBLISHED") << a.analysis_id;
  }
}

TEST_F(GeneratorOracleTest, Batch20210722PoolsFiftyPerJob) {
  const std::string commit = "481f220739173d4978815aa3074a4124236c3dde";
  const std::set<std::string> before = InJobs(commit + "^", {});
  EXPECT_TRUE(before.empty());
  ExpectRealBatch(commit, "2021-07-22", Config(50), before);
  // With the final config (the fixture's job-gen.conf) the same dump makes
  // 124 jobs: the config changed between the batches.
  std::ifstream in(FixturesDir() + "/job-gen.conf");
  const std::string conf((std::istreambuf_iterator<char>(in)), {});
  auto final_config = ParseGeneratorConfig(conf);
  ASSERT_TRUE(final_config.ok()) << final_config.status();
  EXPECT_EQ(final_config->max_analyses_per_job, 1);
  auto all = GroupAnalyses("LAML-KR", dump_, before, *final_config, 1000);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->jobs.size(), 124u);
}

TEST_F(GeneratorOracleTest, Batch20210813RegeneratesTheOnholdJobsOnceTheyAreGone) {
  const std::string commit = "237c821721c99b8c0b1125bafa550fab65d6b42b";
  // As the repository was: the onhold jobs still name the 64 analyses, so
  // nothing is new to us (the original, reading summaries only, went on).
  auto as_was = GroupAnalyses("LAML-KR", dump_, InJobs(commit, {"2021-08-13/"}), Config(1), 1000);
  EXPECT_EQ(as_was.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(as_was.status().message()), HasSubstr("124 already in jobs"));
  // Without them (what a875f6c3 did four days later): the real batch.
  const std::set<std::string> before = InJobs(commit, {"2021-08-13/", "2021-07-22/onhold/"});
  EXPECT_EQ(before.size(), 60u);
  ExpectRealBatch(commit, "2021-08-13", Config(1), before);
}

TEST_F(GeneratorOracleTest, Batch20210827RegeneratesTheRemovedFailedJob) {
  const std::string commit = "6cfd76427feb93c1c76c9cb58e2cf51b03ebde04";
  const std::set<std::string> before = InJobs(commit, {"2021-08-27/"});
  EXPECT_EQ(before.size(), 123u);
  EXPECT_EQ(before.count("EGAR00001634204"), 0u);
  ExpectRealBatch(commit, "2021-08-27", Config(1), before);
}

}  // namespace
}  // namespace jobctl
