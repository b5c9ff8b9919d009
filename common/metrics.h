#ifndef COMMON_METRICS_H_
#define COMMON_METRICS_H_

// Prometheus metrics: counters, gauges and histograms with labels, and the
// text exposition format (version 0.0.4) that Prometheus scrapes. Debian has
// no prometheus-cpp; this is the small part of it the services need.
//
// Label values are bounded by the caller: studies, environments, states,
// methods and codes are fine; job, run or analysis ids never are (each
// label set lives until the process exits).
//
//   auto& starts = metrics::Registry::Default().Counter(
//       "tracker_runs_started_total", "Runs started", {"environment"});
//   starts.Add({"rdpc_qa"});

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace tracker::metrics {

using Labels = std::vector<std::string>;  // values, in the family's label order

// One metric name with its label names; a child per label-value set.
class Family {
 public:
  enum class Type { kCounter, kGauge, kHistogram };
  virtual ~Family() = default;
  const std::string& name() const { return name_; }
  // Appends this family's exposition lines (HELP, TYPE, samples).
  void Expose(std::string* out) const;

 protected:
  Family(std::string name, std::string help, std::vector<std::string> label_names, Type type);
  struct Child {
    double value = 0;                    // counter, gauge; histogram: sum
    std::vector<uint64_t> bucket_counts;  // histogram only (not cumulative)
    uint64_t count = 0;                   // histogram only
  };
  // The child for `labels`, made on first use. A wrong number of values is
  // a programming error: it goes to a shared "invalid" child, never crashes.
  Child& ChildFor(const Labels& labels) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  const Type type_;
  std::vector<double> bounds_;  // histogram bucket upper bounds, ascending
  mutable absl::Mutex mu_;
  std::map<Labels, Child> children_ ABSL_GUARDED_BY(mu_);

  friend class Registry;
};

class CounterFamily : public Family {
 public:
  // `delta` < 0 is ignored: a counter only goes up.
  void Add(const Labels& labels, double delta = 1);
  double Value(const Labels& labels) const;

 private:
  using Family::Family;
  friend class Registry;
};

class GaugeFamily : public Family {
 public:
  void Set(const Labels& labels, double value);
  void Add(const Labels& labels, double delta);
  double Value(const Labels& labels) const;

 private:
  using Family::Family;
  friend class Registry;
};

class HistogramFamily : public Family {
 public:
  void Observe(const Labels& labels, double value);
  uint64_t Count(const Labels& labels) const;
  double Sum(const Labels& labels) const;

 private:
  using Family::Family;
  friend class Registry;
};

// Latency buckets in seconds, 1 ms to 60 s.
std::vector<double> LatencyBuckets();

class Registry {
 public:
  // The process-wide registry the services expose.
  static Registry& Default();

  // The family of that name, made on first call; later calls with the same
  // name return it (its help and labels are those of the first call). A name
  // or label name Prometheus would refuse gives a family that works but is
  // never exposed.
  CounterFamily& Counter(const std::string& name, const std::string& help,
                         std::vector<std::string> label_names = {});
  GaugeFamily& Gauge(const std::string& name, const std::string& help,
                     std::vector<std::string> label_names = {});
  HistogramFamily& Histogram(const std::string& name, const std::string& help,
                             std::vector<std::string> label_names = {},
                             std::vector<double> bounds = LatencyBuckets());

  // Every family in the text exposition format, sorted by name.
  std::string Expose() const;

 private:
  Family& GetOrAdd(const std::string& name, std::unique_ptr<Family> made);

  mutable absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<Family>> families_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Family>> rejected_ ABSL_GUARDED_BY(mu_);  // bad names
};

// Prometheus's rules: metric names [a-zA-Z_:][a-zA-Z0-9_:]*, label names
// [a-zA-Z_][a-zA-Z0-9_]* not starting with "__".
bool IsValidMetricName(absl::string_view name);
bool IsValidLabelName(absl::string_view name);

// A label value or HELP text escaped for the exposition format.
std::string EscapeLabelValue(absl::string_view value);
std::string EscapeHelp(absl::string_view help);
// A sample value as Prometheus reads it ("1", "0.25", "+Inf", "NaN").
std::string FormatValue(double value);

}  // namespace tracker::metrics

#endif  // COMMON_METRICS_H_
