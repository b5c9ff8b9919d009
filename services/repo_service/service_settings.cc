// RepoServiceImpl's handlers of the scheduler's runtime settings file.

#include "common/status.h"
#include "services/repo_service/runtime_settings_store.h"
#include "services/repo_service/service.h"
#include "services/repo_service/service_convert.h"

namespace tracker::repo {

namespace v1 = ::tracker::v1;

grpc::Status RepoServiceImpl::GetRuntimeSettings(grpc::ServerContext*,
                                                 const v1::GetRuntimeSettingsRequest* req,
                                                 v1::GetRuntimeSettingsResponse* out) {
  auto read = ReadRuntimeSettings(store_->reader(), req->branch());
  if (!read.ok()) return ToGrpcStatus(read.status());
  out->set_present(read->present);
  out->set_commit(read->commit);
  for (const auto& [env, values] : read->settings) {
    for (const std::string& key : tracking::RuntimeSettingKeys()) {
      std::string value = tracking::RuntimeSettingText(read->settings, env, key);
      if (value.empty()) continue;
      v1::RuntimeSetting* s = out->add_settings();
      s->set_environment(env);
      s->set_key(key);
      s->set_value(std::move(value));
    }
  }
  return grpc::Status::OK;
}

grpc::Status RepoServiceImpl::SetRuntimeSetting(grpc::ServerContext* ctx,
                                                const v1::SetRuntimeSettingRequest* req,
                                                v1::SetRuntimeSettingResponse* out) {
  auto change = repo::SetRuntimeSetting(store_->reader(), store_->writer(),
                                        FromProto(ctx, "SetRuntimeSetting", req->options()), req->environment(), req->key(),
                                        req->value(), req->dry_run());
  if (!change.ok()) return ToGrpcStatus(change.status());
  out->set_previous(change->previous);
  out->set_value(change->value);
  out->set_changed(change->changed);
  if (!change->result.commit.empty()) ToProto(change->result, out->mutable_result());
  return grpc::Status::OK;
}

}  // namespace tracker::repo
