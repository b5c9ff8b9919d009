#!/usr/bin/python3
"""The body of tools/deploy_check.sh (read its header): render, run, check.

Every container is started from the rendered YAML by deploy_check_podman.py;
nothing about a workload is typed here. What the check changes is a
kustomize overlay this script writes on top of the rendered overlay
(check/kustomization.yaml, shown with --show-overlay): the images, the
ConfigMap's URLs and tracking repository, a hostPath mount of the local
remote, and Secrets with generated test values.
"""
import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.request

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deploy_check_overlay import ROOT, SIM_PORT, WORKLOADS, OverlayWriter  # noqa: E402
from deploy_check_podman import Objects, Podman, PodRunner, Unsupported, grpc_health, wait_serving  # noqa: E402

# Series each service must expose once cycles ran (names as in common/ and
# the services' metrics; deploy/monitoring's rules and dashboard use them).
KEY_SERIES = {
    "repo-service": ["tracker_grpc_server_requests_total", "tracker_repo_commits_total",
                     "tracker_repo_write_duration_seconds_count", "tracker_repo_packs"],
    "wes-poller": ["tracker_grpc_server_requests_total", "tracker_http_client_requests_total",
                   "tracker_token_refreshes_total"],
    "azure-verifier": ["tracker_grpc_server_requests_total", "tracker_http_client_requests_total"],
    "scheduler-service": ["tracker_scheduler_cycles_total", "tracker_scheduler_cycle_duration_seconds_count",
                          "tracker_scheduler_job_actions_total", "tracker_jobs", "tracker_job_bytes"],
}


def log(msg):
    print(msg, flush=True)


def kustomize_build(kustomize, path):
    r = subprocess.run([kustomize, "build", path], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"kustomize build {path} failed: {r.stderr.strip()}")
    return r.stdout


