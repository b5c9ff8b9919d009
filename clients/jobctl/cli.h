#ifndef CLIENTS_JOBCTL_CLI_H_
#define CLIENTS_JOBCTL_CLI_H_

// What every jobctl command shares: its arguments, the services it talks
// to, and how it speaks to people and scripts.

#include <grpcpp/grpcpp.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/tracker/v1/repo.grpc.pb.h"
#include "proto/tracker/v1/scheduler.grpc.pb.h"
#include "proto/tracker/v1/wes.grpc.pb.h"

namespace jobctl {

// Exit codes: usage errors (2) are told apart from server errors (1).
constexpr int kOk = 0;
constexpr int kServerError = 1;
constexpr int kUsageError = 2;

// `--name=value`, `--name value` (for options that take one), `--flag`,
// and positional arguments, in the order given.
class Args {
 public:
  // `valued`: options that take a value; `flags`: options that do not.
  // Returns false (and sets `error`) on an unknown option.
  bool Parse(const std::vector<std::string>& argv, const std::set<std::string>& valued,
             const std::set<std::string>& flags, std::string* error);
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  // Every value of a repeatable option; commas split values too.
  std::vector<std::string> GetAll(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::multimap<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

// The three services jobctl talks to. Addresses from --repo_service,
// --scheduler, --wes_poller or JOBCTL_REPO_SERVICE, JOBCTL_SCHEDULER,
// JOBCTL_WES_POLLER, else the local defaults.
struct Services {
  std::string repo_address, scheduler_address, wes_address;
  std::unique_ptr<tracker::v1::RepoService::Stub> repo;
  std::unique_ptr<tracker::v1::Scheduler::Stub> scheduler;
  std::unique_ptr<tracker::v1::WesPoller::Stub> wes;
  int deadline_seconds = 120;
  // connection.h: TLS and a token, or plaintext.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  bool tls = false;
  void Connect();
  // One call with the deadline; the status as absl, with a hint when the
  // service is not there.
  absl::Status Call(const std::function<grpc::Status(grpc::ClientContext*)>& fn) const;
};

class Ui {
 public:
  Ui();
  bool tty() const { return tty_; }
  // ANSI colour only on a terminal (and not with NO_COLOR).
  std::string Color(const std::string& text, const char* code) const;
  std::string StateColor(const std::string& state) const;
  // Columns aligned to their widest cell.
  void Table(const std::vector<std::string>& header,
             const std::vector<std::vector<std::string>>& rows) const;
  void Json(const google::protobuf::Message& message) const;
  // Each branch against the remote: tip, remote tip, ahead/behind, last push.
  void Branches(const tracker::v1::GetSyncStatusResponse& sync) const;
  // A progress line on stderr (terminals only).
  void Progress(const std::string& text) const;
  // Bulk changes ask first. Without a terminal on stdin there is nobody to
  // ask: --yes is then required (a usage error otherwise).
  int Confirm(const std::string& command, const std::string& question, bool yes) const;

 private:
  bool tty_;
  bool stdin_tty_;
};

// Prints "jobctl CMD: MESSAGE" and the hint, returns kUsageError.
int UsageError(const std::string& command, const std::string& message);
// The usage error for `text` that is not a STUDY/BATCH/JOB key.
int NotAJobKey(const std::string& command, const std::string& text);
// Prints the server's error (code and message), returns kServerError.
int ServerError(const std::string& command, const absl::Status& status);

// "PACA-CA/2021-07-09/job.0001" -> key; false on another shape or an id
// the repository would refuse (tracking/ids.h: a typo is a usage error, not
// a question for the server). Keys print with tracking::JobKeyText, states
// with tracking::JobStateName.
bool ParseJobKey(const std::string& text, tracker::v1::JobKey* key);
// "backlog" -> JOB_STATE_BACKLOG.
bool ParseState(const std::string& text, tracker::v1::JobState* state);
std::string FormatEpoch(int64_t epoch);  // "2021-07-11 12:40 UTC"
std::string FormatBytes(int64_t bytes);  // "162.9 GB"
// The whole of a file an admin names (a summary, a template, a dump's
// config); false when it cannot be read.
bool ReadTextFile(const std::string& path, std::string* out);
// A whole-number argument in [min, max]; false on anything else.
bool ParseInt(const std::string& text, int64_t min, int64_t max, int64_t* out);

// The compute environments of the scheduler's configuration, from its
// GetStatus (the status of the call when the scheduler cannot be asked).
absl::StatusOr<std::vector<std::string>> KnownEnvironments(Services& s);

// Admin writes go to main after the scheduler's work is merged into it, and
// main is pushed afterwards (SPEC.md section 5).
absl::Status MergeSchedulerIntoMain(Services& s);
// The same for a command: kOk, or the server error printed.
int MergeSchedulerFirst(const std::string& command, Services& s);
// Pushes main; a failure is a warning (the change is made, and pushed with
// the next push).
void PushMain(Services& s, const std::string& command);

}  // namespace jobctl

#endif  // CLIENTS_JOBCTL_CLI_H_
