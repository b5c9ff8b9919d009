#include "common/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

namespace tracker::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetricsTest, CounterExposition) {
  Registry r;
  auto& c = r.Counter("tracker_runs_started_total", "Runs started.", {"environment"});
  c.Add({"rdpc_qa"});
  c.Add({"rdpc_qa"}, 2);
  c.Add({"rdpc-prod"});
  c.Add({"rdpc_qa"}, -5);  // ignored: counters only go up
  EXPECT_EQ(c.Value({"rdpc_qa"}), 3);
  EXPECT_EQ(r.Expose(),
            "# HELP tracker_runs_started_total Runs started.\n"
            "# TYPE tracker_runs_started_total counter\n"
            "tracker_runs_started_total{environment=\"rdpc-prod\"} 1\n"
            "tracker_runs_started_total{environment=\"rdpc_qa\"} 3\n");
}

TEST(MetricsTest, GaugeWithoutLabelsAndFamiliesSorted) {
  Registry r;
  r.Gauge("tracker_z", "Z.").Set({}, 0.25);
  auto& g = r.Gauge("tracker_a", "A.", {"study", "state"});
  g.Set({"PACA-CA", "queued"}, 5);
  g.Add({"PACA-CA", "queued"}, -2);
  EXPECT_EQ(g.Value({"PACA-CA", "queued"}), 3);
  const std::string text = r.Expose();
  EXPECT_LT(text.find("tracker_a"), text.find("tracker_z"));
  EXPECT_THAT(text, HasSubstr("tracker_a{study=\"PACA-CA\",state=\"queued\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("tracker_z 0.25\n"));
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  Registry r;
  auto& h = r.Histogram("tracker_cycle_seconds", "Cycle.", {"environment"}, {0.1, 1, 10});
  for (double v : {0.05, 0.1, 0.5, 5.0, 50.0}) h.Observe({"qa"}, v);
  EXPECT_EQ(h.Count({"qa"}), 5u);
  EXPECT_DOUBLE_EQ(h.Sum({"qa"}), 55.65);
  const std::string text = r.Expose();
  EXPECT_THAT(text, HasSubstr("# TYPE tracker_cycle_seconds histogram\n"));
  EXPECT_THAT(text, HasSubstr("tracker_cycle_seconds_bucket{environment=\"qa\",le=\"0.1\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("tracker_cycle_seconds_bucket{environment=\"qa\",le=\"1\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("tracker_cycle_seconds_bucket{environment=\"qa\",le=\"10\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("tracker_cycle_seconds_bucket{environment=\"qa\",le=\"+Inf\"} 5\n"));
  EXPECT_THAT(text, HasSubstr("tracker_cycle_seconds_sum{environment=\"qa\"} 55.65\n"));
  EXPECT_THAT(text, HasSubstr("tracker_cycle_seconds_count{environment=\"qa\"} 5\n"));
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  Registry r;
  r.Counter("tracker_x_total", "a \\ b\nc", {"why"}).Add({"say \"hi\"\\\n"});
  const std::string text = r.Expose();
  EXPECT_THAT(text, HasSubstr("# HELP tracker_x_total a \\\\ b\\nc\n"));
  EXPECT_THAT(text, HasSubstr("tracker_x_total{why=\"say \\\"hi\\\"\\\\\\n\"} 1\n"));
}

TEST(MetricsTest, SameNameSameFamilyBadNamesNeverExposed) {
  Registry r;
  auto& a = r.Counter("tracker_n_total", "N.", {"e"});
  auto& b = r.Counter("tracker_n_total", "other help", {"e"});
  EXPECT_EQ(&a, &b);
  r.Gauge("tracker_n_total", "a gauge of a counter's name").Set({}, 1);  // our bug: not exposed
  r.Counter("bad-name", "x").Add({});
  r.Counter("tracker_ok_total", "x", {"__reserved"}).Add({"v"});
  r.Counter("tracker_wrong_arity_total", "x", {"a", "b"}).Add({"only-one"});
  const std::string text = r.Expose();
  EXPECT_THAT(text, Not(HasSubstr("bad-name")));
  EXPECT_THAT(text, Not(HasSubstr("tracker_ok_total")));
  EXPECT_THAT(text, Not(HasSubstr("# TYPE tracker_n_total gauge")));
  EXPECT_THAT(text, HasSubstr("tracker_wrong_arity_total{a=\"invalid_label_count\",b=\"invalid_label_count\"} 1"));
}

TEST(MetricsTest, NameRules) {
  for (const char* ok : {"a", "tracker_x_total", "a:b", "_x", "x9"}) EXPECT_TRUE(IsValidMetricName(ok)) << ok;
  for (const char* bad : {"", "9x", "a-b", "a b", "ä"}) EXPECT_FALSE(IsValidMetricName(bad)) << bad;
  EXPECT_TRUE(IsValidLabelName("environment"));
  for (const char* bad : {"", "__name", "a:b", "1a"}) EXPECT_FALSE(IsValidLabelName(bad)) << bad;
}

TEST(MetricsTest, ValuesAsPrometheusReadsThem) {
  EXPECT_EQ(FormatValue(1), "1");
  EXPECT_EQ(FormatValue(0.25), "0.25");
  EXPECT_EQ(FormatValue(1e21), "1e+21");
  EXPECT_EQ(FormatValue(INFINITY), "+Inf");
  EXPECT_EQ(FormatValue(-INFINITY), "-Inf");
  EXPECT_EQ(FormatValue(NAN), "NaN");
}

TEST(MetricsTest, ConcurrentUpdatesAreAllCounted) {
  Registry r;
  auto& c = r.Counter("tracker_c_total", "C.", {"t"});
  auto& h = r.Histogram("tracker_h_seconds", "H.", {"t"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.Add({"x"});
        h.Observe({"x"}, 0.01);
        if (i % 1000 == 0) (void)r.Expose();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.Value({"x"}), 40000);
  EXPECT_EQ(h.Count({"x"}), 40000u);
}

}  // namespace
}  // namespace tracker::metrics
