#ifndef SERVICES_REPO_SERVICE_STORE_TYPES_H_
#define SERVICES_REPO_SERVICE_STORE_TYPES_H_

// What the store's readers, writer and sync take and answer: plain values in
// the tracking repository's own terms (tracking/). service.cc translates
// them from and to tracker.v1 messages; nothing in the store builds one.
// Commit ids are 40-hex strings.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

#include "tracking/flags.h"
#include "tracking/ids.h"
#include "tracking/layout.h"
#include "tracking/run_marker.h"

namespace tracker::repo {

using tracking::FlagKind;
using tracking::JobKey;
using tracking::Marker;
using tracking::State;

// One run marker file of a job.
struct Run {
  std::string file_name;
  Marker marker;  // parsed from file_name
};

// ---- Reads -----------------------------------------------------------------

struct JobQuery {
  std::string branch;                  // "" = scheduler
  std::vector<std::string> study_ids;  // empty = every study
  std::string batch_id;                // "" = every batch
  std::vector<State> states;           // empty = every state
  std::string environment;             // only jobs whose current run names it
  int page_size = 0;                   // 0 = the default (1000)
  std::string page_token;
  int64_t min_run_epoch = 0;  // only jobs whose current run is this recent
  // Also the held jobs (in onhold/), after the states' jobs of each batch.
  // The scheduler never asks for them.
  bool include_held = false;
  bool only_held = false;  // with include_held: no state's jobs at all
};

struct JobSummary {
  JobKey key;
  State state = State::kBacklog;  // meaningless when held
  bool held = false;              // in onhold/
  std::optional<Run> current_run;  // the newest marker
  int run_count = 0;
};

struct JobPage {
  std::vector<JobSummary> jobs;
  std::string next_page_token;  // "" on the last page
  std::string commit;
  int total_size = 0;  // jobs matching the query, over all pages
};

struct AnalysisLine {
  std::string analysis_id;
  int64_t analysis_bytes = 0;
};

struct JobDetail {
  JobKey key;
  State state = State::kBacklog;  // meaningless when held
  bool held = false;              // in onhold/
  std::string commit;
  std::string params_json;  // exactly as stored; "" without params.json
  std::vector<Run> runs;    // oldest first; the last is current
  std::vector<AnalysisLine> analyses;
  int64_t job_bytes = 0;
  int batch_line_count = 0;  // lines of batch-summary.tsv for this job
};

struct FlagInfo {
  FlagKind kind = FlagKind::kPause;
  std::string environment;
  std::string path;     // jobs/<file name>
  std::string content;  // set by ListFlags only
};

struct FlagList {
  std::vector<FlagInfo> flags;
  std::string commit;
};

struct StudyCounts {
  std::string study_id;
  int counts[tracking::kStateCount] = {0, 0, 0, 0};  // by State
  // The jobs' sizes by State, from their batch summary's job_bytes (the
  // unit a transfer team thinks in); a job without summary lines adds 0.
  int64_t bytes[tracking::kStateCount] = {0, 0, 0, 0};
  // Jobs in folders that are not a state (onhold/): reported, never touched.
  std::map<std::string, int> other_folders;
};

struct StateReport {
  std::string text;  // exactly the seed loop's lines
  std::vector<StudyCounts> studies;
  std::vector<FlagInfo> flags;
  std::string commit;
  int total_jobs = 0;
};

struct JobChange {
  JobKey key;
  std::string from_folder;  // "" when the job is new
  std::string to_folder;    // "" when the job was removed
};

struct CommitAtTime {
  std::string commit;  // 40 hex
  absl::Time time;     // committer time
};

struct Transitions {
  std::vector<JobChange> changes;
  std::string from_commit;
  std::string to_commit;
};

// One problem the audit found; README's jobctl reference lists the codes.
struct Finding {
  std::string code;  // e.g. DUPLICATE_ANALYSIS
  std::string message;
  std::vector<std::string> paths;  // every place in the repository involved
  std::vector<JobKey> jobs;        // every job involved (none for some codes)
  std::string analysis_id;         // DUPLICATE_ANALYSIS only
};

struct AuditQuery {
  std::string branch;  // "" = scheduler
  // The compute environments of the scheduler's configuration: a flag
  // naming another is reported. Empty: flags are not checked.
  std::vector<std::string> known_environments;
};

struct AuditReport {
  std::vector<Finding> findings;
  std::string commit;
  bool environments_checked = false;
};

// ---- Writes ----------------------------------------------------------------

// Options every write takes.
struct WriteOptions {
  std::string branch;        // "" = the write's own default
  std::string expected_tip;  // when set, ABORTED unless the branch is there
  std::string message;       // "" = the write's default, in the real history's style
  std::string author_name;   // "" = the store's default
  std::string author_email;
  // Who asked (the authenticated principal; "" without authentication) and
  // through which RPC: the write's log line names both.
  std::string caller;
  std::string rpc;
  // Only the scheduler's identity writes the scheduler branch (and so
  // queued/, which only that branch holds). True without authentication.
  bool may_write_scheduler_branch = true;
  // Validate and plan only: the result names the tip the change was
  // planned on and the changes; nothing is written.
  bool dry_run = false;
};

// One change of a write, as an admin reads it.
struct Change {
  std::string action;  // "move", "add", "remove" or "edit"
  std::string path;
  std::string detail;  // e.g. "to backlog/"
};

struct WriteResult {
  std::string commit;  // the branch's new tip (on a dry run: the tip planned on)
  std::string branch;
  std::vector<Change> changes;  // filled by the admin writes
  bool dry_run = false;
  std::string message;  // the commit's message
};

struct Transition {
  JobKey key;
  State from = State::kBacklog;  // the state the caller expects the job in
  State to = State::kBacklog;
  std::optional<Marker> add_run;
  std::string remove_run_file;  // a marker of the job to delete
  bool clear_runs = false;      // delete every marker of the job
};

struct BatchImport {
  std::string study_id;
  std::string batch_id;
  std::string summary_tsv;                         // stored as given
  std::map<std::string, std::string> params_json;  // job id -> params.json
  bool dry_run = false;
};

struct ImportResult {
  std::optional<WriteResult> result;  // none on a dry run
  int job_count = 0;
  int analysis_count = 0;
  int64_t total_bytes = 0;
};

struct MergeResult {
  WriteResult result;
  bool fast_forward = false;
  bool up_to_date = false;
};

// ---- With the remote -------------------------------------------------------

struct BranchStatus {
  std::string name;
  std::string tip;
  std::string remote_tip;  // refs/remotes/origin/<name>; "" when unknown
  int ahead = 0;
  int behind = 0;
  int64_t last_push_epoch = 0;  // 0 when never pushed from here
};

struct PushResult {
  std::string commit;  // what the remote's branch now is
  int attempts = 0;
  int64_t push_epoch = 0;
};

struct SyncStatus {
  std::vector<BranchStatus> branches;  // main, scheduler
  std::string remote_url;              // without credentials
};

}  // namespace tracker::repo

#endif  // SERVICES_REPO_SERVICE_STORE_TYPES_H_
