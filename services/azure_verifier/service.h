#ifndef SERVICES_AZURE_VERIFIER_SERVICE_H_
#define SERVICES_AZURE_VERIFIER_SERVICE_H_

#include "proto/tracker/v1/verifier.grpc.pb.h"
#include "services/azure_verifier/verifier.h"

namespace tracker::verifier {

// The gRPC face of Verifier.
class AzureVerifierServiceImpl final : public tracker::v1::AzureVerifier::Service {
 public:
  explicit AzureVerifierServiceImpl(Verifier* verifier) : verifier_(verifier) {}
  grpc::Status VerifyAnalyses(grpc::ServerContext*, const tracker::v1::VerifyAnalysesRequest*,
                              tracker::v1::VerifyAnalysesResponse*) override;

 private:
  Verifier* verifier_;
};

}  // namespace tracker::verifier

#endif  // SERVICES_AZURE_VERIFIER_SERVICE_H_
