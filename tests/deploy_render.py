"""deploy/ rendered for the tests (deploy_test, deploy_tls_test): the
overlays through kustomize, the binaries the images hold, and a pod's
mounted files made on disk so a binary can run with the pod's own args.

kustomize comes from $KUSTOMIZE (tools/install_deps.sh installs it from
npm); without it the rendering tests skip, saying so.
"""
import glob
import hashlib
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import unittest

import yaml

RUNFILES = os.path.join(os.environ.get("TEST_SRCDIR", "."), os.environ.get("TEST_WORKSPACE", "jobtracker"))
sys.path.insert(0, os.path.join(RUNFILES, "tools"))
from deploy_check_overlay import certificate_files  # noqa: E402  (cert-manager's Secret, made with gen_certs.sh)

DEPLOY = os.path.join(RUNFILES, "deploy")
BINARIES = {
    "repo-service": "services/repo_service/repo-service",
    "wes-poller": "services/wes_poller/wes-poller",
    "azure-verifier": "services/azure_verifier/azure-verifier",
    "scheduler-service": "services/scheduler/scheduler-service",
    "jobctl": "clients/jobctl/jobctl",
}
WORKLOADS = ("Deployment", "StatefulSet", "Job")
OVERLAYS = sorted(os.path.basename(p) for p in glob.glob(os.path.join(DEPLOY, "overlays", "*")))


def binary(image):
    name = image.split("/")[-1].split(":")[0]
    return os.path.join(RUNFILES, BINARIES[name]), name


def flag_names(path):
    # absl's --helpfull lists every flag as "    --name (description)".
    out = subprocess.run([path, "--helpfull"], capture_output=True, text=True)
    return set(re.findall(r"^\s+--([a-z_0-9]+) ", out.stdout + out.stderr, re.M))


def arg_flag(arg):
    m = re.match(r"^--([a-z_0-9]+)(=.*)?$", arg)
    return m.group(1) if m else None


def arg_value(args, name):
    for a in args:
        if a.startswith(f"--{name}="):
            return a.split("=", 1)[1]
    return None


def operator_secrets():
    # The names in backticks in the README's table of Secrets to create.
    text = open(os.path.join(DEPLOY, "README.md")).read()
    section = text.split("## Secrets the operator creates", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z0-9-]+)` \|", section, re.M))


def pod_spec(obj):
    return obj["spec"]["template"]["spec"]


def certificates(objs):
    """secretName -> Certificate, for the Secrets cert-manager writes."""
    return {o["spec"]["secretName"]: o for o in objs if o["kind"] == "Certificate"}


def jobs():
    """The Job templates of deploy/jobs/ (path, object)."""
    for path in sorted(glob.glob(os.path.join(DEPLOY, "jobs", "*.yaml"))):
        with open(path) as f:
            yield path, yaml.safe_load(f)


class Rendered:
    cache = {}
    tree = None

    @classmethod
    def copy(cls):
        # Runfiles are symlinks, which kustomize does not follow: render a
        # copy with the files themselves.
        if cls.tree is None:
            cls.tree = tempfile.mkdtemp(prefix="deploy-")
            shutil.copytree(DEPLOY, os.path.join(cls.tree, "deploy"))
        return os.path.join(cls.tree, "deploy")

    @classmethod
    def overlay(cls, name):
        if name not in cls.cache:
            kustomize = os.environ.get("KUSTOMIZE", "")
            if not kustomize or not os.access(kustomize, os.X_OK):
                raise unittest.SkipTest("kustomize not found ($KUSTOMIZE; tools/install_deps.sh installs it "
                                        "from npm): the overlays cannot be rendered here")
            r = subprocess.run([kustomize, "build", os.path.join(cls.copy(), "overlays", name)],
                               capture_output=True, text=True)
            if r.returncode != 0:
                raise AssertionError(f"kustomize build {name} failed: {r.stderr}")
            cls.cache[name] = [d for d in yaml.safe_load_all(r.stdout) if d]
        return cls.cache[name]


class PodFiles:
    """A pod's mounted volumes as files under `root` (root + mountPath), so a
    binary runs with the container's args rewritten to them: ConfigMaps as
    rendered (mount paths inside them rewritten too), the Secrets of
    Certificates as tools/deploy_check makes them (gen_certs.sh with the
    Certificate's dnsNames, one CA for all), tracker-tokens with one generated token.
    Other Secrets are left empty (their readers are checked elsewhere)."""

    def __init__(self, objs, root):
        self.objs = objs
        self.root = root
        self.certs = os.path.join(root, "_certs")
        self.token = secrets.token_hex(32)

    def _secret(self, name):
        cert = certificates(self.objs).get(name)
        if cert is not None:
            out = {}
            for key, path in certificate_files(cert, self.certs).items():
                with open(path) as f:
                    out[key] = f.read()
            return out
        if name == "tracker-tokens":
            digest = hashlib.sha256(self.token.encode()).hexdigest()
            return {"tokens.yaml": f"tokens:\n  - sha256: {digest}\n    name: deploy-test\n    role: admin\n"}
        return {}

    def rewrite(self, text, mounts):
        # One pass, longest mount first: a path is rewritten once.
        alternatives = "|".join(re.escape(m) for m in sorted(mounts, key=len, reverse=True))
        return re.sub(r"(?<![\w./-])(" + alternatives + r")(?=/|$|\s)", lambda m: self.root + m.group(1), text)

    def make(self, obj):
        """Writes the pod's volumes; returns its container's args rewritten to them."""
        spec = pod_spec(obj)
        c = spec["containers"][0]
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        mounts = [m["mountPath"] for m in c.get("volumeMounts", [])]
        for m in c.get("volumeMounts", []):
            v = volumes.get(m["name"], {})
            if "configMap" in v:
                cm = next(o for o in self.objs if o["kind"] == "ConfigMap" and o["metadata"]["name"] == v["configMap"]["name"])
                files = {k: self.rewrite(text, mounts) for k, text in cm["data"].items()}
            elif "secret" in v:
                files = self._secret(v["secret"]["secretName"])
                if v["secret"].get("items"):
                    files = {i["path"]: files[i["key"]] for i in v["secret"]["items"] if i["key"] in files}
            else:
                continue
            d = self.root + m["mountPath"]
            os.makedirs(d, exist_ok=True)
            for k, text in files.items():
                with open(os.path.join(d, k), "w") as f:
                    f.write(text)
        return [self.rewrite(a, mounts) for a in c.get("args", [])]
