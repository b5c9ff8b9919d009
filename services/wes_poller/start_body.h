#ifndef SERVICES_WES_POLLER_START_BODY_H_
#define SERVICES_WES_POLLER_START_BODY_H_

// The body of `POST {wes_url}/runs`, as the original scheduler sent it
// (icgc-25k-azure-transfer-job-tracking, scripts/scheduler.py,
// wes_submit_run) and as ARGO's workflow-management reads it
// (wes/controller/model/RunsRequest.java, WorkflowEngineParams.java):
//
//   {"workflow_url": ...,
//    "workflow_params": {...params.json..., "api_token": ...},
//    "workflow_engine_params": {"revision": VERSION, "offline": BOOL,
//        "project_dir": "{nfs}/{VERSION}",
//        "launch_dir": "{nfs}/wfuser/{VERSION}",
//        "work_dir": "{nfs}/wfuser/{VERSION}/work",
//        "resume": SESSION_UUID}}          (resume only when resuming)
//
// No `tags`: ARGO accepts them and keeps them nowhere (no API returns
// them), so they cannot find a run again.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/tracker/v1/wes.pb.h"

namespace tracker::wes {

// Where a run's Nextflow project, launch and work directories are.
struct RunDirectories {
  std::string project_dir;
  std::string launch_dir;
  std::string work_dir;
};

// The original's layout under one of the environment's nfs_root_paths;
// none for an empty root.
RunDirectories FreshDirectories(const std::string& nfs_root, const std::string& version);

// The directories of a run: a resume keeps the failed run's launch and
// work directories (Nextflow's cache is there) and takes its project
// directory under the root those are on (the original took a random root,
// which could split one run over two volumes); a fresh run gets `nfs_root`.
RunDirectories DirectoriesFor(const tracker::v1::StartRunRequest& req,
                              const std::vector<std::string>& nfs_roots,
                              const std::string& nfs_root);

// The JSON body. `api_token` is added to workflow_params when not empty;
// the returned text holds it, so it is sent and never logged. A resume
// whose session id is not a UUID is INVALID_ARGUMENT: ARGO reads `resume`
// as a java.util.UUID and would refuse the request.
absl::StatusOr<std::string> StartRunBody(const tracker::v1::StartRunRequest& req,
                                         const RunDirectories& dirs,
                                         const std::string& api_token);

}  // namespace tracker::wes

#endif  // SERVICES_WES_POLLER_START_BODY_H_
