#ifndef SERVICES_SCHEDULER_REPORTER_H_
#define SERVICES_SCHEDULER_REPORTER_H_

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "proto/tracker/v1/repo.pb.h"
#include "proto/tracker/v1/scheduler.pb.h"
#include "services/scheduler/notifier.h"
#include "services/scheduler/repo_client.h"

namespace tracker::scheduler {

// The report's text: a header, the seed loop's lines (`PACA-CA backlog 1`),
// what changed since `since` (null `changes`: not known, the part is left
// out), and the flags.
std::string FormatReport(const tracker::v1::ReportResponse& report, const std::string& since,
                         const std::vector<tracker::v1::JobChange>* changes);

// The report to Slack (SPEC.md section 3), on the timer and on demand,
// headed by the campaign's progress (reporting/progress.h: the last 24 h of
// `clock`, and an estimated finish).
// "Since the last report" is since the commit the last SENT report showed;
// after a restart, since the last push. Thread-safe: one report at a time.
class Reporter {
 public:
  Reporter(RepoClient* repo, Notifier* notifier, Clock* clock);

  // dry_run answers the text and sends nothing. Errors: the repository's
  // when the report cannot be read; FAILED_PRECONDITION when there is no
  // webhook to send to. A webhook that fails answers sent=false. Only a
  // sent report moves the "last report" point.
  absl::StatusOr<tracker::v1::SendReportResponse> Send(bool dry_run);

 private:
  RepoClient* const repo_;
  Notifier* const notifier_;
  Clock* const clock_;
  absl::Mutex mu_;
  std::string last_report_commit_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_REPORTER_H_
