#ifndef AUTH_GRPC_AUTH_H_
#define AUTH_GRPC_AUTH_H_

// Authentication and authorization of every call of a TLS port, before its
// handler runs: gRPC hands each call's metadata (with its ":path") and the
// verified peer certificate to AuthProcessor, which proves who calls
// (authenticator.h), checks the method's rule (rpc_access.h) and either
// refuses the call or records the principal for the handler (CallerOf).

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/auth_metadata_processor.h>

#include <memory>
#include <optional>

#include "auth/authenticator.h"
#include "auth/principal.h"

namespace tracker::auth {

class AuthProcessor : public grpc::AuthMetadataProcessor {
 public:
  // `may_block`: a call may wait on the network (a JWKS URL fetched for a
  // new key id), so gRPC runs the check on a thread of its pool rather than
  // inline; token files, JWKS files and certificates never wait.
  AuthProcessor(std::unique_ptr<Authenticator> authenticator, bool may_block)
      : authenticator_(std::move(authenticator)), may_block_(may_block) {}

  bool IsBlocking() const override { return may_block_; }

  grpc::Status Process(const InputMetadata& metadata, grpc::AuthContext* context,
                       OutputMetadata* consumed, OutputMetadata* response) override;

 private:
  std::unique_ptr<Authenticator> authenticator_;
  const bool may_block_;
};

// The principal AuthProcessor proved for this call; nullopt on a port
// without one (--insecure_plaintext: nobody is authenticated).
std::optional<Principal> CallerOf(const grpc::ServerContext& context);

}  // namespace tracker::auth

#endif  // AUTH_GRPC_AUTH_H_