class Check(OverlayWriter):
    def __init__(self, args, podman):
        self.a = args
        self.podman = podman
        self.work = args.work
        self.failures = []
        self.figures = {"serving": {}, "stop": {}, "sizes": {}}
        self.network = f"{args.prefix}-net"
        self.containers = {}  # pod name -> (container, container spec, pod template, kind)

    def fail(self, what):
        self.failures.append(what)
        log(f"  FAIL {what}")

    # ---- running ------------------------------------------------------------
    def start_simulators(self, runner_image):
        sims = [("song-sim", "song-sim", ["--seed=7"]), ("slack-sink", "slack-sink", [])]
        for i, (env, e) in enumerate(sorted(self.envs.items())):
            sims.append((e["alias"], "wes-sim", [f"--seed={11 + i}", "--queued_ms=300", "--running_ms=1500",
                                                 f"--failure_rate={self.a.failure_rate}",
                                                 f"--client_id={e['client_id']}", f"--client_secret={e['client_secret']}"]))
        for alias, binary, flags in sims:
            path = os.path.realpath(os.path.join(self.a.sim_dir, binary))
            self.podman("run", "-d", "--name", f"{self.a.prefix}-{alias}", "--label", self.podman.label,
                        "--network", self.network, "--network-alias", alias, *self.podman.ulimits,
                        "--user", "10001:10001", "--read-only", "--cap-drop", "ALL",
                        "--security-opt", "no-new-privileges",
                        "--mount", f"type=bind,src={path},dst=/sim/{binary},ro",
                        "--entrypoint", f"/sim/{binary}", runner_image,
                        "--host=0.0.0.0", f"--port={SIM_PORT}", *flags)
        for alias, _, _ in sims:
            ip = self.podman.ip(f"{self.a.prefix}-{alias}", self.network)
            for _ in range(300):
                try:
                    urllib.request.urlopen(f"http://{ip}:{SIM_PORT}/_sim/faults", timeout=1)
                except urllib.error.HTTPError:
                    break  # an HTTP answer: listening
                except OSError:
                    time.sleep(0.1)
                    continue
                break
            else:
                sys.exit(f"simulator {alias} did not start: {self.podman('logs', f'{self.a.prefix}-{alias}').stderr}")
            log(f"  {alias:<22} {ip}:{SIM_PORT}")
        self.slack_ip = self.podman.ip(f"{self.a.prefix}-slack-sink", self.network)

    def start_workloads(self, final):
        objs = Objects(final)
        self.runner = PodRunner(objs, self.podman, self.network, os.path.join(self.work, "run"),
                                lambda image: image, self.a.prefix)
        created = []
        for kind in WORKLOADS:
            for name, w in objs.by_kind.get(kind, {}).items():
                tmpl = w["spec"]["template"]
                aliases = objs.services_for(tmpl["metadata"].get("labels", {}))
                grace = tmpl["spec"].get("terminationGracePeriodSeconds", 30)
                for i in range(w["spec"].get("replicas", 1)):
                    pod = f"{name}-{i}" if kind == "StatefulSet" else f"{name}-check{i}"
                    extra = [f"{pod}.{w['spec']['serviceName']}"] if kind == "StatefulSet" else []
                    cname, c = self.runner.create(tmpl, pod, w["spec"].get("volumeClaimTemplates", []),
                                                  aliases + extra, grace)
                    self.containers[pod] = (cname, c, tmpl, kind)
                    created.append(pod)
        self.jobctl_job = next(iter(objs.by_kind.get("Job", {}).values()))
        # As a cluster does: every pod at once; each one's clock starts at its own start.
        starts = {}
        for pod in created:
            starts[pod] = time.monotonic()
            self.podman("start", self.containers[pod][0])
        for pod in created:
            cname, c, _, _ = self.containers[pod]
            try:
                seconds, address = wait_serving(self.podman, cname, self.network, c, starts[pod])
                self.figures["serving"][pod] = seconds
                log(f"  {pod:<28} SERVING after {seconds:5.2f} s  ({address})")
            except (RuntimeError, Unsupported) as e:
                self.fail(f"{pod}: {e}; log: {self.podman('logs', '--tail', '15', cname, check=False).stderr}")

    def jobctl(self, *args, without_env=()):
        """One jobctl command in a container of the Job's pod template, args replaced."""
        tmpl = json.loads(json.dumps(self.jobctl_job["spec"]["template"]))
        # The batch ConfigMap exists only for add-batch; other commands read
        # nothing from it. The Secrets (the CA, the token) stay.
        spec = tmpl["spec"]
        batch = {v["name"] for v in spec.get("volumes", []) if "configMap" in v}
        spec["volumes"] = [v for v in spec.get("volumes", []) if v["name"] not in batch]
        c = spec["containers"][0]
        c["volumeMounts"] = [m for m in c.get("volumeMounts", []) if m["name"] not in batch]
        c["env"] = [e for e in c.get("env", []) if e["name"] not in without_env]
        self.jobctl_runs = getattr(self, "jobctl_runs", 0) + 1
        cname, _ = self.runner.create(tmpl, f"jobctl-{self.jobctl_runs}", args_override=list(args))
        r = self.podman("start", "--attach", cname, check=False)
        code = self.podman.inspect(cname)["State"]["ExitCode"]
        self.podman("rm", cname, check=False)
        return code, r.stdout, r.stderr

    def stopped_pods(self):
        """Each workload container that is no longer running: its state and last log lines."""
        out = []
        for pod, (cname, _, _, _) in self.containers.items():
            state = self.podman.inspect(cname)["State"]
            if state["Status"] != "running":
                tail = self.podman("logs", "--tail", "15", cname, check=False)
                out.append(f"{pod} {state['Status']}, exit code {state['ExitCode']}, OOMKilled {state.get('OOMKilled')}; "
                           f"log:\n{tail.stdout}{tail.stderr}")
        return "\n".join(out)

    def counts(self):
        code, out, err = self.jobctl("report")
        if code != 0:
            raise RuntimeError(f"jobctl report failed ({code}): {err.strip()[-400:]}\n{self.stopped_pods()}")
        totals = {}
        for line in out.splitlines():
            f = line.split()
            if len(f) >= 3 and f[1] in ("backlog", "queued", "failed", "completed", "onhold") and f[2].isdigit():
                totals[f[1]] = totals.get(f[1], 0) + int(f[2])
        return totals

    def run_cycles(self):
        before = self.counts()
        log(f"  before: {before}")
        for i in range(1, self.a.cycles + 1):
            code, out, err = self.jobctl("cycle")
            if code != 0:
                self.fail(f"jobctl cycle {i} exited {code}: {err.strip()[-400:]}\n{self.stopped_pods()}")
                return
            log(f"  cycle {i}: " + " | ".join(l.strip() for l in out.splitlines()[:3]))
            time.sleep(self.a.interval)
        after = self.counts()
        log(f"  after {self.a.cycles} cycles: {after}")
        done = after.get("completed", 0) + after.get("failed", 0) - before.get("completed", 0) - before.get("failed", 0)
        if done <= 0 or after.get("backlog", 0) >= before.get("backlog", 0):
            self.fail(f"jobs did not move through {self.a.cycles} cycles: {before} -> {after}")
        self.figures["jobs"] = (before, after)
        code, out, err = self.jobctl("status")
        if code != 0:
            self.fail(f"jobctl status exited {code}: {err.strip()[-300:]}")
        else:
            log("  jobctl status:\n" + "\n".join("    " + l for l in out.splitlines()[:12]))
        code, _, err = self.jobctl("report", "--send")
        msgs = json.load(urllib.request.urlopen(f"http://{self.slack_ip}:{SIM_PORT}/_sim/messages", timeout=5))
        n = len(msgs.get("messages", []))
        if code != 0 or n == 0:
            self.fail(f"report --send exited {code} and the Slack sink holds {n} messages: {err.strip()[-300:]}")
        else:
            log(f"  report --send: the Slack sink (webhook from the generated Secret) holds {n} messages")

    def check_refusals(self):
        """Nobody unknown gets in: jobctl without its token is refused, and a
        plaintext call to a service's own port gets no answer (its health
        port answered the probes in plaintext)."""
        code, _, err = self.jobctl("report", without_env=("JOBCTL_TOKEN_FILE",))
        if code == 0:
            self.fail("jobctl report without a token was answered")
        else:
            log(f"  jobctl report without a token: exit {code}: {(err.strip().splitlines() or [''])[-1][:160]}")
        for pod, (cname, c, _, _) in self.containers.items():
            port = next(p["containerPort"] for p in c["ports"] if p["name"] == "grpc")
            if grpc_health(f"{self.podman.ip(cname, self.network)}:{port}", timeout=3) is not None:
                self.fail(f"{pod}: its gRPC port {port} answered a plaintext call")
        log(f"  a plaintext call to the gRPC port of each of the {len(self.containers)} pods: no answer (TLS only)")

    def check_metrics(self):
        # Every pod must serve its endpoint; the key series are checked per
        # workload, summed over its replicas as a dashboard would: a replica
        # the scheduler's balancer has not picked yet has no WES traffic.
        per_service = {}
        for pod, (cname, c, tmpl, _) in self.containers.items():
            ann = tmpl["metadata"].get("annotations") or {}
            if ann.get("prometheus.io/scrape") != "true":
                continue
            url = f"http://{self.podman.ip(cname, self.network)}:{ann['prometheus.io/port']}{ann.get('prometheus.io/path', '/metrics')}"
            try:
                text = urllib.request.urlopen(url, timeout=5).read().decode()
            except OSError as e:
                self.fail(f"{pod}: {url}: {e}")
                continue
            service = c["image"].rsplit("/", 1)[-1].split(":")[0]
            totals = per_service.setdefault(service, {})
            for line in text.splitlines():
                if line and not line.startswith("#"):
                    name = re.split(r"[{ ]", line, 1)[0]
                    totals[name] = totals.get(name, 0) + float(line.rsplit(" ", 1)[1])
            log(f"  {pod:<28} {url}: {len(text.splitlines())} lines")
        for service, totals in per_service.items():
            missing = [s for s in KEY_SERIES.get(service, []) if s not in totals]
            if missing:
                self.fail(f"{service}: no pod exposes {missing}")
            else:
                log(f"  {service:<28} " + ", ".join(f"{s}={totals[s]:g}" for s in KEY_SERIES.get(service, [])))

    def check_sigterm(self):
        # The scheduler first, repo-service last, as an upgrade or a drain would.
        rank = {"scheduler-service": 0, "StatefulSet": 2}
        order = sorted(self.containers, key=lambda p: rank.get(self.containers[p][2]["metadata"]["labels"].get(
            "app.kubernetes.io/name"), rank.get(self.containers[p][3], 1)))
        for pod in order:
            cname, _, tmpl, _ = self.containers[pod]
            grace = tmpl["spec"].get("terminationGracePeriodSeconds", 30)
            t0 = time.monotonic()
            self.podman("stop", "-t", str(grace), cname, check=False, timeout=grace + 30)
            seconds = time.monotonic() - t0
            state = self.podman.inspect(cname)["State"]
            self.figures["stop"][pod] = (seconds, grace, state["ExitCode"])
            if state["ExitCode"] != 0 or state.get("OOMKilled") or seconds >= grace:
                self.fail(f"{pod}: SIGTERM: exit code {state['ExitCode']} after {seconds:.1f} s (grace {grace} s)"
                          f"{'; 137 = killed by SIGKILL' if state['ExitCode'] == 137 else ''}")
            else:
                log(f"  {pod:<28} exited 0 by itself {seconds:5.2f} s after SIGTERM (grace {grace} s)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for flag, default in (("--overlay", "rdpc-qa"), ("--tag", "dev"), ("--work", None), ("--prefix", None),
                          ("--sim-dir", None), ("--kustomize", None), ("--image-prefix", "localhost/transfer-tracker")):
        ap.add_argument(flag, default=default, required=default is None and flag != "--work")
    ap.add_argument("--jobs", type=int, default=20)
    ap.add_argument("--cycles", type=int, default=4)
    ap.add_argument("--interval", type=float, default=3.0)
    ap.add_argument("--failure_rate", type=float, default=0.1)
    a = ap.parse_args()
    podman = Podman(shlex.split(os.environ["DEPLOY_CHECK_PODMAN"]), shlex.split(os.environ["DEPLOY_CHECK_ULIMITS"]),
                    f"io.transfer-tracker.deploy-check={a.prefix}")
    check = Check(a, podman)
    t_start = time.monotonic()

    log(f"== render deploy/overlays/{a.overlay}")
    rendered = [d for d in yaml.safe_load_all(kustomize_build(a.kustomize, os.path.join(ROOT, "deploy/overlays", a.overlay))) if d]
    log("  " + ", ".join(f"{d['kind']}/{d['metadata']['name']}" for d in rendered))

    log("== the outside world: simulators, a local tracking remote, generated Secrets")
    check.remote_parent = os.path.join(a.work, "remote")
    os.makedirs(check.remote_parent)
    subprocess.run([sys.executable, os.path.join(ROOT, "tools/gen_tracking_repo.py"),
                    os.path.join(check.remote_parent, "tracking.git"), "--jobs", str(a.jobs), "--studies", "2",
                    "--batch-size", "10", "--song-url", f"http://song-sim:{SIM_PORT}",
                    "--score-url", f"http://song-sim:{SIM_PORT}"], check=True, capture_output=True)
    # The services run as user 10001; repo-service pushes to this remote.
    subprocess.run(["chown", "-R", "10001:10001", check.remote_parent], check=True)
    overlay_dir = check.write_overlay(rendered)
    final = [d for d in yaml.safe_load_all(kustomize_build(a.kustomize, overlay_dir)) if d]
    log(f"  check overlay: {overlay_dir}/kustomization.yaml (on top of the rendered {a.overlay})")
    podman("network", "create", "--label", podman.label, check.network)
    runner_image = f"{a.image_prefix}/repo-service:{a.tag}"
    check.start_simulators(runner_image)

    log("== workloads from the rendered YAML; readiness through their grpc probes")
    check.start_workloads(final)
    if not check.failures:
        log(f"== {a.cycles} cycles with jobctl (the Job's pod template, deploy/jobs)")
        check.run_cycles()
        log("== refusals: no token, no TLS")
        check.check_refusals()
        log("== metrics endpoints (the pods' prometheus.io annotations)")
        check.check_metrics()
    log("== SIGTERM within terminationGracePeriodSeconds")
    check.check_sigterm()

    for target in sorted({c["image"] for _, c, _, _ in check.containers.values()} | {check.jobctl_job["spec"]["template"]["spec"]["containers"][0]["image"]}):
        size = podman("image", "inspect", "--format", "{{.Size}}", target).stdout.strip()
        # The newest layer with content: the binary over the shared runtime layers.
        top = next((l for l in podman("history", "--format", "{{.Size}}", target).stdout.splitlines()
                    if l.strip() not in ("0 B", "0B")), "?")
        check.figures["sizes"][target] = (int(size) / 1e6, top)
    summary(check, time.monotonic() - t_start)
    return 1 if check.failures else 0


