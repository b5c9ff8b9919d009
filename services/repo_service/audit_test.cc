// The audit on repositories generated in the real format: one seeded with
// each problem the admins once fixed by hand (tools/gen_tracking_repo.py
// --seed-problems says where each is), reported kind by kind with every
// place named; and the older batch shape, read like any other.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/repo_service/store_test_fixture.h"
#include "tracking/layout.h"

namespace tracker::repo {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using tracker::v1::AuditResponse;

// The generator's first study (its ids are fixed) and the batches the flags
// add to it.
constexpr char kStudy[] = "ADGJ-CA";
constexpr char kFirst[] = "2021-07-01";
constexpr char kOld[] = "2021-06-21";
constexpr char kSeeded[] = "2022-01-01";
constexpr char kOld3[] = "00000000-0000-4000-8000-000000000003";

std::string Dir(const char* batch, const std::string& rest = "") {
  return absl::StrCat("jobs/", kStudy, "/", batch, rest.empty() ? "" : "/", rest);
}
std::string Key(const char* batch, const char* job) {
  return absl::StrCat(kStudy, "/", batch, "/", job);
}
std::vector<std::string> Keys(const tracker::v1::Finding& f) {
  std::vector<std::string> out;
  for (const auto& k : f.jobs()) {
    out.push_back(absl::StrCat(k.study_id(), "/", k.batch_id(), "/", k.job_id()));
  }
  return out;
}
std::vector<std::string> Paths(const tracker::v1::Finding& f) {
  return {f.paths().begin(), f.paths().end()};
}

class SeededAuditTest : public StoreTest {
 protected:
  std::string GeneratorFlags() const override {
    return "--jobs 60 --studies 3 --batch-size 20 --mix --seed-problems";
  }
  // Findings by code, from the gRPC face, with the scheduler's environments.
  std::map<std::string, std::vector<tracker::v1::Finding>> Audit() {
    tracker::v1::AuditRequest req;
    req.add_known_environments("rdpc_qa");
    req.add_known_environments("rdpc_prod");
    auto audit = api_->Audit(req);
    EXPECT_TRUE(audit.ok()) << audit.status();
    std::map<std::string, std::vector<tracker::v1::Finding>> by_code;
    if (!audit.ok()) return by_code;
    EXPECT_TRUE(audit->environments_checked());
    for (const auto& f : audit->findings()) by_code[f.code()].push_back(f);
    return by_code;
  }
  // The folder the generator put a job of its first batch in.
  std::string FolderOf(const char* batch, const char* job) {
    auto detail = store_->reader().GetJob("", JobKey{kStudy, batch, job});
    EXPECT_TRUE(detail.ok()) << detail.status();
    return detail.ok() ? tracking::StateFolder(detail->state) : "";
  }
};

TEST_F(SeededAuditTest, EachKindIsReportedWithEveryPlace) {
  auto by_code = Audit();
  std::vector<std::string> codes;
  for (const auto& [code, list] : by_code) codes.push_back(code);
  EXPECT_THAT(codes, ElementsAre("BAD_MARKER", "COUNT_MISMATCH", "DUPLICATE_ANALYSIS",
                                 "JOB_IN_TWO_FOLDERS", "NESTED_JOB_FOLDER", "NO_JOB_DIR",
                                 "NO_SUMMARY_LINES", "UNKNOWN_ENVIRONMENT"));

  // Analyses in two jobs: by summary and params both, by params only, and
  // with a batch of the older 6-column shape.
  const auto& dups = by_code["DUPLICATE_ANALYSIS"];
  ASSERT_EQ(dups.size(), 3u);
  std::map<std::string, tracker::v1::Finding> dup;
  for (const auto& f : dups) dup[f.analysis_id()] = f;
  const auto& first = dup["EGAZ00000000001"];
  EXPECT_THAT(Keys(first), ElementsAre(Key(kFirst, "job.0001"), Key(kSeeded, "job.0001")));
  EXPECT_THAT(Paths(first),
              ElementsAre(Dir(kFirst, "batch-summary.tsv"),
                          Dir(kFirst, FolderOf(kFirst, "job.0001") + "/job.0001/params.json"),
                          Dir(kSeeded, "batch-summary.tsv"),
                          Dir(kSeeded, "completed/job.0001/params.json")));
  EXPECT_THAT(first.message(), HasSubstr(absl::StrCat(Key(kSeeded, "job.0001"),
                                                      " (batch-summary.tsv, completed/"
                                                      "job.0001/params.json)")));
  const auto& params_only = dup["EGAZ90000000080"];
  EXPECT_THAT(Keys(params_only),
              ElementsAre(Key(kSeeded, "job.0008"), Key(kSeeded, "job.0009")));
  EXPECT_THAT(Paths(params_only), ElementsAre(Dir(kSeeded, "completed/job.0008/params.json"),
                                              Dir(kSeeded, "completed/job.0009/params.json")));
  const auto& old_shape = dup[kOld3];
  EXPECT_THAT(Keys(old_shape), ElementsAre(Key(kOld, "job.0002"), Key(kSeeded, "job.0010")));
  EXPECT_THAT(Paths(old_shape), ElementsAre(Dir(kOld, "batch-summary.tsv"),
                                            Dir(kOld, "completed/job.0002/params.json"),
                                            Dir(kSeeded, "batch-summary.tsv"),
                                            Dir(kSeeded, "completed/job.0010/params.json")));

  auto only = [&](const char* code) -> tracker::v1::Finding {
    EXPECT_EQ(by_code[code].size(), 1u) << code;
    return by_code[code].empty() ? tracker::v1::Finding() : by_code[code][0];
  };
  auto two = only("JOB_IN_TWO_FOLDERS");
  EXPECT_THAT(Keys(two), ElementsAre(Key(kSeeded, "job.0002")));
  EXPECT_THAT(Paths(two),
              ElementsAre(Dir(kSeeded, "backlog/job.0002"), Dir(kSeeded, "failed/job.0002")));
  auto nested = only("NESTED_JOB_FOLDER");
  EXPECT_THAT(Keys(nested), ElementsAre(Key(kSeeded, "job.0003")));
  EXPECT_THAT(Paths(nested), ElementsAre(Dir(kSeeded, "completed/job.0003/job.0003")));
  auto no_dir = only("NO_JOB_DIR");
  EXPECT_THAT(Keys(no_dir), ElementsAre(Key(kSeeded, "job.0004")));
  EXPECT_THAT(Paths(no_dir), ElementsAre(Dir(kSeeded, "batch-summary.tsv")));
  auto no_lines = only("NO_SUMMARY_LINES");
  EXPECT_THAT(Keys(no_lines), ElementsAre(Key(kSeeded, "job.0005")));
  EXPECT_THAT(Paths(no_lines),
              ElementsAre(Dir(kSeeded, "batch-summary.tsv"), Dir(kSeeded, "backlog/job.0005")));
  auto count = only("COUNT_MISMATCH");
  EXPECT_THAT(Keys(count), ElementsAre(Key(kSeeded, "job.0006")));
  EXPECT_THAT(count.message(), HasSubstr("says analyses_in_job 3, 2 lines found"));
  auto marker = only("BAD_MARKER");
  EXPECT_THAT(Keys(marker), ElementsAre(Key(kSeeded, "job.0007")));
  EXPECT_THAT(Paths(marker),
              ElementsAre(Dir(kSeeded, "failed/job.0007/run.yesterday.rdpc_qa.wes-"
                                       "00000000000000000000000000000007")));
  auto env = only("UNKNOWN_ENVIRONMENT");
  EXPECT_THAT(Paths(env), ElementsAre("jobs/pause.drpc-prod"));
  EXPECT_THAT(env.message(), HasSubstr("drpc-prod"));
  EXPECT_THAT(env.message(), HasSubstr("rdpc_prod, rdpc_qa"));
}

TEST_F(SeededAuditTest, FlagsAreCheckedOnlyAgainstEnvironmentsGiven) {
  auto audit = api_->Audit(tracker::v1::AuditRequest());
  ASSERT_TRUE(audit.ok()) << audit.status();
  EXPECT_FALSE(audit->environments_checked());
  for (const auto& f : audit->findings()) EXPECT_NE(f.code(), "UNKNOWN_ENVIRONMENT");
  tracker::v1::AuditRequest bad;
  bad.add_known_environments("../qa");
  EXPECT_EQ(api_->Audit(bad).status().code(), absl::StatusCode::kInvalidArgument);
}

// A nested folder is reported and confuses nothing else: the job keeps its
// own runs and moves with what is inside it.
TEST_F(SeededAuditTest, ANestedFolderIsNotAJob) {
  const JobKey key{kStudy, kSeeded, "job.0003"};
  auto detail = store_->reader().GetJob("", key);
  ASSERT_TRUE(detail.ok()) << detail.status();
  ASSERT_EQ(detail->runs.size(), 1u);
  EXPECT_EQ(detail->runs[0].file_name,
            "run.1640000000.rdpc_qa.wes-00000000000000000000000000000003");
  Transition move;
  move.key = key;
  move.from = State::kCompleted;
  move.to = State::kBacklog;
  ASSERT_TRUE(store_->writer().TransitionJobs({}, {move}).ok());
  auto nested = Audit()["NESTED_JOB_FOLDER"];
  ASSERT_EQ(nested.size(), 1u);
  EXPECT_THAT(Paths(nested[0]), ElementsAre(Dir(kSeeded, "backlog/job.0003/job.0003")));
}

// ImportBatch asks the same index: an analysis only in a job's params.json
// (or in the older shape's summary) is refused naming that job.
TEST_F(SeededAuditTest, ImportRefusesAnAnalysisInAnyJobsParams) {
  for (const auto& [analysis, existing] :
       std::vector<std::pair<std::string, std::string>>{
           {"EGAZ90000000080", Key(kSeeded, "job.0008")},
           {"00000000-0000-4000-8000-000000000001", Key(kOld, "job.0001")}}) {
    tracker::v1::ImportBatchRequest req;
    req.set_study_id(kStudy);
    req.set_batch_id("2022-02-02");
    req.set_summary_tsv(absl::StrCat("job.0001\t1\t100\t", analysis, "\t100\n"));
    (*req.mutable_params_json())["job.0001"] =
        absl::StrCat(R"({"study_id": ")", kStudy, R"(", "analysis_id": [")", analysis, "\"]}");
    const std::string before = Tip("main");
    auto result = api_->ImportBatch(req);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kAlreadyExists) << analysis;
    EXPECT_THAT(std::string(result.status().message()),
                HasSubstr(absl::StrCat("is already in ", existing)));
    EXPECT_EQ(Tip("main"), before);
  }
}

class OldShapeAuditTest : public StoreTest {
 protected:
  std::string GeneratorFlags() const override {
    return "--jobs 60 --studies 3 --batch-size 20 --mix --old-shape";
  }
};

// The older shape is clean data: nothing to report, its jobs keyed by path
// (their params have no _job_id), its sizes in bytes.
TEST_F(OldShapeAuditTest, TheOlderShapeAuditsCleanAndReadsInBytes) {
  tracker::v1::AuditRequest req;
  req.add_known_environments("rdpc_qa");
  auto audit = api_->Audit(req);
  ASSERT_TRUE(audit.ok()) << audit.status();
  for (const auto& f : audit->findings()) ADD_FAILURE() << f.code() << ": " << f.message();
  auto job = store_->reader().GetJob("", JobKey{kStudy, kOld, "job.0002"});
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_THAT(job->params_json, ::testing::Not(HasSubstr("_job_id")));
  EXPECT_EQ(job->job_bytes, 19870000000);
  ASSERT_EQ(job->analyses.size(), 2u);
  EXPECT_EQ(job->analyses[1].analysis_bytes, 11670000000);
}

}  // namespace
}  // namespace tracker::repo
