#include "services/azure_verifier/service.h"

#include "common/status.h"

namespace tracker::verifier {

grpc::Status AzureVerifierServiceImpl::VerifyAnalyses(grpc::ServerContext*,
                                                      const tracker::v1::VerifyAnalysesRequest* req,
                                                      tracker::v1::VerifyAnalysesResponse* out) {
  return Reply(verifier_->VerifyAnalyses(*req), out);
}

}  // namespace tracker::verifier
