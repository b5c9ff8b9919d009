"""A rendered Kubernetes pod template, run as podman containers.

Used by tools/deploy_check.py. Everything a container gets comes from the
rendered YAML: image, command, args, env (values, Secret and ConfigMap
references, envFrom), volume mounts (ConfigMap, Secret, emptyDir, hostPath,
the StatefulSet's volumeClaimTemplates), user and groups, read-only root
file system, capabilities, no-new-privileges, memory and CPU limits and the
grace period. What has no podman equivalent is said where it is skipped.
"""
import base64
import json
import os
import re
import subprocess
import time


class Unsupported(Exception):
    """The rendered YAML asks for something this runner cannot do faithfully."""


def quantity_bytes(q):
    units = {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "k": 10**3, "M": 10**6, "G": 10**9}
    m = re.fullmatch(r"(\d+)([KMG]i?|k)?", str(q))
    if not m:
        raise Unsupported(f"memory quantity {q!r}")
    return int(m.group(1)) * units.get(m.group(2) or "", 1)


def quantity_cpus(q):
    q = str(q)
    return int(q[:-1]) / 1000 if q.endswith("m") else float(q)


def expand(text, env):
    # Kubernetes' $(VAR) references in command and args; $$ escapes.
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
                  lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)), text)


class Objects:
    """The rendered objects by kind and name; Secret and ConfigMap data decoded."""

    def __init__(self, docs):
        self.docs = docs
        self.by_kind = {}
        for d in docs:
            self.by_kind.setdefault(d["kind"], {})[d["metadata"]["name"]] = d

    def data(self, kind, name):
        obj = self.by_kind.get(kind, {}).get(name)
        if obj is None:
            raise Unsupported(f"{kind} {name} is referenced but not in the rendered objects")
        out = dict(obj.get("data") or {})
        if kind == "Secret":
            out = {k: base64.b64decode(v).decode() for k, v in out.items()}
            out.update(obj.get("stringData") or {})
        return out

    def services_for(self, labels):
        return [name for name, s in self.by_kind.get("Service", {}).items()
                if s["spec"].get("selector") and s["spec"]["selector"].items() <= labels.items()]


