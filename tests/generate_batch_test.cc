// jobctl generate-batch through the binary only, against the real services
// on a generated tracking repository: a SONG payload dump (made here in
// SONG's shape: overture-stack/SONG song-server/.../model/analysis/
// AbstractAnalysis.java with entity/FileEntity.java, "analysisType"
// written twice as SONG 1.x does) becomes a batch of the analyses no job
// holds, grouped as the original generator; bad inputs write nothing.

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "testing/cluster.h"
#include "testing/jobctl_runner.h"

namespace tracker {
namespace {

using ::testing::HasSubstr;
using ::tracker::testing::Cluster;
using ::tracker::testing::ClusterOptions;
using ::tracker::testing::Shell;
using ::tracker::testing::ShellQuote;
using ::tracker::testing::TempDir;
using namespace tracker::v1;  // NOLINT: generated message names

using Outcome = ::tracker::testing::JobctlOutcome;

std::string SongAnalysis(const std::string& id, const std::string& study, int64_t bytes,
                         const std::string& state = "PUBLISHED") {
  return absl::StrCat(
      R"({"analysisType": "sequencingRead", "info": {}, "analysisId": ")", id, R"(", "study": ")",
      study, R"(", "analysisState": ")", state,
      R"(", "sample": [], "file": [{"info": {}, "objectId": "1a692b1d-cd69-5299-a31a-50cc1f35a29f", "studyId": ")",
      study, R"(", "analysisId": ")", id, R"(", "fileName": "bundle.xml", "fileSize": 4890, "fileType": "XML",)",
      R"( "fileMd5sum": "8656ee216b6a6c942364c7b112152c2c", "fileAccess": "open"}, {"info": {},)",
      R"( "objectId": "712df49c-9664-5579-a3e0-45fdef5d90e2", "studyId": ")", study,
      R"(", "analysisId": ")", id, R"(", "fileName": "reads.bam", "fileSize": )", bytes - 4890,
      R"(, "fileType": "BAM", "fileMd5sum": "ca235b8e5c91de4941c982ba92be3f8c", "fileAccess": "controlled"}],)",
      R"( "experiment": {"analysisId": ")", id, R"(", "aligned": false}, "analysisType": "sequencingRead"})");
}

class GenerateBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ClusterOptions options;
    options.jobs = 4;
    options.use_excerpt = false;
    options.envs = {{"rdpc_qa", 1, false}};
    cluster_ = std::make_unique<Cluster>(tmp_.path(), options);
    std::string error;
    ASSERT_TRUE(cluster_->Start(&error)) << error;
  }

  Outcome Jobctl(const std::vector<std::string>& args) {
    return ::tracker::testing::RunJobctl(*cluster_, tmp_.path(), args);
  }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = tmp_.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  // The dump gzipped, as the original's collab-song-payload-dumps/ held it.
  std::string WriteGzip(const std::string& name, const std::string& text) {
    const std::string plain = Write(name + ".plain", text);
    const std::string path = tmp_.path() + "/" + name;
    EXPECT_EQ(Shell(absl::StrCat("gzip -c ", ShellQuote(plain), " > ", ShellQuote(path))).exit_code, 0);
    return path;
  }

  Job GetJob(const std::string& study, const std::string& batch, const std::string& job) {
    grpc::ClientContext ctx;
    GetJobRequest req;
    req.set_branch("main");
    req.mutable_key()->set_study_id(study);
    req.mutable_key()->set_batch_id(batch);
    req.mutable_key()->set_job_id(job);
    Job out;
    grpc::Status s = cluster_->repo()->GetJob(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  TempDir tmp_;
  std::unique_ptr<Cluster> cluster_;
};

TEST_F(GenerateBatchTest, GeneratesTheNewAnalysesAndRefusesBadInput) {
  // Two jobs of one study (four jobs in three generated studies).
  std::map<std::string, std::vector<JobKey>> by_study;
  for (const JobSummary& j : cluster_->Jobs(JOB_STATE_BACKLOG, "main")) by_study[j.key().study_id()].push_back(j.key());
  std::vector<JobKey> two;
  for (const auto& [id, keys] : by_study) {
    if (keys.size() >= 2) two = keys;
  }
  ASSERT_GE(two.size(), 2u);
  const std::string study = two[0].study_id();
  const Job first = GetJob(study, two[0].batch_id(), two[0].job_id());
  const Job second = GetJob(study, two[1].batch_id(), two[1].job_id());
  ASSERT_GT(first.analyses_size(), 0);
  ASSERT_GT(second.analyses_size(), 0);
  const std::string in_summary = first.analyses(0).analysis_id();
  // An analysis only a job's params.json still names (its summary line
  // removed, as the real history did): in a job all the same.
  const std::string in_params = second.analyses(0).analysis_id();
  ASSERT_THAT(second.params_json(), HasSubstr(in_params));
  {
    grpc::ClientContext ctx;
    RemoveAnalysisRequest req;
    req.mutable_options()->set_branch("main");
    req.set_study_id(study);
    req.set_batch_id(two[1].batch_id());
    req.set_analysis_id(in_params);
    WriteResult out;
    ASSERT_TRUE(cluster_->repo()->RemoveAnalysis(&ctx, req, &out).ok());
  }

  // In dump order: a big one (3 GB) alone, then small ones two to a job.
  const std::string dump = WriteGzip(
      absl::StrCat(study, ".payloads.2030-02-01.json.gz"),
      absl::StrCat("[", absl::StrJoin({SongAnalysis(in_summary, study, 9000),
                                       SongAnalysis("11111111-1111-4111-8111-111111111111", study, 3000000000),
                                       SongAnalysis("22222222-2222-4222-8222-222222222222", study, 10000),
                                       SongAnalysis(in_params, study, 9000),
                                       SongAnalysis("33333333-3333-4333-8333-333333333333", study, 20000),
                                       SongAnalysis("44444444-4444-4444-8444-444444444444", study, 30000, "UNPUBLISHED"),
                                       SongAnalysis("55555555-5555-4555-8555-555555555555", study, 40000)},
                                      ",\n"),
                   "]"));
  const std::string conf = Write("job-gen.conf",
                                 "max_analysis_data_size_to_be_pooled: 2000000000\n"
                                 "max_analyses_per_job: 2\nmax_jobs_per_batch: 10\n");
  const std::string tmpl = Write("params.json",
                                 "{\n  \"max_retries\": 3,\n  \"download_cpus\": 1,\n  \"download_mem\": 2,\n"
                                 "  \"upload_song_url\": \"http://127.0.0.1:9\"\n}\n");
  const std::vector<std::string> base = {"generate-batch", study, "--payloads=" + dump,
                                         "--template=" + tmpl, "--config=" + conf};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  const std::string tip = cluster_->Tip("main");

  // Dry run: what would be generated, checked by repo-service.
  Outcome r = Jobctl(with({"--dry-run"}));
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string today = absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone());
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat(study, "/", today, ": 3 jobs, 4 analyses")));
  EXPECT_THAT(r.out, HasSubstr("1 not PUBLISHED, 0 left for a later batch"));
  EXPECT_THAT(r.out, HasSubstr("nothing was written"));
  r = Jobctl(with({"--dry-run", "--jobs=1"}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(": 1 jobs, 1 analyses"));
  EXPECT_THAT(r.out, HasSubstr("3 left for a later batch (--jobs=1)"));
  r = Jobctl(with({"--batch=2030-02-01"}));
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("stdin is not a terminal"));
  EXPECT_EQ(cluster_->Tip("main"), tip);

  r = Jobctl(with({"--batch=2030-02-01", "--yes"}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("added 3 jobs"));
  Job big = GetJob(study, "2030-02-01", "job.0001");
  ASSERT_EQ(big.analyses_size(), 1);
  EXPECT_EQ(big.analyses(0).analysis_bytes(), 3000000000);
  EXPECT_THAT(big.params_json(), HasSubstr("\"download_mem\": 2,"));  // 3 GB: one CPU
  Job pooled = GetJob(study, "2030-02-01", "job.0002");
  ASSERT_EQ(pooled.analyses_size(), 2);
  EXPECT_EQ(pooled.job_bytes(), 30000);
  EXPECT_EQ(pooled.state(), JOB_STATE_BACKLOG);
  EXPECT_THAT(pooled.params_json(), HasSubstr("\"analysis_id\": [\n    \"22222222-2222-4222-8222-222222222222\",\n"
                                             "    \"33333333-3333-4333-8333-333333333333\"\n  ]"));
  EXPECT_THAT(pooled.params_json(), HasSubstr("\"upload_song_url\": \"http://127.0.0.1:9\""));
  EXPECT_EQ(GetJob(study, "2030-02-01", "job.0003").analyses(0).analysis_id(),
            "55555555-5555-4555-8555-555555555555");
  EXPECT_EQ(cluster_->RemoteTip("main"), cluster_->Tip("main"));  // pushed
  auto log = Shell(absl::StrCat("git -C ", ShellQuote(cluster_->remote()), " log -1 --format=%s main"));
  EXPECT_THAT(log.output, HasSubstr(absl::StrCat("generate-batch: ", study, "/2030-02-01, 3 jobs")));
  auto summary = Shell(absl::StrCat("git -C ", ShellQuote(cluster_->remote()), " show main:jobs/", study,
                                    "/2030-02-01/batch-summary.tsv"));
  EXPECT_THAT(summary.output,
              HasSubstr(absl::StrCat("# SONG analysis objects retrieved from payload dump: ", study,
                                     ".payloads.2030-02-01.json.gz\njob.0001\t1\t3000000000\t")));

  // Again: nothing is new now.
  const std::string after = cluster_->Tip("main");
  r = Jobctl(with({"--yes"}));
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("nothing new"));
  EXPECT_THAT(r.err, HasSubstr("nothing was written"));
  EXPECT_EQ(cluster_->Tip("main"), after);

  // A job an admin put in onhold/ by hand (as the real history did): its
  // analyses are not listed, so nothing is generated past it.
  const std::string work = tmp_.path() + "/work";
  const std::string held = absl::StrCat("jobs/", study, "/", two[0].batch_id());
  auto edit = Shell(absl::StrCat(
      "git clone -q -b main ", ShellQuote(cluster_->remote()), " ", ShellQuote(work), " && cd ",
      ShellQuote(work), " && mkdir -p ", held, "/onhold && git mv ", held, "/backlog/", two[0].job_id(), " ",
      held, "/onhold/ && git -c user.name=admin -c user.email=admin@example.org commit -qm 'move jobs to onhold'",
      " && git push -q origin main"));
  ASSERT_EQ(edit.exit_code, 0) << edit.output;
  r = Jobctl({"sync"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string one_more = WriteGzip(
      absl::StrCat(study, ".payloads.2030-03-01.json.gz"),
      absl::StrCat("[", SongAnalysis("66666666-6666-4666-8666-666666666666", study, 5000), "]"));
  const std::string synced = cluster_->Tip("main");
  r = Jobctl({"generate-batch", study, "--payloads=" + one_more, "--template=" + tmpl, "--yes"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat(study, " has 1 job(s) in onhold/ on main")));
  EXPECT_EQ(cluster_->Tip("main"), synced);

  // Bad input: usage errors, nothing asked of the repository.
  r = Jobctl({"generate-batch", study, "--payloads=" + tmp_.path() + "/missing.json.gz", "--template=" + tmpl});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("cannot read"));
  r = Jobctl({"generate-batch", study, "--payloads=" + tmpl, "--template=" + tmpl});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("is not JSON"));
  r = Jobctl({"generate-batch", "BRCA-EU", "--payloads=" + dump, "--template=" + tmpl, "--yes"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("holds analyses of study '", study, "'")));
  r = Jobctl({"generate-batch", "../x", "--payloads=" + dump, "--template=" + tmpl});
  EXPECT_EQ(r.code, 2);
  r = Jobctl({"generate-batch", study, "--payloads=" + dump});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--template=PARAMS.json is required"));
  r = Jobctl(with({"--jobs=11"}));
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("from 1 to 10"));
  r = Jobctl({"generate-batch", study, "--payloads=" + dump, "--template=" + tmpl, "--config=" + tmpl});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("job-gen.conf"));
  EXPECT_EQ(cluster_->Tip("main"), synced);
}

}  // namespace
}  // namespace tracker
