#ifndef SERVICES_SCHEDULER_VERIFICATION_H_
#define SERVICES_SCHEDULER_VERIFICATION_H_

// Step 2 of the cycle: a COMPLETE run is not done until every analysis of
// its job is PUBLISHED in the destination SONG. azure-verifier asks SONG;
// this reads where to ask from each job's params.json and fans the jobs
// out.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/tracker/v1/verifier.grpc.pb.h"
#include "services/scheduler/repo_client.h"
#include "services/scheduler/rpc.h"

namespace tracker::scheduler {

// What to ask the destination SONG, from a job's params.json.
struct VerifyTarget {
  std::string song_url;   // upload_song_url
  std::string score_url;  // upload_score_url; "" = objects not checked
  std::string study;      // study_id
  std::vector<std::string> analyses;  // analysis_id: a list, or one string
};

// FAILED_PRECONDITION when params.json lacks the destination, the study or
// the analyses (such a job cannot be verified; it waits, with an alert);
// INVALID_ARGUMENT when it is not a JSON object.
absl::StatusOr<VerifyTarget> VerifyTargetOf(const std::string& params_json);

// Thread-safe; owns nothing it is given.
class JobVerifier {
 public:
  // `upstream`: azure-verifier retries its HTTP calls itself. `concurrency`:
  // jobs verified at once (SchedulerOptions::verify_concurrency).
  JobVerifier(RepoClient* repo, tracker::v1::AzureVerifier::StubInterface* verifier,
              RpcCaller* upstream, int concurrency);

  // One answer per job, in order: azure-verifier's verdict, or why there is
  // none (the job could not be read, its params.json is incomplete, or SONG
  // is UNAVAILABLE: never "not published").
  std::vector<absl::StatusOr<tracker::v1::VerifyAnalysesResponse>> Verify(
      const std::vector<tracker::v1::JobKey>& jobs);

 private:
  absl::StatusOr<tracker::v1::VerifyAnalysesResponse> VerifyOne(const tracker::v1::JobKey& job);

  RepoClient* const repo_;
  tracker::v1::AzureVerifier::StubInterface* const verifier_;
  RpcCaller* const upstream_;
  const int concurrency_;
};

}  // namespace tracker::scheduler

#endif  // SERVICES_SCHEDULER_VERIFICATION_H_
