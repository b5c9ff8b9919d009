#!/usr/bin/env python3
"""repo-service seen by a client that never compiled our protos, as grpcurl
sees it: grpc.health.v1 answers SERVING, server reflection lists the service
and its descriptors, and a call built only from those descriptors works.
Then SIGTERM: the process exits 0.

Uses python3-grpcio and the .proto files of Debian's grpc-proto package.
"""
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import grpc
from grpc_tools import protoc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

RUNFILES = os.path.join(os.environ.get("TEST_SRCDIR", "."), os.environ.get("TEST_WORKSPACE", "jobtracker"))
GRPC_PROTO = "/usr/share/grpc-proto"


def compile_protos(out):
    # Python modules named after the file path: copied out of grpc/ so they
    # do not collide with the installed `grpc` package. The proto package
    # names inside (what goes on the wire) are unchanged.
    import shutil
    src = os.path.join(out, "src")
    for proto, pkg in (("grpc/health/v1/health.proto", "healthpb"),
                       ("grpc/reflection/v1alpha/reflection.proto", "reflectionpb")):
        os.makedirs(os.path.join(src, pkg), exist_ok=True)
        shutil.copy(os.path.join(GRPC_PROTO, proto), os.path.join(src, pkg))
        rel = f"{pkg}/{os.path.basename(proto)}"
        rc = protoc.main(["protoc", f"-I{src}", f"--python_out={out}",
                          f"--grpc_python_out={out}", rel])
        assert rc == 0, proto
    sys.path.insert(0, out)


class ReflectionHealthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        compile_protos(os.path.join(cls.tmp.name, "gen"))
        remote = os.path.join(cls.tmp.name, "remote.git")
        subprocess.run([sys.executable, os.path.join(RUNFILES, "tools/gen_tracking_repo.py"),
                        remote, "--jobs", "6", "--studies", "2"], check=True, capture_output=True)
        port_file = os.path.join(cls.tmp.name, "port")
        cls.log = open(os.path.join(cls.tmp.name, "log"), "w")
        cls.proc = subprocess.Popen(
            [os.path.join(RUNFILES, "services/repo_service/repo-service"), "--listen=127.0.0.1:0", "--insecure_plaintext",
             f"--port_file={port_file}", f"--repo={cls.tmp.name}/clone.git", f"--remote={remote}"],
            stdout=cls.log, stderr=cls.log)
        for _ in range(1500):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.02)
        cls.channel = grpc.insecure_channel("127.0.0.1:" + open(port_file).read().strip())

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        if cls.proc.poll() is None:
            cls.proc.kill()
        cls.proc.wait()
        cls.tmp.cleanup()

    def test_health_is_serving(self):
        from healthpb import health_pb2, health_pb2_grpc
        stub = health_pb2_grpc.HealthStub(self.channel)
        reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=10)
        self.assertEqual(reply.status, health_pb2.HealthCheckResponse.SERVING)

    def test_reflection_lists_and_describes_and_calls(self):
        from reflectionpb import reflection_pb2, reflection_pb2_grpc
        stub = reflection_pb2_grpc.ServerReflectionStub(self.channel)
        replies = list(stub.ServerReflectionInfo(iter([
            reflection_pb2.ServerReflectionRequest(list_services=""),
            reflection_pb2.ServerReflectionRequest(file_containing_symbol="tracker.v1.RepoService"),
        ]), timeout=10))
        services = {s.name for s in replies[0].list_services_response.service}
        self.assertIn("tracker.v1.RepoService", services)
        self.assertIn("grpc.health.v1.Health", services)

        pool = descriptor_pool.DescriptorPool()
        for raw in replies[1].file_descriptor_response.file_descriptor_proto:
            pool.Add(descriptor_pb2.FileDescriptorProto.FromString(raw))
        service = pool.FindServiceByName("tracker.v1.RepoService")
        self.assertIn("TransitionJobs", [m.name for m in service.methods])
        method = service.methods_by_name["Report"]
        request_cls = message_factory.GetMessageClass(method.input_type) \
            if hasattr(message_factory, "GetMessageClass") \
            else message_factory.MessageFactory(pool).GetPrototype(method.input_type)
        response_cls = message_factory.GetMessageClass(method.output_type) \
            if hasattr(message_factory, "GetMessageClass") \
            else message_factory.MessageFactory(pool).GetPrototype(method.output_type)
        call = self.channel.unary_unary("/tracker.v1.RepoService/Report",
                                        request_serializer=lambda m: m.SerializeToString(),
                                        response_deserializer=response_cls.FromString)
        report = call(request_cls(branch="scheduler"), timeout=10)
        lines = report.text.splitlines()
        self.assertEqual(len(lines), 8)  # 2 studies x 4 states, the seed's lines
        self.assertTrue(all(len(l.split(" ")) == 3 for l in lines))
        self.assertEqual(sum(int(l.split(" ")[2]) for l in lines), 6)

    def test_zz_sigterm_exits_cleanly(self):
        self.proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.proc.wait(timeout=30), 0)
        self.log.flush()
        log = open(self.log.name).read()
        self.assertIn("shutting_down", log)
        self.assertIn("stopped", log)


if __name__ == "__main__":
    unittest.main(verbosity=2)
