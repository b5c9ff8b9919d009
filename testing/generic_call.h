#ifndef TESTING_GENERIC_CALL_H_
#define TESTING_GENERIC_CALL_H_

// Calls as any gRPC client makes them, without our generated stubs: a
// method by name, bytes in and out (health checks, calls that must be
// refused whatever they carry).

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace tracker::testing {

struct GenericCallResult {
  grpc::Status status;
  std::string response;  // the serialized answer
  std::string peer_pem;  // the server's certificate, on a TLS channel
};

// One unary call of `method` ("/pkg.Service/Method") with `request` bytes
// (an empty message by default).
GenericCallResult GenericUnaryCall(const std::shared_ptr<grpc::Channel>& channel,
                                   const std::string& method, const std::string& request = "",
                                   int timeout_seconds = 10);

// grpc.health.v1 Check of "" on a plaintext port: "SERVING",
// "NOT_SERVING", "error <code>" when it does not answer.
std::string HealthOf(int port, int timeout_seconds = 2);

}  // namespace tracker::testing

#endif  // TESTING_GENERIC_CALL_H_
