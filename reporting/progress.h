#ifndef REPORTING_PROGRESS_H_
#define REPORTING_PROGRESS_H_

// Campaign progress for people: per study and in total, jobs and bytes
// completed of all, a text bar, the last day's throughput and an estimated
// finish. jobctl report --progress prints it; it heads the scheduler's Slack
// report. Bytes are the batch summaries' job_bytes (the Report RPC's
// *_bytes), shown in decimal units as the summaries give them.

#include <string>

#include "absl/time/time.h"
#include "proto/tracker/v1/repo.pb.h"

namespace tracker::reporting {

// `now` is the branch as it is; `earlier` the same branch as it was at
// `window_start` (Report with as_of_unix_seconds), or null when unknown.
// The throughput is what completed between the two over
// [window_start, at]; the window starts no earlier than `earlier`'s commit
// (a campaign younger than the window).
std::string FormatProgress(const tracker::v1::ReportResponse& now,
                           const tracker::v1::ReportResponse* earlier, absl::Time window_start,
                           absl::Time at);

// "1.23 TB", "512 MB", "0 B".
std::string FormatBytes(double bytes);

// "[#####---------------]" for done/all (all 0: empty bar).
std::string Bar(double done, double all, int width = 20);

}  // namespace tracker::reporting

#endif  // REPORTING_PROGRESS_H_
