// The audit on the real excerpt (../shared/fixtures, optional): what the
// admins of the original campaign had to find by hand, found from the data.
// The same on generated repositories, which every clone has: audit_test.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/repo_service/excerpt_fixture.h"

namespace tracker::repo {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::tracker::testing::Shell;
using ::tracker::testing::ShellQuote;

// Every analysis id that the summaries and params.json of a checkout give
// to more than one job, as "id job job..." lines: an independent reading of
// the files, with Python's json module.
constexpr char kDuplicatesByPython[] = R"(import collections, glob, json
jobs = collections.defaultdict(set)
for p in glob.glob("jobs/*/*/*/*/params.json"):
    s, b, _, j, _ = p.split("/")[1:]
    for a in json.load(open(p)).get("analysis_id", []):
        jobs[a].add(f"{s}/{b}/{j}")
for p in glob.glob("jobs/*/*/batch-summary.tsv"):
    s, b = p.split("/")[1:3]
    for line in open(p):
        if line.strip() and not line.startswith("#"):
            c = line.rstrip("\n").split("\t")
            jobs[c[3]].add(f"{s}/{b}/{c[0]}")
for a in sorted(jobs):
    if len(jobs[a]) > 1:
        print(a, " ".join(sorted(jobs[a])))
)";

std::string KeyText(const tracker::v1::JobKey& k) {
  return absl::StrCat(k.study_id(), "/", k.batch_id(), "/", k.job_id());
}

std::map<std::string, int> Codes(const tracker::v1::AuditResponse& audit) {
  std::map<std::string, int> codes;
  for (const auto& f : audit.findings()) codes[f.code()]++;
  return codes;
}

// The original campaign regenerated multi-analysis PACA-CA jobs of
// 2021-07-09a as batch 2021-08-27 after removing their summary lines: the
// excerpt holds 10 of the 295 analyses transferred twice that way. The
// admins also left analyses_in_job unfixed in nine jobs (the awk check of
// the file says the same).
TEST_F(ExcerptTest, AuditNamesTheAnalysesTransferredTwiceWithBothJobs) {
  auto audit = api_->Audit({});
  ASSERT_TRUE(audit.ok()) << audit.status();
  EXPECT_THAT(Codes(*audit),
              ElementsAre(std::make_pair("COUNT_MISMATCH", 9),
                          std::make_pair("DUPLICATE_ANALYSIS", 10)));

  std::string dir = Checkout(Git(remote_, "rev-parse scheduler"));
  auto python = Shell(absl::StrCat("cd ", ShellQuote(dir), " && python3 -c ",
                                   ShellQuote(kDuplicatesByPython)));
  ASSERT_EQ(python.exit_code, 0) << python.output;
  std::map<std::string, std::vector<std::string>> expected;  // analysis -> jobs
  for (absl::string_view line : absl::StrSplit(python.output, '\n', absl::SkipEmpty())) {
    std::vector<std::string> words = absl::StrSplit(line, ' ');
    expected[words[0]].assign(words.begin() + 1, words.end());
  }
  EXPECT_EQ(expected.size(), 10u);

  std::map<std::string, std::vector<std::string>> found;
  for (const auto& f : audit->findings()) {
    if (f.code() != "DUPLICATE_ANALYSIS") continue;
    std::vector<std::string> jobs;
    for (const auto& k : f.jobs()) jobs.push_back(KeyText(k));
    found[f.analysis_id()] = jobs;
    // One job of each batch, both named with their params.json, and the
    // regenerated one with its summary line too.
    ASSERT_EQ(jobs.size(), 2u) << f.message();
    EXPECT_THAT(jobs[0], ::testing::StartsWith("PACA-CA/2021-07-09a/job."));
    EXPECT_THAT(jobs[1], ::testing::StartsWith("PACA-CA/2021-08-27/job."));
    const std::string old_job = f.jobs(0).job_id(), new_job = f.jobs(1).job_id();
    EXPECT_THAT(f.paths(), ElementsAre(
        absl::StrCat("jobs/PACA-CA/2021-07-09a/completed/", old_job, "/params.json"),
        "jobs/PACA-CA/2021-08-27/batch-summary.tsv",
        absl::StrCat("jobs/PACA-CA/2021-08-27/completed/", new_job, "/params.json")));
    EXPECT_THAT(f.message(), HasSubstr(absl::StrCat("PACA-CA/2021-07-09a/", old_job)));
    EXPECT_THAT(f.message(), HasSubstr(absl::StrCat("PACA-CA/2021-08-27/", new_job)));
  }
  EXPECT_EQ(found, expected);
}

