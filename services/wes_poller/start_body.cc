#include "services/wes_poller/start_body.h"

#include <google/protobuf/struct.pb.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/json.h"
#include "tracking/ids.h"

namespace tracker::wes {

using google::protobuf::Struct;

RunDirectories FreshDirectories(const std::string& nfs_root, const std::string& version) {
  if (nfs_root.empty()) return {};
  const std::string root(absl::StripSuffix(nfs_root, "/"));
  RunDirectories dirs;
  dirs.project_dir = absl::StrCat(root, "/", version);
  dirs.launch_dir = absl::StrCat(root, "/wfuser/", version);
  dirs.work_dir = absl::StrCat(dirs.launch_dir, "/work");
  return dirs;
}

RunDirectories DirectoriesFor(const tracker::v1::StartRunRequest& req,
                              const std::vector<std::string>& nfs_roots,
                              const std::string& nfs_root) {
  const auto& resume = req.resume();
  if (resume.session_id().empty()) return FreshDirectories(nfs_root, req.workflow_version());
  std::string root = nfs_root;
  for (const std::string& candidate : nfs_roots) {
    std::string prefix = absl::StrCat(absl::StripSuffix(candidate, "/"), "/");
    if (absl::StartsWith(resume.launch_dir(), prefix)) root = candidate;
  }
  RunDirectories dirs = FreshDirectories(root, req.workflow_version());
  // As the original: the failed run's directories when it reported them.
  if (!resume.launch_dir().empty()) dirs.launch_dir = resume.launch_dir();
  if (!resume.work_dir().empty()) dirs.work_dir = resume.work_dir();
  return dirs;
}

absl::StatusOr<std::string> StartRunBody(const tracker::v1::StartRunRequest& req,
                                         const RunDirectories& dirs,
                                         const std::string& api_token) {
  if (req.workflow_url().empty()) return absl::InvalidArgumentError("workflow_url is required");
  const std::string& session = req.resume().session_id();
  if (!session.empty() && !tracking::ValidateSessionId(session).ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "resume session id \"", session.substr(0, 64),
        "\" is not a UUID; ARGO's WES reads it as one: start the job afresh instead"));
  }
  auto params = ParseJsonObject(req.params_json().empty() ? "{}" : req.params_json(), "params_json");
  if (!params.ok()) return params.status();
  Struct body;
  auto& f = *body.mutable_fields();
  f["workflow_url"].set_string_value(req.workflow_url());
  if (!api_token.empty()) (*params->mutable_fields())["api_token"].set_string_value(api_token);
  *f["workflow_params"].mutable_struct_value() = *std::move(params);
  auto& engine = *f["workflow_engine_params"].mutable_struct_value()->mutable_fields();
  // Extra engine parameters first, so the ones the protocol sets win.
  for (const auto& [k, v] : req.engine_params()) engine[k].set_string_value(v);
  engine["revision"].set_string_value(req.workflow_version());
  engine["offline"].set_bool_value(req.offline());
  // Without nfs_root_paths (a WES that is not an RDPC) no directory is
  // sent and the service's defaults apply.
  if (!dirs.project_dir.empty()) engine["project_dir"].set_string_value(dirs.project_dir);
  if (!dirs.launch_dir.empty()) engine["launch_dir"].set_string_value(dirs.launch_dir);
  if (!dirs.work_dir.empty()) engine["work_dir"].set_string_value(dirs.work_dir);
  if (!session.empty()) engine["resume"].set_string_value(session);
  return ToJson(body);
}

}  // namespace tracker::wes
