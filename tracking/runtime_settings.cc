#include "tracking/runtime_settings.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tracking/ids.h"

namespace tracker::tracking {
namespace {

absl::StatusOr<int> IntValue(absl::string_view key, absl::string_view value, int max) {
  int n = 0;
  if (!absl::SimpleAtoi(value, &n) || n < 0 || n > max) {
    return absl::InvalidArgumentError(absl::StrCat(key, " must be a whole number from 0 to ", max,
                                                   ", got \"", value.substr(0, 64), "\""));
  }
  return n;
}

absl::StatusOr<bool> BoolValue(absl::string_view key, absl::string_view value) {
  const std::string v = absl::AsciiStrToLower(value);
  if (v == "true") return true;
  if (v == "false") return false;
  return absl::InvalidArgumentError(
      absl::StrCat(key, " must be true or false, got \"", value.substr(0, 64), "\""));
}

absl::StatusOr<std::string> VersionValue(absl::string_view key, absl::string_view value) {
  bool ok = !value.empty() && value.size() <= 128;
  for (char c : value) {
    ok &= absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
          c == '-' || c == '+' || c == '/';
  }
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        key, " must be a workflow revision (1-128 of letters, digits, . _ - + /), got \"",
        value.substr(0, 64), "\""));
  }
  return std::string(value);
}

// Applies one validated key to `env`.
absl::Status Apply(EnvironmentSettings* env, absl::string_view key, absl::string_view value) {
  if (key == kMaxParallelRunsKey) {
    auto n = IntValue(key, value, 10000);
    if (!n.ok()) return n.status();
    env->max_parallel_runs = *n;
  } else if (key == kExcessiveFailureThresholdKey) {
    auto n = IntValue(key, value, 1000000);
    if (!n.ok()) return n.status();
    env->excessive_failure_threshold = *n;
  } else if (key == kWorkflowVersionKey) {
    auto v = VersionValue(key, value);
    if (!v.ok()) return v.status();
    env->workflow_version = *v;
  } else if (key == kEnabledKey) {
    auto b = BoolValue(key, value);
    if (!b.ok()) return b.status();
    env->enabled = *b;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unknown setting \"", key.substr(0, 64),
                                                   "\"; known: ",
                                                   absl::StrJoin(RuntimeSettingKeys(), ", ")));
  }
  return absl::OkStatus();
}

// Every set key of `env` with its canonical text, in key order.
std::map<std::string, std::string> Texts(const EnvironmentSettings& env) {
  std::map<std::string, std::string> out;
  if (env.max_parallel_runs) out[kMaxParallelRunsKey] = absl::StrCat(*env.max_parallel_runs);
  if (env.excessive_failure_threshold) {
    out[kExcessiveFailureThresholdKey] = absl::StrCat(*env.excessive_failure_threshold);
  }
  if (env.workflow_version) out[kWorkflowVersionKey] = *env.workflow_version;
  if (env.enabled) out[kEnabledKey] = *env.enabled ? "true" : "false";
  return out;
}

// A value without its quotes and its trailing comment.
absl::StatusOr<std::string> Scalar(absl::string_view raw) {
  raw = absl::StripAsciiWhitespace(raw);
  if (!raw.empty() && (raw.front() == '"' || raw.front() == '\'')) {
    const size_t close = raw.find(raw.front(), 1);
    if (close == absl::string_view::npos) return absl::InvalidArgumentError("unclosed quote");
    absl::string_view rest = absl::StripAsciiWhitespace(raw.substr(close + 1));
    if (!rest.empty() && rest.front() != '#') {
      return absl::InvalidArgumentError("text after the quoted value");
    }
    return std::string(raw.substr(1, close - 1));
  }
  // YAML: a comment starts at a `#` after whitespace.
  for (size_t i = 1; i < raw.size(); ++i) {
    if (raw[i] == '#' && absl::ascii_isspace(static_cast<unsigned char>(raw[i - 1]))) {
      raw = absl::StripAsciiWhitespace(raw.substr(0, i));
      break;
    }
  }
  return std::string(raw);
}

}  // namespace