// The original's first batch (demo-jobs/PACA-CA/2021-06-20 in the first
// commit) has the older summary shape, 6 columns in decimal GB, and params
// without _job_id, as the full repository's jobs/CLLE-ES/2021-06-21 does.
// Put under jobs/ on main, it is read like any batch: its analyses count in
// the uniqueness checks and its jobs are keyed by their paths.
TEST_F(ExcerptTest, TheOlderSummaryShapeCountsInUniqueness) {
  auto before = api_->Audit([] {
    tracker::v1::AuditRequest r;
    r.set_branch("main");
    return r;
  }());
  ASSERT_TRUE(before.ok()) << before.status();

  std::string work = tmp_.path() + "/admin";
  Git(tmp_.path(), absl::StrCat("clone -q -b main ", ShellQuote(remote_), " admin"));
  const std::string first = Git(work, "rev-list --max-parents=0 origin/scheduler");
  Git(work, absl::StrCat("checkout -q ", first, " -- demo-jobs"));
  Git(work, "mv demo-jobs/PACA-CA/2021-06-20 jobs/PACA-CA/2021-06-20");
  Git(work, "-c user.name=a -c user.email=a@b commit -qm 'the demo batch under jobs/'");
  Git(work, "push -q origin main");
  ASSERT_TRUE(api_->Fetch().ok());
  tracker::v1::MergeRequest merge;
  merge.mutable_options()->set_branch("main");
  merge.set_source("origin/main");
  ASSERT_TRUE(api_->Merge(merge).ok());

  tracker::v1::AuditRequest req;
  req.set_branch("main");
  auto after = api_->Audit(req);
  ASSERT_TRUE(after.ok()) << after.status();
  std::map<std::string, int> added = Codes(*after);
  for (const auto& [code, n] : Codes(*before)) added[code] -= n;
  // Its job.0001 took an analysis that 2021-07-09a's job.0443 has again.
  EXPECT_EQ(added["DUPLICATE_ANALYSIS"], 1);
  EXPECT_EQ(added["BAD_SUMMARY"], 0);
  bool named = false;
  for (const auto& f : after->findings()) {
    if (f.analysis_id() != "33df42ff-f804-4378-82d9-fcad5f951786") continue;
    named = true;
    ASSERT_EQ(f.jobs_size(), 2);
    EXPECT_EQ(KeyText(f.jobs(0)), "PACA-CA/2021-06-20/job.0001");
    EXPECT_EQ(KeyText(f.jobs(1)), "PACA-CA/2021-07-09a/job.0443");
    EXPECT_THAT(f.paths(), Contains("jobs/PACA-CA/2021-06-20/batch-summary.tsv"));
  }
  EXPECT_TRUE(named);

  tracker::v1::GetJobRequest get;
  get.set_branch("main");
  get.mutable_key()->set_study_id("PACA-CA");
  get.mutable_key()->set_batch_id("2021-06-20");
  get.mutable_key()->set_job_id("job.0002");
  auto job = api_->GetJob(get);
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(job->state(), tracker::v1::JOB_STATE_FAILED);
  EXPECT_EQ(job->job_bytes(), 100000000000);  // "100" GB
  EXPECT_THAT(job->params_json(), ::testing::Not(HasSubstr("_job_id")));

  // And a new batch may not take an analysis of it.
  tracker::v1::ImportBatchRequest import;
  import.set_study_id("PACA-CA");
  import.set_batch_id("2021-12-01");
  import.set_summary_tsv("job.0001\t1\t100\t43ce874a-86b5-4531-a46b-4a07302b8be8\t100\n");
  (*import.mutable_params_json())["job.0001"] =
      R"({"study_id": "PACA-CA", "analysis_id": ["43ce874a-86b5-4531-a46b-4a07302b8be8"]})";
  const std::string tip = Tip("main");
  auto refused = api_->ImportBatch(import);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("is already in PACA-CA/2021-06-20/job.0002"));
  EXPECT_EQ(Tip("main"), tip);
}

}  // namespace
}  // namespace tracker::repo