class Podman:
    def __init__(self, podman, ulimits, label):
        self.podman = list(podman)
        self.ulimits = list(ulimits)
        self.label = label

    def __call__(self, *args, check=True, capture=True, timeout=None):
        r = subprocess.run(self.podman + list(args), capture_output=capture, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise RuntimeError(f"podman {args[0]} failed ({r.returncode}): {(r.stderr or '').strip()[-800:]}")
        return r

    def inspect(self, name):
        return json.loads(self("inspect", "--type", "container", name).stdout)[0]

    def ip(self, name, network):
        return self.inspect(name)["NetworkSettings"]["Networks"][network]["IPAddress"]


class PodRunner:
    """Turns one pod template into `podman create` argument lists."""

    def __init__(self, objects, podman, network, workdir, image_map, prefix):
        self.objects = objects
        self.podman = podman
        self.network = network
        self.workdir = workdir
        self.image_map = image_map
        self.prefix = prefix
        self.volumes_made = []

    def _dir(self, *parts):
        path = os.path.join(self.workdir, *parts)
        os.makedirs(path, exist_ok=True)
        return path

    def _files(self, kind, name, spec, fs_group, pod):
        """A ConfigMap or Secret volume as files in a directory (mode, owner as the kubelet sets them)."""
        data = self.objects.data(kind, name)
        items = spec.get("items") or [{"key": k, "path": k} for k in sorted(data)]
        mode = spec.get("defaultMode", 0o644)
        d = self._dir("volumes", pod, f"{kind.lower()}-{name}")
        for item in items:
            path = os.path.join(d, item["path"])
            with open(path, "w") as f:
                f.write(data[item["key"]])
            os.chmod(path, item.get("mode", mode))
            # fsGroup: the kubelet makes the files group fsGroup.
            os.chown(path, 0, fs_group if fs_group is not None else 0)
        os.chmod(d, 0o755)
        return d

    def _volume_sources(self, pod_spec, claims, pod, fs_group):
        sources = {}
        for v in pod_spec.get("volumes", []):
            name = v["name"]
            if "configMap" in v:
                sources[name] = ("bind", self._files("ConfigMap", v["configMap"]["name"], v["configMap"], fs_group, pod))
            elif "secret" in v:
                sources[name] = ("bind", self._files("Secret", v["secret"]["secretName"], v["secret"], fs_group, pod))
            elif "emptyDir" in v:
                sources[name] = ("tmpfs", v["emptyDir"].get("sizeLimit"))
            elif "hostPath" in v:
                sources[name] = ("bind", v["hostPath"]["path"])
            else:
                raise Unsupported(f"volume {name}: only configMap, secret, emptyDir and hostPath are run here")
        for claim in claims:
            # A PVC of a StatefulSet: one podman volume per pod, like the claim <name>-<pod>.
            vol = f"{self.prefix}-{claim['metadata']['name']}-{pod}"
            self.podman("volume", "create", "--label", self.podman.label, vol)
            self.volumes_made.append(vol)
            sources[claim["metadata"]["name"]] = ("volume", vol)
        return sources

    def _env(self, c):
        env = {}
        for src in c.get("envFrom", []):
            if "secretRef" in src:
                env.update(self.objects.data("Secret", src["secretRef"]["name"]))
            elif "configMapRef" in src:
                env.update(self.objects.data("ConfigMap", src["configMapRef"]["name"]))
        for e in c.get("env", []):
            if "value" in e:
                env[e["name"]] = expand(str(e["value"]), env)
            elif "secretKeyRef" in e.get("valueFrom", {}):
                ref = e["valueFrom"]["secretKeyRef"]
                env[e["name"]] = self.objects.data("Secret", ref["name"])[ref["key"]]
            elif "configMapKeyRef" in e.get("valueFrom", {}):
                ref = e["valueFrom"]["configMapKeyRef"]
                env[e["name"]] = self.objects.data("ConfigMap", ref["name"])[ref["key"]]
            else:
                raise Unsupported(f"env {e['name']}: only value, secretKeyRef and configMapKeyRef are run here")
        return env

    def create(self, pod_template, pod, claims=(), aliases=(), grace=30, args_override=None, detach=True):
        """`podman create` for the pod's only container; returns (name, container spec)."""
        spec = pod_template["spec"]
        containers = spec["containers"]
        if len(containers) != 1 or spec.get("initContainers"):
            raise Unsupported(f"{pod}: one container per pod is run here, no init containers")
        c = containers[0]
        psc = spec.get("securityContext", {})
        csc = c.get("securityContext", {})
        user = csc.get("runAsUser", psc.get("runAsUser"))
        group = csc.get("runAsGroup", psc.get("runAsGroup"))
        fs_group = psc.get("fsGroup")
        if csc.get("runAsNonRoot", psc.get("runAsNonRoot")) and (user is None or user == 0):
            raise Unsupported(f"{pod}: runAsNonRoot without a non-zero runAsUser")
        name = f"{self.prefix}-{pod}"
        argv = ["create", "--name", name, "--hostname", pod, "--label", self.podman.label,
                "--network", self.network, *self.podman.ulimits,
                "--stop-timeout", str(grace)]
        for a in list(aliases):
            argv += ["--network-alias", a]
        for k, v in (pod_template["metadata"].get("labels") or {}).items():
            argv += ["--label", f"{k}={v}"]
        if user is not None:
            argv += ["--user", f"{user}:{group if group is not None else user}"]
        for g in ([fs_group] if fs_group is not None else []) + list(psc.get("supplementalGroups", [])):
            argv += ["--group-add", str(g)]
        if csc.get("readOnlyRootFilesystem"):
            # Without --read-only-tmpfs=false podman would add writable /tmp,
            # /run and /var/tmp that the pod does not have.
            argv += ["--read-only", "--read-only-tmpfs=false"]
        caps = csc.get("capabilities", {})
        for cap in caps.get("drop", []):
            argv += ["--cap-drop", cap]
        for cap in caps.get("add", []):
            argv += ["--cap-add", cap]
        if csc.get("allowPrivilegeEscalation") is False:
            argv += ["--security-opt", "no-new-privileges"]
        if csc.get("privileged"):
            raise Unsupported(f"{pod}: privileged containers are not run")
        # seccompProfile RuntimeDefault is podman's default profile.
        limits = (c.get("resources") or {}).get("limits") or {}
        if "memory" in limits:
            argv += ["--memory", str(quantity_bytes(limits["memory"]))]
        if "cpu" in limits:
            argv += ["--cpus", str(quantity_cpus(limits["cpu"]))]
        sources = self._volume_sources(spec, claims, pod, fs_group)
        for m in c.get("volumeMounts", []):
            kind, src = sources[m["name"]]
            ro = ",ro" if m.get("readOnly") else ""
            if kind == "tmpfs":
                size = f",size={quantity_bytes(src)}" if src else ""
                argv += ["--tmpfs", f"{m['mountPath']}:rw,mode=1777{size}"]
            elif kind == "volume":
                # :U owns the volume by the container's user and group, as fsGroup does.
                argv += ["-v", f"{src}:{m['mountPath']}:U{ro}"]
            else:
                argv += ["--mount", f"type=bind,src={src},dst={m['mountPath']}{ro}"]
        env = self._env(c)
        if env:
            # A file (0600, removed with the work directory), so Secret values
            # never appear on a command line.
            path = os.path.join(self._dir("env"), pod)
            with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
                for k, v in env.items():
                    if "\n" in v:
                        raise Unsupported(f"{pod}: env {k} holds a newline")
                    f.write(f"{k}={v}\n")
            argv += ["--env-file", path]
        if c.get("command"):
            argv += ["--entrypoint", json.dumps([expand(x, env) for x in c["command"]])]
        argv.append(self.image_map(c["image"]))
        args = args_override if args_override is not None else c.get("args", [])
        argv += [expand(str(a), env) for a in args]
        self.podman(*argv)
        return name, c


def grpc_health(address, service="", timeout=1.0):
    """grpc.health.v1.Health/Check, as a kubelet grpc probe calls it: the status number (1 = SERVING)."""
    import grpc
    req = b"" if not service else b"\x0a" + bytes([len(service)]) + service.encode()
    with grpc.insecure_channel(address) as ch:
        call = ch.unary_unary("/grpc.health.v1.Health/Check",
                              request_serializer=lambda b: b, response_deserializer=lambda b: b)
        try:
            resp = call(req, timeout=timeout)
        except grpc.RpcError:
            return None
    # HealthCheckResponse: field 1 (status), a varint; absent = UNKNOWN (0).
    return resp[1] if len(resp) >= 2 and resp[0] == 0x08 else 0


def probe_deadline(c):
    """Seconds the kubelet allows before giving up on a container starting (startup, else liveness)."""
    p = c.get("startupProbe") or c.get("livenessProbe") or c.get("readinessProbe") or {}
    return p.get("initialDelaySeconds", 0) + p.get("failureThreshold", 3) * p.get("periodSeconds", 10)


def wait_serving(podman, name, network, c, t0):
    """Polls the readiness probe's own port and service until SERVING; seconds since t0 or an error."""
    probe = c.get("readinessProbe") or c.get("startupProbe")
    if not probe or "grpc" not in probe:
        raise Unsupported(f"{name}: only grpc readiness probes are checked")
    ip = podman.ip(name, network)
    address = f"{ip}:{probe['grpc']['port']}"
    deadline = t0 + probe_deadline(c)
    while time.monotonic() < deadline:
        if grpc_health(address, probe["grpc"].get("service", ""), probe.get("timeoutSeconds", 1)) == 1:
            return time.monotonic() - t0, address
        if podman.inspect(name)["State"]["Status"] != "running":
            raise RuntimeError(f"{name} exited before SERVING")
        time.sleep(0.1)
    raise RuntimeError(f"{name} not SERVING on {address} within {probe_deadline(c)} s (the probes' limit)")
