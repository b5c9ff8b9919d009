#include "common/metrics.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace tracker::metrics {
namespace {

// Labels of a sample: {a="x",b="y"} plus an extra label (histogram "le").
std::string LabelText(const std::vector<std::string>& names, const Labels& values,
                      absl::string_view extra_name = "", absl::string_view extra_value = "") {
  std::string out;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    absl::StrAppend(&out, out.empty() ? "" : ",", names[i], "=\"", EscapeLabelValue(values[i]),
                    "\"");
  }
  if (!extra_name.empty()) {
    absl::StrAppend(&out, out.empty() ? "" : ",", extra_name, "=\"", extra_value, "\"");
  }
  return out.empty() ? out : absl::StrCat("{", out, "}");
}

const char* TypeName(Family::Type type) {
  switch (type) {
    case Family::Type::kCounter:
      return "counter";
    case Family::Type::kGauge:
      return "gauge";
    case Family::Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

bool IsValidMetricName(absl::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
                    (i > 0 && absl::ascii_isdigit(static_cast<unsigned char>(c)));
    if (!ok) return false;
  }
  return true;
}

bool IsValidLabelName(absl::string_view name) {
  if (name.empty() || name.substr(0, 2) == "__") return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_' ||
                    (i > 0 && absl::ascii_isdigit(static_cast<unsigned char>(c)));
    if (!ok) return false;
  }
  return true;
}

