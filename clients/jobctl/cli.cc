#include "clients/jobctl/cli.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include <google/protobuf/util/json_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/file_util.h"
#include "common/tls.h"
#include "absl/time/time.h"
#include "common/status.h"
#include "proto/tracker/v1/scheduler_names.h"
#include "tracking/layout.h"
#include "tracking/proto.h"

namespace jobctl {

bool Args::Parse(const std::vector<std::string>& argv, const std::set<std::string>& valued,
                 const std::set<std::string>& flags, std::string* error) {
  bool only_positional = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (only_positional || a.size() < 3 || a.rfind("--", 0) != 0) {
      if (a == "--") {
        only_positional = true;
        continue;
      }
      positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2), value;
    size_t eq = name.find('=');
    bool has_value = eq != std::string::npos;
    if (has_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (flags.count(name)) {
      if (has_value) {
        *error = absl::StrCat("--", name, " takes no value");
        return false;
      }
      values_.emplace(name, "true");
    } else if (valued.count(name)) {
      if (!has_value) {
        if (i + 1 >= argv.size()) {
          *error = absl::StrCat("--", name, " needs a value");
          return false;
        }
        value = argv[++i];
      }
      values_.emplace(name, value);
    } else {
      *error = absl::StrCat("unknown option --", name);
      return false;
    }
  }
  return true;
}

std::string Args::Get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

std::vector<std::string> Args::GetAll(const std::string& name) const {
  std::vector<std::string> out;
  auto range = values_.equal_range(name);
  for (auto it = range.first; it != range.second; ++it) {
    for (absl::string_view v : absl::StrSplit(it->second, ',', absl::SkipWhitespace())) {
      out.emplace_back(absl::StripAsciiWhitespace(v));
    }
  }
  return out;
}

void Services::Connect() {
  if (credentials == nullptr) credentials = grpc::InsecureChannelCredentials();
  auto channel = [&](const std::string& a) { return tracker::OpenChannel(a, credentials); };
  repo = tracker::v1::RepoService::NewStub(channel(repo_address));
  scheduler = tracker::v1::Scheduler::NewStub(channel(scheduler_address));
  wes = tracker::v1::WesPoller::NewStub(channel(wes_address));
}

absl::Status Services::Call(const std::function<grpc::Status(grpc::ClientContext*)>& fn) const {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(deadline_seconds));
  grpc::Status s = fn(&ctx);
  // pick_first says "failed to connect to all addresses", round_robin
  // "connections to all backends failing ... Failed to connect".
  if (s.error_code() == grpc::StatusCode::UNAVAILABLE &&
      absl::StrContains(absl::AsciiStrToLower(s.error_message()), "failed to connect")) {
    return absl::UnavailableError(absl::StrCat(
        s.error_message(), " (is the service running? see --help for addresses",
        tls ? "; does --ca hold the CA of its certificate?" : "; does it use TLS? then give --ca",
        ")"));
  }
  if (s.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    return absl::UnauthenticatedError(absl::StrCat(
        "the server does not know who you are: ", s.error_message(),
        " (give --token-file, or --cert and --key; see jobctl --help)"));
  }
  if (s.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    return absl::PermissionDeniedError(
        absl::StrCat("the server refused: ", s.error_message()));
  }
  return tracker::FromGrpcStatus(s);
}

Ui::Ui() : tty_(isatty(1) != 0), stdin_tty_(isatty(0) != 0) {}

std::string Ui::Color(const std::string& text, const char* code) const {
  static const bool no_color = std::getenv("NO_COLOR") != nullptr;
  if (!tty_ || no_color) return text;
  return absl::StrCat("\033[", code, "m", text, "\033[0m");
}

std::string Ui::StateColor(const std::string& state) const {
  if (state == "completed" || state == "COMPLETE" || state == "ok") return Color(state, "32");
  if (state == "failed" || absl::StrContains(state, "ERROR") || state == "stopped") return Color(state, "31");
  if (state == "queued" || state == "RUNNING" || state == "QUEUED" || state == "paused") return Color(state, "33");
  return state;
}

void Ui::Table(const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows) const {
  // Widths without the colour escapes.
  auto visible = [](const std::string& s) {
    size_t n = 0;
    bool esc = false;
    for (char c : s) {
      if (c == '\033') esc = true;
      else if (esc && c == 'm') esc = false;
      else if (!esc) ++n;
    }
    return n;
  };
  // One line per row: a cell's line breaks (error reports) become spaces.
  std::vector<std::vector<std::string>> clean;
  for (const auto& r : rows) {
    std::vector<std::string> cells;
    for (const std::string& cell : r) {
      std::string c;
      for (char ch : cell) {
        bool space = ch == '\n' || ch == '\r' || ch == '\t';
        if (space && (c.empty() || c.back() == ' ')) continue;
        c.push_back(space ? ' ' : ch);
      }
      cells.push_back(c);
    }
    clean.push_back(std::move(cells));
  }
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& r : clean) {
    for (size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], visible(r[i]));
  }
  auto line = [&](const std::vector<std::string>& r, bool bold) {
    std::string out;
    for (size_t i = 0; i < r.size(); ++i) {
      std::string cell = bold ? Color(r[i], "1") : r[i];
      out += cell;
      if (i + 1 < r.size()) out += std::string(width[i] - visible(r[i]) + 2, ' ');
    }
    std::cout << out << "\n";
  };
  line(header, true);
  for (const auto& r : clean) line(r, false);
}

