#!/usr/bin/python3
"""A small grpcurl stand-in built on server reflection (Debian has no grpcurl).

  tools/grpc_call.py 127.0.0.1:50051 list
  tools/grpc_call.py 127.0.0.1:50051 tracker.v1.RepoService/Report '{"branch": "main"}'

Knows nothing of our protos: it asks the server for them, like grpcurl.
Needs python3-grpcio, python3-grpc-tools and grpc-proto (Debian packages).
"""
import json
import os
import shutil
import sys
import tempfile

import grpc
from grpc_tools import protoc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

GRPC_PROTO = "/usr/share/grpc-proto"


def reflection_module(tmp):
    # Copied out of grpc/ so the module does not collide with the grpc package.
    src = os.path.join(tmp, "src", "reflectionpb")
    os.makedirs(src)
    shutil.copy(os.path.join(GRPC_PROTO, "grpc/reflection/v1alpha/reflection.proto"), src)
    if protoc.main(["protoc", f"-I{tmp}/src", f"--python_out={tmp}", f"--grpc_python_out={tmp}",
                    "reflectionpb/reflection.proto"]) != 0:
        sys.exit("cannot compile the reflection proto")
    sys.path.insert(0, tmp)
    from reflectionpb import reflection_pb2, reflection_pb2_grpc
    return reflection_pb2, reflection_pb2_grpc


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    address, what = sys.argv[1], sys.argv[2]
    body = sys.argv[3] if len(sys.argv) > 3 else "{}"
    channel = grpc.insecure_channel(address)
    with tempfile.TemporaryDirectory() as tmp:
        pb, pb_grpc = reflection_module(tmp)
        stub = pb_grpc.ServerReflectionStub(channel)
        if what == "list":
            reply = next(stub.ServerReflectionInfo(iter([pb.ServerReflectionRequest(list_services="")]),
                                                   timeout=30))
            for s in reply.list_services_response.service:
                print(s.name)
            return
        service, method = what.rsplit("/", 1)
        reply = next(stub.ServerReflectionInfo(
            iter([pb.ServerReflectionRequest(file_containing_symbol=service)]), timeout=30))
        if reply.HasField("error_response"):
            sys.exit(reply.error_response.error_message)
        pool = descriptor_pool.DescriptorPool()
        for raw in reply.file_descriptor_response.file_descriptor_proto:
            pool.Add(descriptor_pb2.FileDescriptorProto.FromString(raw))
        m = pool.FindServiceByName(service).methods_by_name[method]
        get = getattr(message_factory, "GetMessageClass", None) or \
            message_factory.MessageFactory(pool).GetPrototype
        request = json_format.Parse(body, get(m.input_type)())
        rpc = channel.unary_unary(f"/{service}/{method}",
                                  request_serializer=lambda x: x.SerializeToString(),
                                  response_deserializer=get(m.output_type).FromString)
        try:
            response = rpc(request, timeout=60)
        except grpc.RpcError as e:
            print(f"ERROR: {e.code().name}: {e.details()}", file=sys.stderr)
            sys.exit(1)
        print(json_format.MessageToJson(response, preserving_proto_field_name=True))


if __name__ == "__main__":
    main()
