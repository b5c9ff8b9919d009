// The runtime settings file through repo-service's gRPC face, on a
// generated repository: what git then holds, the commit's message, and
// bad input that writes nothing.

#include "services/repo_service/runtime_settings_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/repo_service/store_test_fixture.h"

namespace tracker::repo {
namespace {

using ::testing::HasSubstr;
namespace v1 = ::tracker::v1;

class RuntimeSettingsStoreTest : public StoreTest {
 protected:
  absl::StatusOr<v1::SetRuntimeSettingResponse> Set(const std::string& env, const std::string& key,
                                                    const std::string& value, bool dry_run = false,
                                                    const std::string& branch = "") {
    v1::SetRuntimeSettingRequest req;
    req.mutable_options()->set_branch(branch);
    req.set_environment(env);
    req.set_key(key);
    req.set_value(value);
    req.set_dry_run(dry_run);
    return api_->SetRuntimeSetting(req);
  }
};

TEST_F(RuntimeSettingsStoreTest, NoFileIsNoSettings) {
  auto got = api_->GetRuntimeSettings({});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->present());
  EXPECT_EQ(got->settings_size(), 0);
  EXPECT_EQ(got->commit(), Tip("main"));
}

TEST_F(RuntimeSettingsStoreTest, SetWritesOneCommitOnMainThatGitReads) {
  const std::string scheduler_before = Tip("scheduler");
  auto set = Set("rdpc_qa", "max_parallel_runs", "04");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_TRUE(set->changed());
  EXPECT_EQ(set->previous(), "");
  EXPECT_EQ(set->value(), "4");
  EXPECT_EQ(set->result().branch(), "main");
  EXPECT_EQ(set->result().commit(), Tip("main"));
  EXPECT_EQ(Tip("scheduler"), scheduler_before);
  EXPECT_EQ(Git(clone(), "log -1 --format=%s main"),
            "set rdpc_qa max_parallel_runs 4 (was the config's value)");
  EXPECT_EQ(Git(clone(), "show main:jobs/scheduler-settings.yaml"),
            "# Runtime settings of the scheduler, per compute environment; the config file\n"
            "# gives every value not here. Change them with: jobctl set ENV KEY VALUE\n"
            "rdpc_qa:\n  max_parallel_runs: 4");
  // One file changed, nothing else.
  EXPECT_EQ(Git(clone(), "diff --name-only main~1 main"), "jobs/scheduler-settings.yaml");

  set = Set("rdpc_qa", "max_parallel_runs", "6");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->previous(), "4");
  EXPECT_EQ(Git(clone(), "log -1 --format=%s main"), "set rdpc_qa max_parallel_runs 6 (was 4)");
  ASSERT_TRUE(Set("rdpc_prod", "enabled", "false").ok());

  auto got = api_->GetRuntimeSettings({});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(got->present());
  ASSERT_EQ(got->settings_size(), 2);
  EXPECT_EQ(got->settings(0).environment(), "rdpc_prod");
  EXPECT_EQ(got->settings(0).key(), "enabled");
  EXPECT_EQ(got->settings(0).value(), "false");
  EXPECT_EQ(got->settings(1).environment(), "rdpc_qa");
  EXPECT_EQ(got->settings(1).value(), "6");
  // The audit does not take the file for an unknown entry.
  auto audit = api_->Audit([] {
    v1::AuditRequest r;
    r.set_branch("main");
    return r;
  }());
  ASSERT_TRUE(audit.ok());
  for (const auto& f : audit->findings()) EXPECT_THAT(f.message(), ::testing::Not(HasSubstr("settings")));
}

TEST_F(RuntimeSettingsStoreTest, DryRunAndSameValueWriteNothing) {
  const std::string before = Tip("main");
  auto dry = Set("rdpc_qa", "enabled", "false", /*dry_run=*/true);
  ASSERT_TRUE(dry.ok()) << dry.status();
  EXPECT_TRUE(dry->changed());
  EXPECT_FALSE(dry->has_result());
  EXPECT_EQ(Tip("main"), before);
  ASSERT_TRUE(Set("rdpc_qa", "enabled", "false").ok());
  const std::string after = Tip("main");
  auto same = Set("rdpc_qa", "enabled", "FALSE");
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_FALSE(same->changed());
  EXPECT_EQ(Tip("main"), after);
}

TEST_F(RuntimeSettingsStoreTest, BadInputWritesNothing) {
  const std::string before = Tip("main");
  struct Case {
    const char *env, *key, *value, *branch;
    absl::StatusCode code;
    const char* says;
  } cases[] = {
      {"rdpc_qa", "max_parallel_runs", "two", "", absl::StatusCode::kInvalidArgument,
       "max_parallel_runs must be a whole number"},
      {"rdpc_qa", "colour", "red", "", absl::StatusCode::kInvalidArgument, "unknown setting"},
      {"../x", "enabled", "true", "", absl::StatusCode::kInvalidArgument, ""},
      {"rdpc_qa", "enabled", "true", "scheduler", absl::StatusCode::kInvalidArgument,
       "live on main"},
  };
  for (const Case& c : cases) {
    auto set = Set(c.env, c.key, c.value, false, c.branch);
    ASSERT_FALSE(set.ok()) << c.key;
    EXPECT_EQ(set.status().code(), c.code);
    EXPECT_THAT(std::string(set.status().message()), HasSubstr(c.says));
  }
  EXPECT_EQ(Tip("main"), before);
}

TEST_F(RuntimeSettingsStoreTest, AHandBrokenFileIsReportedWithItsLineAndNotOverwritten) {
  // An admin's edit outside the format, committed with git itself.
  const std::string work = tmp_.path() + "/work";
  Git(tmp_.path(), absl::StrCat("clone -q -b main ", remote_, " ", work));
  Git(work, "config user.email a@b.c");
  Git(work, "config user.name admin");
  auto wrote = tracker::testing::Shell(absl::StrCat(
      "printf 'rdpc_qa:\\n  max_parallel_runs: lots\\n' > ", work, "/jobs/scheduler-settings.yaml"));
  ASSERT_EQ(wrote.exit_code, 0);
  Git(work, "add jobs/scheduler-settings.yaml");
  Git(work, "commit -q -m 'hand edit'");
  Git(work, "push -q origin main");
  ASSERT_TRUE(api_->Fetch().ok());
  v1::MergeRequest merge;
  merge.mutable_options()->set_branch("main");
  merge.set_source("origin/main");
  ASSERT_TRUE(api_->Merge(merge).ok());

  auto got = api_->GetRuntimeSettings({});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(got.status().message()),
              HasSubstr("jobs/scheduler-settings.yaml line 2: max_parallel_runs"));
  const std::string before = Tip("main");
  auto set = Set("rdpc_qa", "max_parallel_runs", "3");
  EXPECT_EQ(set.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Tip("main"), before);
}

}  // namespace
}  // namespace tracker::repo
