#include "testing/generic_call.h"

#include <grpcpp/generic/generic_stub.h>

#include <chrono>
#include <future>
#include <vector>

#include "absl/strings/str_cat.h"

namespace tracker::testing {

GenericCallResult GenericUnaryCall(const std::shared_ptr<grpc::Channel>& channel,
                                   const std::string& method, const std::string& request,
                                   int timeout_seconds) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeout_seconds));
  grpc::Slice slice(request);
  grpc::ByteBuffer request_buffer(&slice, 1), response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request_buffer, &response,
                 [&](grpc::Status s) { done.set_value(s); });
  GenericCallResult out;
  out.status = done.get_future().get();
  std::vector<grpc::Slice> slices;
  if (out.status.ok() && response.Dump(&slices).ok()) {
    for (const grpc::Slice& s : slices) {
      out.response.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  if (ctx.auth_context() != nullptr) {
    auto values = ctx.auth_context()->FindPropertyValues("x509_pem_cert");
    if (!values.empty()) out.peer_pem.assign(values.front().data(), values.front().size());
  }
  return out;
}

std::string HealthOf(int port, int timeout_seconds) {
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                     grpc::InsecureChannelCredentials());
  // HealthCheckRequest{service: ""} is the empty message.
  GenericCallResult r =
      GenericUnaryCall(channel, "/grpc.health.v1.Health/Check", "", timeout_seconds);
  if (!r.status.ok()) return absl::StrCat("error ", r.status.error_code());
  // HealthCheckResponse: field 1 (varint) = ServingStatus; 1 SERVING, 2 NOT_SERVING.
  if (r.response == std::string("\x08\x01", 2)) return "SERVING";
  if (r.response == std::string("\x08\x02", 2)) return "NOT_SERVING";
  return "unexpected answer";
}

}  // namespace tracker::testing
