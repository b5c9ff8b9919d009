"""cc_grpc_proto_library: C++ messages and gRPC stubs from the system protoc.

proto_library/cc_proto_library would build protoc from source, which cannot
be fetched here. This macro runs Debian's protoc and grpc_cpp_plugin instead,
with the workspace root as import path, so generated code includes
"proto/..." exactly as the .proto files import each other.
"""

load("@rules_cc//cc:defs.bzl", "cc_library")

def cc_grpc_proto_library(name, srcs, deps = [], visibility = None):
    """Generates <name> (a cc_library) from srcs.

    Args:
      name: the cc_library to create; `<name>_protos` holds the .proto files,
        `<name>_mock` the gMock stubs.
      srcs: .proto files of this package.
      deps: other cc_grpc_proto_library targets whose protos srcs import.
      visibility: of the cc_library and the proto filegroup.
    """
    bases = [s[:-len(".proto")] for s in srcs]
    hdrs = [b + ".pb.h" for b in bases] + [b + ".grpc.pb.h" for b in bases]
    mock_hdrs = [b + "_mock.grpc.pb.h" for b in bases]
    cc_srcs = [b + ".pb.cc" for b in bases] + [b + ".grpc.pb.cc" for b in bases]
    dep_protos = [d + "_protos" for d in deps]

    native.filegroup(
        name = name + "_protos",
        srcs = srcs + dep_protos,
        visibility = visibility,
    )

    native.genrule(
        name = name + "_gen",
        srcs = srcs + dep_protos,
        outs = hdrs + cc_srcs + mock_hdrs,
        cmd = " ".join([
            "protoc",
            "-I.",
            "-I/usr/include",
            "--cpp_out=$(GENDIR)",
            "--grpc_out=generate_mock_code=true:$(GENDIR)",
            "--plugin=protoc-gen-grpc=$$(command -v grpc_cpp_plugin)",
        ] + ["$(location %s)" % s for s in srcs]),
    )

    cc_library(
        name = name,
        srcs = cc_srcs,
        hdrs = hdrs,
        deps = deps + ["@grpc", "@protobuf"],
        visibility = visibility,
    )

    # gMock classes of the generated stubs (Mock<Service>Stub), for tests.
    cc_library(
        name = name + "_mock",
        testonly = True,
        hdrs = mock_hdrs,
        deps = [":" + name, "@gtest"],
        visibility = visibility,
    )
