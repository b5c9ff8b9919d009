// StoreSync on a generated repository: pushes never forced, rejected pushes
// merged and retried through the shared retry loop, and reads and writes
// that go on while a push waits for the network or sleeps between attempts.

#include "services/repo_service/sync.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "services/repo_service/remote.h"
#include "services/repo_service/store_test_fixture.h"
#include "testing/fake_clock.h"

namespace tracker::repo {
namespace {

using ::testing::HasSubstr;
using ::tracker::testing::Shell;
using ::tracker::testing::ShellQuote;

// Refuses the first `rejections` pushes, then accepts with the local tip;
// fetches nothing. Counts the calls.
class RefusingRemote : public Remote {
 public:
  explicit RefusingRemote(int rejections) : rejections_(rejections) {}
  absl::Status Fetch(git_repository*) override {
    ++fetches;
    return absl::OkStatus();
  }
  absl::StatusOr<PushAttempt> Push(git_repository* repo, const std::string& branch) override {
    ++pushes;
    PushAttempt out;
    if (pushes <= rejections_) {
      out.rejected = true;
      out.reason = "refs/heads/main: fetch first";
      return out;
    }
    auto tip = ResolveRef(repo, absl::StrCat("refs/heads/", branch));
    if (!tip.ok()) return tip.status();
    out.pushed = *tip;
    return out;
  }
  std::atomic<int> fetches{0};
  std::atomic<int> pushes{0};

 private:
  const int rejections_;
};

// A clock whose sleeps wait until the test lets them go, saying when one
// has begun: the test acts while a push is in its backoff.
class GateClock : public Clock {
 public:
  absl::Time Now() override { return absl::Now(); }
  void SleepFor(absl::Duration) override {
    sleeping.Notify();
    release.WaitForNotification();
  }
  absl::Notification sleeping;
  absl::Notification release;
};

class SyncTest : public StoreTest {
 protected:
  std::string RemoteTip(const std::string& branch) {
    return Git(remote_, absl::StrCat("rev-parse refs/heads/", branch));
  }
};

TEST_F(SyncTest, ARejectedPushIsMergedAndRetriedNeverForced) {
  // Someone else pushes to main while we have an unpushed admin commit.
  const std::string work = tmp_.path() + "/admin";
  Git(tmp_.path(), absl::StrCat("clone -q -b main ", ShellQuote(remote_), " admin"));
  Shell(absl::StrCat("cd ", ShellQuote(work), " && touch jobs/pause.rdpc_prod"));
  Git(work, "add jobs/pause.rdpc_prod");
  Git(work, "-c user.name=a -c user.email=a@b commit -qm 'pause prod'");
  Git(work, "push -q origin main");
  const std::string theirs = Git(work, "rev-parse HEAD");

  auto& reg = metrics::Registry::Default();
  auto& commits = reg.Counter("tracker_repo_commits_total", "", {"branch"});
  auto& pushes = reg.Counter("tracker_repo_pushes_total", "", {"branch", "result"});
  const double commits_before = commits.Value({"main"});
  const double rejected_before = pushes.Value({"main", "rejected"});
  ASSERT_TRUE(store_->writer().SetFlag({}, FlagKind::kPause, "rdpc_qa", "").ok());
  tracker::v1::PushRequest push;
  push.set_branch("main");
  auto pushed = api_->Push(push);
  ASSERT_TRUE(pushed.ok()) << pushed.status();
  EXPECT_EQ(pushed->attempts(), 2);
  // What Prometheus sees: the commit, one rejection, the push and when.
  EXPECT_EQ(commits.Value({"main"}), commits_before + 1);
  EXPECT_EQ(pushes.Value({"main", "rejected"}), rejected_before + 1);
  EXPECT_GE(pushes.Value({"main", "ok"}), 1);
  EXPECT_GT(reg.Gauge("tracker_repo_last_push_timestamp_seconds", "", {"branch"}).Value({"main"}),
            absl::ToUnixSeconds(absl::Now()) - 60);
  EXPECT_GE(reg.Gauge("tracker_repo_packs", "").Value({}), 1);
  EXPECT_NE(reg.Expose().find("tracker_repo_write_duration_seconds_count{branch=\"main\"}"),
            std::string::npos);
  EXPECT_EQ(RemoteTip("main"), pushed->commit());
  EXPECT_EQ(Shell(absl::StrCat("git -C ", ShellQuote(remote_), " merge-base --is-ancestor ",
                               theirs, " main")).exit_code, 0);
  EXPECT_EQ(Git(remote_, "ls-tree --name-only main jobs/ | grep pause | sort | tr '\\n' ' '"),
            "jobs/pause.rdpc_prod jobs/pause.rdpc_qa");
  auto status = api_->SyncStatus();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->branches(0).name(), "main");
  EXPECT_GT(status->branches(0).last_push_epoch(), 0);
  EXPECT_EQ(status->branches(0).ahead(), 0);
  EXPECT_EQ(status->branches(0).remote_tip(), pushed->commit());
  EXPECT_EQ(status->remote_url(), remote_);
}

TEST_F(SyncTest, FetchFastForwardsWhatOthersPushed) {
  const std::string work = tmp_.path() + "/admin";
  Git(tmp_.path(), absl::StrCat("clone -q -b main ", ShellQuote(remote_), " admin"));
  Shell(absl::StrCat("cd ", ShellQuote(work), " && touch jobs/pause.rdpc_prod"));
  Git(work, "add jobs/pause.rdpc_prod");
  Git(work, "-c user.name=a -c user.email=a@b commit -qm 'pause prod'");
  Git(work, "push -q origin main");
  auto fetched = store_->sync().Fetch();
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  ASSERT_EQ(fetched->size(), 2u);
  EXPECT_EQ((*fetched)[0].tip, Git(work, "rev-parse HEAD"));
  EXPECT_EQ((*fetched)[0].behind, 0);
  auto flags = store_->reader().ListFlags("main");
  ASSERT_TRUE(flags.ok()) << flags.status();
  ASSERT_EQ(flags->flags.size(), 1u);
  EXPECT_EQ(flags->flags[0].environment, "rdpc_prod");
}

TEST_F(SyncTest, AMergeThatChangesQueuedIsRefused) {
  // The scheduler queues a job; an admin then edits it on main (forbidden).
  const JobKey job = JobsIn(State::kBacklog).at(0);
  Transition queue;
  queue.key = job;
  queue.from = State::kBacklog;
  queue.to = State::kQueued;
  queue.add_run = Marker{1700000000, "rdpc_qa", "wes-0123456789abcdef0123456789abcdef", ""};
  ASSERT_TRUE(store_->writer().TransitionJobs({}, {queue}).ok());
  ASSERT_TRUE(store_->sync().Push("", 0).ok());

  const std::string work = tmp_.path() + "/admin";
  Git(tmp_.path(), absl::StrCat("clone -q -b scheduler ", ShellQuote(remote_), " admin"));
  Git(work, "checkout -q -B main origin/scheduler");
  const std::string dir = absl::StrCat("jobs/", job.study_id, "/", job.batch_id, "/queued/", job.job_id);
  Shell(absl::StrCat("cd ", ShellQuote(work), " && rm ", dir, "/run.*"));
  Git(work, "-c user.name=a -c user.email=a@b commit -qam 'edit queued by hand'");
  Git(work, "push -q origin main");

  ASSERT_TRUE(store_->sync().Fetch().ok());
  const std::string before = Tip("scheduler");
  WriteOptions into_scheduler;
  into_scheduler.branch = "scheduler";
  auto merged = store_->writer().Merge(into_scheduler, "main");
  EXPECT_EQ(merged.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(merged.status().message()), HasSubstr(dir));
  EXPECT_EQ(Tip("scheduler"), before);
}

TEST_F(SyncTest, AnUnreachableRemoteIsUnavailableAndChangesNothing) {
  Git(clone(), "remote set-url origin /nonexistent/remote.git");
  const std::string before = Tip("scheduler");
  EXPECT_EQ(store_->sync().Fetch().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store_->sync().Push("", 0).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Tip("scheduler"), before);
}

TEST_F(SyncTest, PushRetriesThroughTheSharedLoopWithFullJitter) {
  auto remote = std::make_shared<RefusingRemote>(2);
  tracker::testing::FakeClock clock;
  StoreOptions options = Options();
  options.remote = remote;
  options.clock = &clock;
  options.push_backoff_ms = 200;
  OpenStore(options);
  auto pushed = store_->sync().Push("main", 0);
  ASSERT_TRUE(pushed.ok()) << pushed.status();
  EXPECT_EQ(pushed->attempts, 3);
  EXPECT_EQ(pushed->commit, Tip("main"));
  EXPECT_EQ(remote->fetches.load(), 2);  // after each rejection
  std::vector<absl::Duration> sleeps = clock.sleeps();
  ASSERT_EQ(sleeps.size(), 2u);
  EXPECT_LE(sleeps[0], absl::Milliseconds(200));
  EXPECT_LE(sleeps[1], absl::Milliseconds(400));
  EXPECT_EQ(pushed->push_epoch, absl::ToUnixSeconds(clock.Now()));

  // Always refused: ABORTED after the attempts asked for, nothing forced.
  auto stubborn = std::make_shared<RefusingRemote>(1000);
  options.remote = stubborn;
  OpenStore(options);
  auto refused = store_->sync().Push("main", 4);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kAborted) << refused.status();
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("rejected 4 times"));
  EXPECT_EQ(stubborn->pushes.load(), 4);
}