bool EnvironmentSettings::operator==(const EnvironmentSettings& o) const {
  return max_parallel_runs == o.max_parallel_runs &&
         excessive_failure_threshold == o.excessive_failure_threshold &&
         workflow_version == o.workflow_version && enabled == o.enabled;
}

const std::vector<std::string>& RuntimeSettingKeys() {
  static const auto* keys = new std::vector<std::string>{
      kEnabledKey, kExcessiveFailureThresholdKey, kMaxParallelRunsKey, kWorkflowVersionKey};
  return *keys;
}

absl::StatusOr<std::string> CanonicalSettingValue(absl::string_view key, absl::string_view value) {
  EnvironmentSettings env;
  if (absl::Status s = Apply(&env, key, value); !s.ok()) return s;
  return Texts(env).at(std::string(key));
}

absl::StatusOr<std::string> SetRuntimeSetting(RuntimeSettings* settings,
                                              absl::string_view environment,
                                              absl::string_view key, absl::string_view value) {
  if (absl::Status s = ValidateEnvironment(environment); !s.ok()) return s;
  EnvironmentSettings env;
  auto it = settings->find(std::string(environment));
  if (it != settings->end()) env = it->second;
  const std::string previous = RuntimeSettingText(*settings, environment, key);
  if (absl::Status s = Apply(&env, key, value); !s.ok()) return s;
  (*settings)[std::string(environment)] = env;
  return previous;
}

std::string RuntimeSettingText(const RuntimeSettings& settings, absl::string_view environment,
                               absl::string_view key) {
  auto it = settings.find(std::string(environment));
  if (it == settings.end()) return "";
  auto texts = Texts(it->second);
  auto t = texts.find(std::string(key));
  return t == texts.end() ? "" : t->second;
}

absl::StatusOr<RuntimeSettings> ParseRuntimeSettings(absl::string_view text) {
  RuntimeSettings out;
  std::string env;  // the environment the next key lines belong to
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    auto error = [&](absl::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat(kSettingsPath, " line ", number, ": ", what));
    };
    line = absl::StripSuffix(line, "\r");
    const absl::string_view content = absl::StripLeadingAsciiWhitespace(line);
    if (content.empty() || content.front() == '#') continue;
    if (line.find('\t') != absl::string_view::npos) return error("tabs are not YAML indentation");
    const size_t colon = content.find(':');
    if (colon == absl::string_view::npos) return error("expected \"name:\" or \"key: value\"");
    const std::string name(absl::StripTrailingAsciiWhitespace(content.substr(0, colon)));
    auto value = Scalar(content.substr(colon + 1));
    if (!value.ok()) return error(value.status().message());
    if (content.size() == line.size()) {  // not indented: an environment
      if (!value->empty()) {
        return error(absl::StrCat("\"", name, "\" must be an environment name followed by its "
                                  "settings on the lines below"));
      }
      if (absl::Status s = ValidateEnvironment(name); !s.ok()) return error(s.message());
      if (out.count(name) != 0) return error(absl::StrCat("environment ", name, " is given twice"));
      env = name;
      out[env];
      continue;
    }
    if (env.empty()) return error("a setting must be under an environment name");
    if (!RuntimeSettingText(out, env, name).empty()) {
      return error(absl::StrCat(name, " of ", env, " is given twice"));
    }
    if (absl::Status s = Apply(&out[env], name, *value); !s.ok()) return error(s.message());
  }
  return out;
}

std::string RuntimeSettingsText(const RuntimeSettings& settings) {
  std::string out =
      "# Runtime settings of the scheduler, per compute environment; the config file\n"
      "# gives every value not here. Change them with: jobctl set ENV KEY VALUE\n";
  for (const auto& [env, values] : settings) {
    auto texts = Texts(values);
    if (texts.empty()) continue;
    absl::StrAppend(&out, env, ":\n");
    for (const auto& [key, value] : texts) absl::StrAppend(&out, "  ", key, ": ", value, "\n");
  }
  return out;
}

}  // namespace tracker::tracking
