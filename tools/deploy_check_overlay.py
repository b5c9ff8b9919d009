"""The kustomize overlay tools/deploy_check.py writes on top of a rendered
overlay: the outside world replaced by the simulators, deploy/ untouched.

- images -> the local tags tools/images.sh made;
- the ConfigMap's config: each environment's wes/token/graphql URL -> its
  WES simulator (same path, same environment name), job_tracking_repo ->
  a local bare repository, mounted at /remote by a hostPath volume on the
  workload that takes --repo;
- the Secrets the operator would create, with generated values chosen by
  what reads them: the config's *_env variables (WES client credentials the
  simulator accepts, the Slack webhook -> the Slack sink), files named by
  the args, the env or a mounted ConfigMap under a Secret's mount (--ssh_key:
  a new ed25519 key, --ssh_known_hosts: a generated host key, auth.yaml's
  token_file: the hash of jobctl's token, JOBCTL_TOKEN_FILE: that token),
  anything else a random token; the Secret of a Certificate as cert-manager
  would write it (tools/gen_certs.sh with its dnsNames, one CA for all).
"""
import hashlib
import os
import re
import secrets
import shutil
import subprocess
import urllib.parse

import yaml

from deploy_check_podman import Objects, Unsupported

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKLOADS = ("StatefulSet", "Deployment")
SIM_PORT = 8080
REMOTE_DIR = "/remote"


def sim_alias(env):
    return "wes-sim-" + env.replace("_", "-")


def certificate_files(cert, certs):
    """A Certificate's Secret as cert-manager writes it (tls.crt, tls.key,
    ca.crt -> paths), made by tools/gen_certs.sh in `certs` with the
    Certificate's names; every call with one `certs` signs with one CA."""
    names = cert["spec"]["dnsNames"]
    # gen_certs.sh names localhost and 127.0.0.1 itself.
    extra = [n for n in names[1:] + cert["spec"].get("ipAddresses", []) if n not in ("localhost", "127.0.0.1")]
    subprocess.run([os.path.join(ROOT, "tools/gen_certs.sh"), *[a for n in extra for a in ("--san", n)],
                    certs, names[0]], check=True, capture_output=True)
    return {"tls.crt": os.path.join(certs, names[0] + ".pem"), "tls.key": os.path.join(certs, names[0] + ".key"),
            "ca.crt": os.path.join(certs, "ca.pem")}


def on_sim(url, alias):
    # Same path, the simulator's host: it serves the real services' paths.
    u = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(("http", f"{alias}:{SIM_PORT}", u.path, u.query, ""))


