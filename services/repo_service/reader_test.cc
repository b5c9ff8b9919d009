// StoreReader on a generated repository: the report, listings, a job's
// detail, flags, transitions and the audit, against what git itself says.

#include "services/repo_service/reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "services/repo_service/store_test_fixture.h"
#include "tracking/layout.h"

namespace tracker::repo {
namespace {

using ::testing::HasSubstr;
using ::tracker::testing::Shell;
using ::tracker::testing::ShellQuote;

class ReaderTest : public StoreTest {
 protected:
  // A work-tree checkout of `rev` of the remote, for the seed's commands.
  std::string Checkout(const std::string& rev) {
    std::string dir = tmp_.path() + "/checkout";
    Shell(absl::StrCat("rm -rf ", ShellQuote(dir)));
    Git(tmp_.path(), absl::StrCat("clone -q ", ShellQuote(remote_), " checkout"));
    Git(dir, absl::StrCat("checkout -q ", rev));
    return dir;
  }
};

// The seed's report loop, verbatim.
constexpr char kSeedLoop[] = R"(cd jobs && for s in *-*;
do
  for f in `echo backlog queued failed completed`;
    do echo -n "$s $f "; ls $s/*/$f/*/params.json 2>/dev/null |wc -l |sed 's/ //g';
  done;
done)";

TEST_F(ReaderTest, ReportIsByteForByteTheSeedLoop) {
  std::string dir = Checkout("origin/scheduler");
  auto seed = Shell(absl::StrCat("cd ", ShellQuote(dir), " && LC_ALL=C bash -c ",
                                 ShellQuote(kSeedLoop)));
  ASSERT_EQ(seed.exit_code, 0) << seed.output;
  auto report = store_->reader().Report("", "");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->text, seed.output);
  EXPECT_EQ(report->total_jobs, 60);
  EXPECT_EQ(report->commit, Tip("scheduler"));
  // And the same through the gRPC face, by commit.
  tracker::v1::ReportRequest req;
  req.set_commit(Tip("scheduler"));
  auto answered = api_->Report(req);
  ASSERT_TRUE(answered.ok()) << answered.status();
  EXPECT_EQ(answered->text(), seed.output);
  ASSERT_EQ(answered->studies_size(), 3);
}

// Bytes per state come from the summaries' job_bytes: here summed with
// git and awk over the checkout, one job_bytes per job with params.json.
TEST_F(ReaderTest, ReportSumsTheJobsBytesPerState) {
  std::string dir = Checkout("origin/scheduler");
  auto report = store_->reader().Report("", "");
  ASSERT_TRUE(report.ok()) << report.status();
  for (const char* state : {"backlog", "queued", "failed", "completed"}) {
    auto sum = Shell(absl::StrCat(
        "cd ", ShellQuote(dir), "/jobs && for p in */*/", state, "/*/params.json; do ",
        "[ -f \"$p\" ] || continue; s=${p%%/*}; rest=${p#*/}; b=${rest%%/*}; ",
        "j=$(basename $(dirname $p)); awk -F'\\t' -v j=$j '$1 == j { print $3; exit }' ",
        "$s/$b/batch-summary.tsv; done | awk '{ n += $1 } END { printf \"%.0f\", n }'"));
    ASSERT_EQ(sum.exit_code, 0) << sum.output;
    int64_t ours = 0;
    const int index = static_cast<int>(*tracking::StateFromFolder(state));
    for (const auto& study : report->studies) ours += study.bytes[index];
    EXPECT_EQ(absl::StrCat(ours), sum.output) << state;
  }
  int64_t all = 0;
  for (const auto& study : report->studies) {
    for (int64_t b : study.bytes) all += b;
  }
  EXPECT_GT(all, 0);
  tracker::v1::ReportRequest req;
  auto answered = api_->Report(req);
  ASSERT_TRUE(answered.ok()) << answered.status();
  EXPECT_EQ(answered->studies(0).completed_bytes(),
            report->studies[0].bytes[static_cast<int>(tracking::State::kCompleted)]);
}

