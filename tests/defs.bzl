"""Test rules of tests/: the whole system on loopback, and Python tests."""

load("@rules_cc//cc:defs.bzl", "cc_test")

def cluster_test(name, data = [], size = "large", deps = []):
    """A gtest file `<name>.cc` that starts the whole system with testing/cluster.h."""
    cc_test(
        name = name,
        size = size,
        srcs = [name + ".cc"],
        data = data,
        deps = [
            "//common:json_lib",
            "//testing:cluster_lib",
            "//testing:test_util_lib",
            "@absl",
            "@grpc",
            "@gtest",
            "@gtest_main",
        ] + deps,
    )

def python_test(name, data = [], size = "medium", tags = []):
    """A unittest file `<name>.py` run with Debian's python3 (grpcio, yaml)."""
    native.sh_test(
        name = name,
        size = size,
        srcs = ["run_python_test.sh"],
        args = ["tests/%s.py" % name],
        data = [name + ".py"] + data,
        tags = tags,
    )
