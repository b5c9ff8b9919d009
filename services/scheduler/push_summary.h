#ifndef SERVICES_SCHEDULER_PUSH_SUMMARY_H_
#define SERVICES_SCHEDULER_PUSH_SUMMARY_H_

#include <string>
#include <vector>

#include "proto/tracker/v1/repo.pb.h"
#include "services/scheduler/notifier.h"
#include "services/scheduler/repo_client.h"

namespace tracker::scheduler {

// What the original scheduler posted to Slack after each push, which its
// operators read to follow a campaign: a fenced block of the moves,
// `<study> <from>-><to> <count>` (one line per study and move, sorted), an
// empty line, then the current `<study> <folder> <count>` lines of the
// studies that moved (the seed's report lines, byte for byte, from
// `report.text()`). Jobs added or removed are not moves and are left out,
// as the original's `git status | grep renamed` left them out. "" when no
// job moved.
std::string FormatPushSummary(const std::vector<tracker::v1::JobChange>& changes,
                              const tracker::v1::ReportResponse& report);

// Posts the summary of a push of the scheduler branch. Thread-safe; owns
// nothing it is given.
class PushAnnouncer {
 public:
  PushAnnouncer(RepoClient* repo, Notifier* notifier) : repo_(repo), notifier_(notifier) {}

  // The branch went from `from_commit` (the commit the remote had) to
  // `to_commit`. Posts nothing when no job moved. A summary that cannot be
  // read or posted is logged, never an error: the push itself went through.
  void Announce(const std::string& from_commit, const std::string& to_commit);

 private:
  RepoClient* const repo_;
  Notifier* const notifier_;
};

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_PUSH_SUMMARY_H_