// The promise of the store's shape: while a push sleeps between attempts
// (or waits on the network), reads answer and local writes commit.
TEST_F(SyncTest, ReadsAndWritesGoOnWhileAPushBacksOff) {
  auto remote = std::make_shared<RefusingRemote>(1000);
  GateClock clock;
  StoreOptions options = Options();
  options.remote = remote;
  options.clock = &clock;
  OpenStore(options);
  ASSERT_TRUE(store_->writer().SetFlag({}, FlagKind::kPause, "rdpc_qa", "").ok());

  absl::StatusOr<PushResult> pushed = absl::UnknownError("not yet");
  std::thread pusher([&] { pushed = store_->sync().Push("main", 2); });
  ASSERT_TRUE(clock.sleeping.WaitForNotificationWithTimeout(absl::Seconds(30)));

  // The push is asleep holding the sync lock: none of these may wait for it.
  const JobKey job = JobsIn(State::kCompleted).at(0);
  auto read = store_->reader().GetJob("", job);
  EXPECT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(store_->reader().ListFlags("main").ok());
  EXPECT_TRUE(store_->reader().Report("", "").ok());
  EXPECT_TRUE(store_->sync().Status().ok());
  Transition move;
  move.key = job;
  move.from = State::kCompleted;
  move.to = State::kFailed;
  auto written = store_->writer().TransitionJobs({}, {move});
  EXPECT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(store_->reader().GetJob("", job)->state, State::kFailed);
  EXPECT_FALSE(pushed.ok());  // still asleep

  clock.release.Notify();
  pusher.join();
  EXPECT_EQ(pushed.status().code(), absl::StatusCode::kAborted) << pushed.status();
  EXPECT_EQ(remote->pushes.load(), 2);
}

}  // namespace
}  // namespace tracker::repo