class OverlayWriter:
    """Check's half that writes check/kustomization.yaml (needs self.a, self.work, self.remote_parent)."""

    # ---- the check overlay ------------------------------------------------
    def write_overlay(self, rendered):
        objs = Objects(rendered)
        cm_name, config = next((n, yaml.safe_load(c["data"]["config.yaml"]))
                               for n, c in objs.by_kind["ConfigMap"].items() if "config.yaml" in c.get("data", {}))
        self.envs = {}
        env_values = {}
        for env, ec in config.get("compute_environments", {}).items():
            alias = sim_alias(env)
            for key in ("wes_url", "token_url", "graphql_url"):
                if key in ec:
                    ec[key] = on_sim(ec[key], alias)
            creds = {"client_id": f"check-{env}", "client_secret": secrets.token_hex(16)}
            self.envs[env] = {"alias": alias, **creds}
            for key, var in ec.items():
                if key.endswith("_env"):
                    env_values[var] = creds.get(key[:-4], secrets.token_hex(16))
        config["job_tracking_repo"] = f"{REMOTE_DIR}/tracking.git"
        slack_var = (config.get("slack_notification") or {}).get("web_hook_url_env")
        # envFrom of the WES credentials Secret: the environments' variables only.
        wes_values = dict(env_values)
        if slack_var:
            env_values[slack_var] = f"http://slack-sink:{SIM_PORT}/services/T000/B000/deploy-check"
        self.config = config

        check = os.path.join(self.work, "check")
        os.makedirs(check, mode=0o700)
        with open(os.path.join(check, "rendered.yaml"), "w") as f:
            yaml.safe_dump_all(rendered, f)
        job = os.path.join(ROOT, "deploy/jobs/jobctl-add-batch.yaml")
        shutil.copy(job, os.path.join(check, "jobctl-job.yaml"))
        with open(job) as f:
            job_docs = [d for d in yaml.safe_load_all(f) if d]

        images = []
        for d in rendered + job_docs:
            if d["kind"] in WORKLOADS + ("Job",):
                for c in d["spec"]["template"]["spec"]["containers"]:
                    name = c["image"].rsplit(":", 1)[0] if ":" in c["image"].rsplit("/", 1)[-1] else c["image"]
                    target = name.rsplit("/", 1)[-1]
                    images.append({"name": name, "newName": f"{self.a.image_prefix}/{target}", "newTag": self.a.tag})
        patches = [{"target": {"kind": "ConfigMap", "name": cm_name},
                    "patch": yaml.safe_dump([{"op": "replace", "path": "/data/config.yaml",
                                              "value": yaml.safe_dump(config, sort_keys=False)}])}]
        secret_files = {}
        self.certificates = {c["spec"]["secretName"]: c for c in objs.by_kind.get("Certificate", {}).values()}
        # The jobctl Job's bearer token; tracker-tokens holds its hash.
        self.jobctl_token = secrets.token_hex(32)
        pods = [(k, n, w) for k in WORKLOADS for n, w in objs.by_kind.get(k, {}).items()]
        for kind, name, w in pods + [("Job", d["metadata"]["name"], d) for d in job_docs]:
            c = w["spec"]["template"]["spec"]["containers"][0]
            cms = [v["configMap"]["name"] for v in w["spec"]["template"]["spec"].get("volumes", []) if "configMap" in v]
            texts = [t for n in cms if n in objs.by_kind.get("ConfigMap", {}) for t in objs.data("ConfigMap", n).values()]
            if kind != "Job" and any(a.startswith("--repo=") for a in c.get("args", [])):
                # The tracking repository's remote: a local bare repository.
                patches.append({"target": {"kind": kind, "name": name}, "patch": yaml.safe_dump([
                    {"op": "add", "path": "/spec/template/spec/volumes/-",
                     "value": {"name": "check-remote", "hostPath": {"path": self.remote_parent, "type": "Directory"}}},
                    {"op": "add", "path": "/spec/template/spec/containers/0/volumeMounts/-",
                     "value": {"name": "check-remote", "mountPath": REMOTE_DIR}}])})
            mounts = {m["name"]: m["mountPath"] for m in c.get("volumeMounts", [])}
            for v in w["spec"]["template"]["spec"].get("volumes", []):
                secret = v.get("secret", {}).get("secretName")
                if secret and secret not in secret_files:
                    secret_files[secret] = self.secret_files(c, mounts[v["name"]], secret, texts, check)
        secret_env = {}
        for w in (w for k in WORKLOADS for w in objs.by_kind.get(k, {}).values()):
            c = w["spec"]["template"]["spec"]["containers"][0]
            for src in c.get("envFrom", []):
                if "secretRef" in src:
                    secret_env.setdefault(src["secretRef"]["name"], {}).update(wes_values)
            for e in c.get("env", []):
                ref = e.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    value = env_values.get(e["name"], secrets.token_hex(16))
                    secret_env.setdefault(ref["name"], {})[ref["key"]] = value
        generator = [{"name": n, "files": [f"{k}={p}" for k, p in files.items()]} for n, files in secret_files.items()]
        generator += [{"name": n, "literals": [f"{k}={v}" for k, v in sorted(kv.items())]} for n, kv in secret_env.items()]
        overlay = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
                   "resources": ["rendered.yaml", "jobctl-job.yaml"],
                   "images": images, "patches": patches, "secretGenerator": generator,
                   "generatorOptions": {"disableNameSuffixHash": True}}
        with open(os.path.join(check, "kustomization.yaml"), "w") as f:
            f.write("# Generated by tools/deploy_check.py: the outside world replaced by the simulators.\n")
            yaml.safe_dump(overlay, f, sort_keys=False)
        return check

    def named_files(self, c, mount, texts):
        """(reader, file) for each file under `mount` that the container's args
        (--flag=MOUNT/FILE), env (VAR=MOUNT/FILE) or mounted ConfigMaps
        (key: MOUNT/FILE) name."""
        path = re.escape(mount) + r"/([^\s\"']+)"
        for a in c.get("args", []):
            m = re.match(r"--([a-z_]+)=" + path + "$", a)
            if m:
                yield m.groups()
        for e in c.get("env", []):
            m = re.match(path + "$", str(e.get("value", "")))
            if m:
                yield e["name"], m.group(1)
        for text in texts:
            yield from re.findall(r"([a-z_]+):\s*" + path, text)

    def secret_files(self, c, mount, name, texts, check):
        """The files of the Secret `name` mounted at `mount`, generated by what reads them."""
        if name in self.certificates:
            return certificate_files(self.certificates[name], os.path.join(check, "certs"))
        files = {}
        keydir = os.path.join(check, "ssh")
        for reader, key in self.named_files(c, mount, texts):
            path = os.path.join(check, "secret-" + key)
            if reader == "ssh_key":
                os.makedirs(keydir, exist_ok=True)
                subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "deploy-check",
                                "-f", os.path.join(keydir, "client")], check=True)
                shutil.copy(os.path.join(keydir, "client"), path)
            elif reader == "ssh_known_hosts":
                subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", os.path.join(check, "hostkey")],
                               check=True)
                with open(os.path.join(check, "hostkey.pub")) as f, open(path, "w") as out:
                    out.write("git.deploy-check.invalid " + " ".join(f.read().split()[:2]) + "\n")
            elif reader == "token_file":
                # auth.yaml's static tokens: jobctl's, as an admin (the Job imports batches).
                digest = hashlib.sha256(self.jobctl_token.encode()).hexdigest()
                with open(path, "w") as out:
                    out.write(f"tokens:\n  - sha256: {digest}\n    name: deploy-check\n"
                              "    email: deploy-check@example.org\n    role: admin\n")
            elif reader == "JOBCTL_TOKEN_FILE":
                with open(path, "w") as out:
                    out.write(self.jobctl_token + "\n")
            else:
                with open(path, "w") as out:
                    out.write(secrets.token_hex(16) + "\n")
            files[key] = path
        if not files:
            raise Unsupported(f"a Secret is mounted at {mount} but nothing names a file in it")
        return files