std::string EscapeLabelValue(absl::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string EscapeHelp(absl::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return absl::StrCat(value);
}

std::vector<double> LatencyBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

Family::Family(std::string name, std::string help, std::vector<std::string> label_names,
               Type type)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      type_(type) {}

Family::Child& Family::ChildFor(const Labels& labels) {
  // A wrong arity is our bug; keeping it visible beats aborting a service.
  const Labels key = labels.size() == label_names_.size()
                         ? labels
                         : Labels(label_names_.size(), "invalid_label_count");
  auto [it, added] = children_.try_emplace(key);
  if (added && type_ == Type::kHistogram) it->second.bucket_counts.assign(bounds_.size(), 0);
  return it->second;
}

void Family::Expose(std::string* out) const {
  absl::StrAppend(out, "# HELP ", name_, " ", EscapeHelp(help_), "\n# TYPE ", name_, " ",
                  TypeName(type_), "\n");
  absl::MutexLock lock(&mu_);
  for (const auto& [labels, child] : children_) {
    if (type_ != Type::kHistogram) {
      absl::StrAppend(out, name_, LabelText(label_names_, labels), " ", FormatValue(child.value),
                      "\n");
      continue;
    }
    uint64_t cumulative = 0;
    for (size_t i = 0; i < bounds_.size(); ++i) {
      cumulative += child.bucket_counts[i];
      absl::StrAppend(out, name_, "_bucket",
                      LabelText(label_names_, labels, "le", FormatValue(bounds_[i])), " ",
                      cumulative, "\n");
    }
    absl::StrAppend(out, name_, "_bucket", LabelText(label_names_, labels, "le", "+Inf"), " ",
                    child.count, "\n");
    absl::StrAppend(out, name_, "_sum", LabelText(label_names_, labels), " ",
                    FormatValue(child.value), "\n");
    absl::StrAppend(out, name_, "_count", LabelText(label_names_, labels), " ", child.count,
                    "\n");
  }
}

void CounterFamily::Add(const Labels& labels, double delta) {
  if (!(delta >= 0)) return;
  absl::MutexLock lock(&mu_);
  ChildFor(labels).value += delta;
}

double CounterFamily::Value(const Labels& labels) const {
  absl::MutexLock lock(&mu_);
  auto it = children_.find(labels);
  return it == children_.end() ? 0 : it->second.value;
}

void GaugeFamily::Set(const Labels& labels, double value) {
  absl::MutexLock lock(&mu_);
  ChildFor(labels).value = value;
}

void GaugeFamily::Add(const Labels& labels, double delta) {
  absl::MutexLock lock(&mu_);
  ChildFor(labels).value += delta;
}

double GaugeFamily::Value(const Labels& labels) const {
  absl::MutexLock lock(&mu_);
  auto it = children_.find(labels);
  return it == children_.end() ? 0 : it->second.value;
}

void HistogramFamily::Observe(const Labels& labels, double value) {
  absl::MutexLock lock(&mu_);
  Child& child = ChildFor(labels);
  // The first bucket whose upper bound holds the value ("le" is <=).
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  if (i < bounds_.size()) ++child.bucket_counts[i];
  ++child.count;
  child.value += value;
}

uint64_t HistogramFamily::Count(const Labels& labels) const {
  absl::MutexLock lock(&mu_);
  auto it = children_.find(labels);
  return it == children_.end() ? 0 : it->second.count;
}

double HistogramFamily::Sum(const Labels& labels) const {
  absl::MutexLock lock(&mu_);
  auto it = children_.find(labels);
  return it == children_.end() ? 0 : it->second.value;
}

Registry& Registry::Default() {
  static Registry* registry = new Registry();
  return *registry;
}

Family& Registry::GetOrAdd(const std::string& name, std::unique_ptr<Family> made) {
  absl::MutexLock lock(&mu_);
  bool valid = IsValidMetricName(name);
  for (const std::string& label : made->label_names_) valid = valid && IsValidLabelName(label);
  if (!valid) {
    // Our bug: the caller gets a working family that is never exposed, so
    // one bad name cannot make the whole scrape unreadable.
    rejected_.push_back(std::move(made));
    return *rejected_.back();
  }
  auto [it, added] = families_.try_emplace(name, std::move(made));
  return *it->second;
}

CounterFamily& Registry::Counter(const std::string& name, const std::string& help,
                                 std::vector<std::string> label_names) {
  auto made = std::unique_ptr<CounterFamily>(
      new CounterFamily(name, help, std::move(label_names), Family::Type::kCounter));
  // A name registered before as another type is our bug: the caller still
  // gets a working family, only not exposed.
  Family& family = GetOrAdd(name, std::move(made));
  if (family.type_ == Family::Type::kCounter) return static_cast<CounterFamily&>(family);
  static CounterFamily* orphan = new CounterFamily("orphan", "", {}, Family::Type::kCounter);
  return *orphan;
}

GaugeFamily& Registry::Gauge(const std::string& name, const std::string& help,
                             std::vector<std::string> label_names) {
  auto made = std::unique_ptr<GaugeFamily>(
      new GaugeFamily(name, help, std::move(label_names), Family::Type::kGauge));
  Family& family = GetOrAdd(name, std::move(made));
  if (family.type_ == Family::Type::kGauge) return static_cast<GaugeFamily&>(family);
  static GaugeFamily* orphan = new GaugeFamily("orphan", "", {}, Family::Type::kGauge);
  return *orphan;
}

HistogramFamily& Registry::Histogram(const std::string& name, const std::string& help,
                                     std::vector<std::string> label_names,
                                     std::vector<double> bounds) {
  auto made = std::unique_ptr<HistogramFamily>(
      new HistogramFamily(name, help, std::move(label_names), Family::Type::kHistogram));
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  made->bounds_ = std::move(bounds);
  Family& family = GetOrAdd(name, std::move(made));
  if (family.type_ == Family::Type::kHistogram) return static_cast<HistogramFamily&>(family);
  static HistogramFamily* orphan =
      new HistogramFamily("orphan", "", {}, Family::Type::kHistogram);
  return *orphan;
}

std::string Registry::Expose() const {
  std::string out;
  absl::MutexLock lock(&mu_);
  for (const auto& [name, family] : families_) family->Expose(&out);
  return out;
}

}  // namespace tracker::metrics
