#include "tracking/runtime_settings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tracker::tracking {
namespace {

using ::testing::HasSubstr;

TEST(RuntimeSettingsTest, ParsesTheFormatWithCommentsAndQuotes) {
  auto s = ParseRuntimeSettings(
      "# header\n"
      "\n"
      "rdpc_prod:\n"
      "  max_parallel_runs: 20   # was 16\n"
      "  enabled: \"false\"\n"
      "rdpc-qa:\r\n"
      "    workflow_version: 'azure-transfer-wf.v0.12.1'\n"
      "    excessive_failure_threshold: 100\n");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ(s->at("rdpc_prod").max_parallel_runs, 20);
  EXPECT_EQ(s->at("rdpc_prod").enabled, false);
  EXPECT_FALSE(s->at("rdpc_prod").workflow_version.has_value());
  EXPECT_EQ(s->at("rdpc-qa").workflow_version, "azure-transfer-wf.v0.12.1");
  EXPECT_EQ(s->at("rdpc-qa").excessive_failure_threshold, 100);
}

TEST(RuntimeSettingsTest, EmptyTextIsNoSettings) {
  auto s = ParseRuntimeSettings("");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->empty());
}

TEST(RuntimeSettingsTest, RefusesTextOutsideTheFormatWithItsLine) {
  struct Case {
    const char* text;
    const char* says;
  } cases[] = {
      {"rdpc_qa:\n  max_parallel_runs: two\n", "line 2: max_parallel_runs must be a whole number"},
      {"rdpc_qa:\n  max_parallel_run: 2\n", "line 2: unknown setting \"max_parallel_run\""},
      {"  max_parallel_runs: 2\n", "line 1: a setting must be under an environment name"},
      {"rdpc_qa: 2\n", "line 1: \"rdpc_qa\" must be an environment name"},
      {"rdpc qa:\n", "line 1:"},
      {"rdpc_qa:\n  enabled: yes\n", "enabled must be true or false"},
      {"rdpc_qa:\n  max_parallel_runs: 2\n  max_parallel_runs: 3\n", "line 3: max_parallel_runs of rdpc_qa is given twice"},
      {"rdpc_qa:\nrdpc_qa:\n", "line 2: environment rdpc_qa is given twice"},
      {"rdpc_qa:\n\tenabled: true\n", "line 2: tabs"},
      {"rdpc_qa:\n  workflow_version: \"a b\"\n", "workflow_version must be a workflow revision"},
      {"rdpc_qa:\n  workflow_version: \"v1\n", "unclosed quote"},
      {"just text\n", "line 1: expected"},
      {"rdpc_qa:\n  max_parallel_runs: 10001\n", "from 0 to 10000"},
  };
  for (const Case& c : cases) {
    auto s = ParseRuntimeSettings(c.text);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(s.status().message()), HasSubstr(c.says)) << c.text;
    EXPECT_THAT(std::string(s.status().message()), HasSubstr(kSettingsPath));
  }
}

TEST(RuntimeSettingsTest, SetAnswersThePreviousValueAndValidates) {
  RuntimeSettings s;
  auto prev = SetRuntimeSetting(&s, "rdpc_qa", "max_parallel_runs", "04");
  ASSERT_TRUE(prev.ok()) << prev.status();
  EXPECT_EQ(*prev, "");
  EXPECT_EQ(RuntimeSettingText(s, "rdpc_qa", "max_parallel_runs"), "4");
  prev = SetRuntimeSetting(&s, "rdpc_qa", "max_parallel_runs", "6");
  ASSERT_TRUE(prev.ok());
  EXPECT_EQ(*prev, "4");
  prev = SetRuntimeSetting(&s, "rdpc_qa", "enabled", "False");
  ASSERT_TRUE(prev.ok());
  EXPECT_EQ(RuntimeSettingText(s, "rdpc_qa", "enabled"), "false");

  const RuntimeSettings before = s;
  EXPECT_EQ(SetRuntimeSetting(&s, "rdpc_qa", "max_parallel_runs", "-1").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SetRuntimeSetting(&s, "rdpc_qa", "colour", "red").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SetRuntimeSetting(&s, "../x", "enabled", "true").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s, before);  // nothing changed by a refused set
}

TEST(RuntimeSettingsTest, CanonicalTextRoundTrips) {
  RuntimeSettings s;
  ASSERT_TRUE(SetRuntimeSetting(&s, "rdpc_qa", "workflow_version", "v0.12.1").ok());
  ASSERT_TRUE(SetRuntimeSetting(&s, "rdpc_prod", "max_parallel_runs", "20").ok());
  ASSERT_TRUE(SetRuntimeSetting(&s, "rdpc_prod", "enabled", "true").ok());
  const std::string text = RuntimeSettingsText(s);
  EXPECT_THAT(text, HasSubstr("rdpc_prod:\n  enabled: true\n  max_parallel_runs: 20\n"
                              "rdpc_qa:\n  workflow_version: v0.12.1\n"));
  auto back = ParseRuntimeSettings(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, s);
  EXPECT_EQ(RuntimeSettingsText(*back), text);
}

TEST(RuntimeSettingsTest, CanonicalValue) {
  EXPECT_EQ(*CanonicalSettingValue("max_parallel_runs", "007"), "7");
  EXPECT_EQ(*CanonicalSettingValue("enabled", "TRUE"), "true");
  EXPECT_FALSE(CanonicalSettingValue("nope", "1").ok());
}

}  // namespace
}  // namespace tracker::tracking