def summary(check, total):
    f = check.figures
    log("\n== summary")
    log(f"  {'pod':<28} {'to SERVING':>10} {'stop':>8} {'grace':>6} {'exit':>5}")
    for pod in check.containers:
        s = f["serving"].get(pod)
        stop = f["stop"].get(pod, (None, None, None))
        log(f"  {pod:<28} {(f'{s:.2f} s' if s is not None else '-'):>10} "
            f"{(f'{stop[0]:.2f} s' if stop[0] is not None else '-'):>8} {str(stop[1]):>6} {str(stop[2]):>5}")
    for image, (mb, top) in f["sizes"].items():
        log(f"  image {image:<50} {mb:6.1f} MB (its own layer: {top})")
    if "jobs" in f:
        log(f"  jobs before -> after: {f['jobs'][0]} -> {f['jobs'][1]}")
    log(f"  check took {total:.0f} s")
    for what in check.failures:
        log(f"  failure: {what}")
    log("PASS" if not check.failures else f"FAIL ({len(check.failures)} failures)")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Unsupported as e:
        print(f"deploy_check: the rendered YAML asks for what this check cannot run: {e}", file=sys.stderr)
        print("FAIL")
        sys.exit(1)
    except KeyboardInterrupt:
        print("deploy_check: interrupted", file=sys.stderr)
        sys.exit(130)
    except (RuntimeError, subprocess.CalledProcessError, OSError) as e:
        print(f"deploy_check: {e}", file=sys.stderr)
        print("FAIL")
        sys.exit(1)