void Ui::Json(const google::protobuf::Message& message) const {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.add_whitespace = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  // Cycle actions and outcomes as the words scripts have always read.
  out = tracker::v1::WithCycleWords(out);
  std::cout << out;
  if (out.empty() || out.back() != '\n') std::cout << "\n";
}

void Ui::Branches(const tracker::v1::GetSyncStatusResponse& sync) const {
  std::vector<std::vector<std::string>> rows;
  for (const auto& b : sync.branches()) {
    rows.push_back({b.name(), b.tip().substr(0, 12), b.remote_tip().substr(0, 12), std::to_string(b.ahead()),
                    std::to_string(b.behind()), FormatEpoch(b.last_push_epoch())});
  }
  Table({"BRANCH", "TIP", "REMOTE", "AHEAD", "BEHIND", "LAST PUSH"}, rows);
}

void Ui::Progress(const std::string& text) const {
  if (isatty(2)) std::cerr << text << "\n";
}

int Ui::Confirm(const std::string& command, const std::string& question, bool yes) const {
  if (yes) return kOk;
  if (!stdin_tty_) {
    return UsageError(command, absl::StrCat(question,
                                            ": stdin is not a terminal, so nobody can answer; "
                                            "add --yes to go ahead"));
  }
  std::cerr << question << " [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  answer = absl::AsciiStrToLower(absl::StripAsciiWhitespace(answer));
  if (answer == "y" || answer == "yes") return kOk;
  std::cerr << "nothing was changed\n";
  return kServerError;  // declined: nothing done
}

int UsageError(const std::string& command, const std::string& message) {
  std::cerr << "jobctl " << command << ": " << message << "\n"
            << "see: jobctl " << command << " --help\n";
  return kUsageError;
}

int NotAJobKey(const std::string& command, const std::string& text) {
  return UsageError(command, absl::StrCat("\"", text,
                                          "\" is not a job; write STUDY/BATCH/JOB, e.g. PACA-CA/2021-07-09/job.0001"));
}

int ServerError(const std::string& command, const absl::Status& status) {
  std::cerr << "jobctl " << command << ": " << status.message() << " ("
            << absl::StatusCodeToString(status.code()) << ")\n";
  return kServerError;
}

bool ParseJobKey(const std::string& text, tracker::v1::JobKey* key) {
  absl::StatusOr<tracker::v1::JobKey> parsed = tracker::tracking::ParseJobKeyMessage(text);
  if (!parsed.ok()) return false;
  *key = *std::move(parsed);
  return true;
}

bool ParseState(const std::string& text, tracker::v1::JobState* state) {
  for (auto s : {tracker::v1::JOB_STATE_BACKLOG, tracker::v1::JOB_STATE_QUEUED,
                 tracker::v1::JOB_STATE_FAILED, tracker::v1::JOB_STATE_COMPLETED,
                 tracker::v1::JOB_STATE_ONHOLD}) {
    if (tracker::tracking::JobStateName(s) == text) {
      *state = s;
      return true;
    }
  }
  return false;
}

std::string FormatEpoch(int64_t epoch) {
  if (epoch <= 0) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M UTC", absl::FromUnixSeconds(epoch), absl::UTCTimeZone());
}

std::string FormatBytes(int64_t bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1000 && u < 5) {
    v /= 1000;
    ++u;
  }
  return u == 0 ? absl::StrCat(bytes, " B") : absl::StrFormat("%.1f %s", v, units[u]);
}

bool ReadTextFile(const std::string& path, std::string* out) {
  absl::StatusOr<std::string> text = tracker::ReadFile(path);
  if (!text.ok()) return false;
  *out = *std::move(text);
  return true;
}

bool ParseInt(const std::string& text, int64_t min, int64_t max, int64_t* out) {
  int64_t v;
  if (!absl::SimpleAtoi(text, &v) || v < min || v > max) return false;
  *out = v;
  return true;
}

absl::StatusOr<std::vector<std::string>> KnownEnvironments(Services& s) {
  tracker::v1::GetStatusResponse status;
  absl::Status st = s.Call([&](grpc::ClientContext* c) {
    return s.scheduler->GetStatus(c, tracker::v1::GetStatusRequest(), &status);
  });
  if (!st.ok()) return st;
  std::vector<std::string> names;
  for (const auto& e : status.environments()) names.push_back(e.name());
  return names;
}

absl::Status MergeSchedulerIntoMain(Services& s) {
  tracker::v1::MergeRequest req;
  req.mutable_options()->set_branch(tracker::tracking::kMainBranch);
  req.set_source(tracker::tracking::kSchedulerBranch);
  tracker::v1::MergeResponse out;
  return s.Call([&](grpc::ClientContext* c) { return s.repo->Merge(c, req, &out); });
}

int MergeSchedulerFirst(const std::string& command, Services& s) {
  absl::Status merged = MergeSchedulerIntoMain(s);
  if (merged.ok()) return kOk;
  return ServerError(command, absl::Status(merged.code(), absl::StrCat("cannot merge scheduler into main first: ",
                                                                       merged.message())));
}

void PushMain(Services& s, const std::string& command) {
  tracker::v1::PushRequest req;
  req.set_branch(tracker::tracking::kMainBranch);
  tracker::v1::PushResponse out;
  absl::Status pushed =
      s.Call([&](grpc::ClientContext* c) { return s.repo->Push(c, req, &out); });
  if (!pushed.ok()) {
    std::cerr << "jobctl " << command << ": warning: the change is made but main was not pushed ("
              << pushed.message() << "); the scheduler pushes it later\n";
  }
}

}  // namespace jobctl