TEST_F(ReaderTest, EveryJobIsListedWithItsStateAndMarkers) {
  std::string dir = Checkout("origin/scheduler");
  auto found = Shell(absl::StrCat("cd ", ShellQuote(dir), " && find jobs -mindepth 5 -maxdepth 5 "
                                  "-type f | grep -E '/(backlog|queued|failed|completed)/' | sort"));
  std::map<std::string, std::set<std::string>> expected;  // job path -> file names
  for (absl::string_view line : absl::StrSplit(found.output, '\n', absl::SkipEmpty())) {
    size_t slash = line.rfind('/');
    expected[std::string(line.substr(0, slash))].insert(std::string(line.substr(slash + 1)));
  }
  ASSERT_EQ(expected.size(), 60u);

  std::map<std::string, std::set<std::string>> listed;
  JobQuery query;
  query.page_size = 25;
  int pages = 0;
  do {
    auto page = store_->reader().ListJobs(query);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_EQ(page->total_size, 60);
    for (const JobSummary& job : page->jobs) {
      std::string path = absl::StrCat("jobs/", job.key.study_id, "/", job.key.batch_id, "/",
                                      tracking::StateFolder(job.state), "/", job.key.job_id);
      auto detail = store_->reader().GetJob("", job.key);
      ASSERT_TRUE(detail.ok()) << detail.status();
      EXPECT_EQ(detail->state, job.state);
      EXPECT_EQ(static_cast<int>(detail->runs.size()), job.run_count);
      std::set<std::string> files = {"params.json"};
      for (const ::tracker::repo::Run& run : detail->runs) {
        files.insert(run.file_name);
        EXPECT_GT(run.marker.epoch_seconds, 1600000000);
        EXPECT_THAT(run.marker.run_id, ::testing::StartsWith("wes-"));
      }
      EXPECT_THAT(detail->params_json, HasSubstr(absl::StrCat("\"_job_id\": \"", job.key.job_id)));
      EXPECT_GE(detail->batch_line_count, 1) << path;
      EXPECT_EQ(static_cast<int>(detail->analyses.size()), detail->batch_line_count);
      listed[path] = files;
    }
    query.page_token = page->next_page_token;
    ++pages;
  } while (!query.page_token.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(listed, expected);
}

TEST_F(ReaderTest, FiltersByStateAndEnvironment) {
  JobQuery query;
  query.states = {State::kBacklog};
  auto backlog = store_->reader().ListJobs(query);
  ASSERT_TRUE(backlog.ok()) << backlog.status();
  for (const JobSummary& job : backlog->jobs) {
    EXPECT_EQ(job.state, State::kBacklog);
    EXPECT_FALSE(job.current_run.has_value());  // the generator starts no backlog job
  }
  query.states = {};
  query.environment = "rdpc_qa";
  auto qa = store_->reader().ListJobs(query);
  ASSERT_TRUE(qa.ok()) << qa.status();
  EXPECT_GT(qa->total_size, 0);
  for (const JobSummary& job : qa->jobs) {
    ASSERT_TRUE(job.current_run.has_value());
    EXPECT_EQ(job.current_run->marker.environment, "rdpc_qa");
  }
  query.page_size = 10001;
  EXPECT_EQ(store_->reader().ListJobs(query).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ReaderTest, FlagsAreReadWithTheirContent) {
  WriteOptions options;
  ASSERT_TRUE(store_->writer()
                  .SetFlag(options, FlagKind::kExcessiveFailure, "rdpc_qa", "3 failures\n")
                  .ok());
  auto flags = store_->reader().ListFlags("scheduler");
  ASSERT_TRUE(flags.ok()) << flags.status();
  ASSERT_EQ(flags->flags.size(), 1u);
  EXPECT_EQ(flags->flags[0].kind, FlagKind::kExcessiveFailure);
  EXPECT_EQ(flags->flags[0].environment, "rdpc_qa");
  EXPECT_EQ(flags->flags[0].path, "jobs/excessive_failure.rdpc_qa.txt");
  EXPECT_EQ(flags->flags[0].content, "3 failures\n");
  EXPECT_TRUE(store_->reader().ListFlags("main")->flags.empty());
}

TEST_F(ReaderTest, TransitionsBetweenCommitsNameTheMovedJob) {
  const std::string before = Tip("scheduler");
  std::vector<JobKey> completed = JobsIn(State::kCompleted);
  ASSERT_FALSE(completed.empty());
  Transition move;
  move.key = completed[0];
  move.from = State::kCompleted;
  move.to = State::kFailed;
  ASSERT_TRUE(store_->writer().TransitionJobs({}, {move}).ok());
  auto changes = store_->reader().ListTransitions(before, "", "scheduler");
  ASSERT_TRUE(changes.ok()) << changes.status();
  ASSERT_EQ(changes->changes.size(), 1u);
  EXPECT_EQ(changes->changes[0].key, completed[0]);
  EXPECT_EQ(changes->changes[0].from_folder, "completed");
  EXPECT_EQ(changes->changes[0].to_folder, "failed");
  EXPECT_EQ(changes->from_commit, before);
  EXPECT_EQ(changes->to_commit, Tip("scheduler"));
  // The old commit is still readable as it was.
  auto old = store_->reader().ReadRevision(before);
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ((*old)->job_count, 60);
}

TEST_F(ReaderTest, TheGeneratedRepositoryAuditsClean) {
  auto audit = store_->reader().Audit({});
  ASSERT_TRUE(audit.ok()) << audit.status();
  for (const Finding& f : audit->findings) ADD_FAILURE() << f.code << ": " << f.message;
}

TEST_F(ReaderTest, BadInputAndUnknownThings) {
  const StoreReader& reader = store_->reader();
  std::vector<JobKey> completed = JobsIn(State::kCompleted);
  ASSERT_FALSE(completed.empty());
  JobKey key = completed[0];
  key.job_id = "../x";
  EXPECT_EQ(reader.GetJob("", key).status().code(), absl::StatusCode::kInvalidArgument);
  key.job_id = "job.9999";
  EXPECT_EQ(reader.GetJob("", key).status().code(), absl::StatusCode::kNotFound);
  key.batch_id = "2030-01-01";
  EXPECT_EQ(reader.GetJob("", key).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(reader.GetJob("master", completed[0]).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto missing = reader.Report("", std::string(40, 'b'));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("no commit"));
  EXPECT_EQ(reader.ListTransitions("", "", "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

// The branch as it was at a time: the newest first-parent commit at or
// before it, the first commit when none is that old; Report answers it with
// the commit's time (jobctl report --progress compares with a day ago).
TEST_F(ReaderTest, ReportAsOfATimeIsTheBranchThen) {
  const std::string root = Tip("scheduler");
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  // Two admin commits a day and two days ahead, pushed to the remote.
  const std::string work = tmp_.path() + "/work";
  Git(tmp_.path(), absl::StrCat("clone -q -b scheduler ", ShellQuote(remote_), " work"));
  std::vector<std::string> commits;
  for (int day : {1, 2}) {
    const std::string date = absl::StrCat("@", now + day * 86400, " +0000");
    auto made = Shell(absl::StrCat(
        "cd ", ShellQuote(work), " && GIT_COMMITTER_DATE=", ShellQuote(date), " GIT_AUTHOR_DATE=",
        ShellQuote(date), " git -c user.name=admin -c user.email=admin@example.org commit -q "
        "--allow-empty -m day", day));
    ASSERT_EQ(made.exit_code, 0) << made.output;
    commits.push_back(Git(work, "rev-parse HEAD"));
  }
  Git(work, "push -q origin scheduler");
  ASSERT_TRUE(store_->sync().Fetch().ok());

  auto at = [&](int64_t t) {
    auto found = store_->reader().CommitAt("scheduler", absl::FromUnixSeconds(t));
    EXPECT_TRUE(found.ok()) << found.status();
    return found.ok() ? found->commit : "";
  };
  EXPECT_EQ(at(now + 3 * 86400), commits[1]);
  EXPECT_EQ(at(now + 2 * 86400), commits[1]);
  EXPECT_EQ(at(now + 2 * 86400 - 1), commits[0]);
  EXPECT_EQ(at(now + 86400 + 3600), commits[0]);
  EXPECT_EQ(at(now - 10 * 365 * 86400), root);  // none that old: the first

  tracker::v1::ReportRequest req;
  req.set_as_of_unix_seconds(now + 86400 + 3600);
  auto answered = api_->Report(req);
  ASSERT_TRUE(answered.ok()) << answered.status();
  EXPECT_EQ(answered->commit(), commits[0]);
  EXPECT_EQ(answered->commit_time_unix_seconds(), now + 86400);
  // Without a time: the tip, with its own time.
  answered = api_->Report(tracker::v1::ReportRequest());
  ASSERT_TRUE(answered.ok()) << answered.status();
  EXPECT_EQ(answered->commit(), commits[1]);
  EXPECT_EQ(answered->commit_time_unix_seconds(), now + 2 * 86400);
}

}  // namespace
}  // namespace tracker::repo
