#!/usr/bin/env python3
"""deploy/ checked without a cluster: every overlay rendered with kustomize
and every object validated against the real binaries.

- every object has apiVersion, kind, metadata.name; selectors match pods;
- every container's args are flags its binary accepts, and the scheduler,
  wes-poller and azure-verifier pass their own --check with the overlay's
  ConfigMap (the real config loader) and args;
- ports and Service target ports match --listen, probes the plaintext
  health port (--health_listen);
- securityContext, resources, one repo-service with a volume and a
  read-only git Secret, one scheduler with Recreate, PDBs only where more
  than one replica runs, a grace period covering drain + shutdown grace;
- the NetworkPolicy lets only the scheduler and jobctl in;
- every ConfigMap and Secret referenced exists in the overlay, is written
  by one of its Certificates (cert-manager) or is listed in
  deploy/README.md as created by the operator;
- the images' runtime package list covers every shared library of every
  binary (ldd, dpkg).

TLS and authentication: tests/deploy_tls_test.py. kustomize comes from
$KUSTOMIZE; without it the rendering tests skip, saying so.
"""
import os
import re
import subprocess
import sys
import tempfile
import unittest

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deploy_render import (BINARIES, DEPLOY, OVERLAYS, RUNFILES, WORKLOADS, PodFiles, Rendered,  # noqa: E402
                           arg_flag, arg_value, binary, certificates, flag_names, jobs, operator_secrets, pod_spec)


class DeployTest(unittest.TestCase):
    def each(self, kinds=None):
        for overlay in OVERLAYS:
            for obj in Rendered.overlay(overlay):
                if kinds is None or obj["kind"] in kinds:
                    yield overlay, obj

    def containers(self):
        for overlay, obj in self.each(WORKLOADS):
            for c in pod_spec(obj)["containers"]:
                yield overlay, obj, c

    def test_there_are_two_installations(self):
        self.assertGreaterEqual(len(OVERLAYS), 2, OVERLAYS)
        for overlay in OVERLAYS:
            kinds = {o["kind"] for o in Rendered.overlay(overlay)}
            self.assertTrue({"StatefulSet", "Deployment", "Service", "ConfigMap", "NetworkPolicy"} <= kinds,
                            (overlay, kinds))
            names = {o["metadata"]["name"] for o in Rendered.overlay(overlay)}
            for service in ("repo-service", "wes-poller", "azure-verifier", "scheduler-service"):
                self.assertIn(service, names, overlay)

    def test_objects_have_required_fields_and_selectors_match(self):
        for overlay, obj in self.each():
            where = f"{overlay}: {obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
            for field in ("apiVersion", "kind", "metadata"):
                self.assertIn(field, obj, where)
            self.assertTrue(obj["metadata"].get("name"), where)
            self.assertTrue(obj["metadata"].get("namespace"), f"{where}: no namespace from the overlay")
            if obj["kind"] in ("Deployment", "StatefulSet"):
                selector = obj["spec"]["selector"]["matchLabels"]
                labels = obj["spec"]["template"]["metadata"]["labels"]
                self.assertTrue(selector.items() <= labels.items(), where)
        for overlay in OVERLAYS:
            objs = Rendered.overlay(overlay)
            pods = [o["spec"]["template"] for o in objs if o["kind"] in ("Deployment", "StatefulSet")]
            for svc in (o for o in objs if o["kind"] == "Service"):
                sel = svc["spec"]["selector"]
                matched = [p for p in pods if sel.items() <= p["metadata"]["labels"].items()]
                self.assertEqual(len(matched), 1, f"{overlay}: Service {svc['metadata']['name']} selects {len(matched)} pods")
                ports = {p["name"]: p["containerPort"] for c in matched[0]["spec"]["containers"] for p in c["ports"]}
                for port in svc["spec"]["ports"]:
                    self.assertIn(port["targetPort"], ports, f"{overlay}: {svc['metadata']['name']}")
                    self.assertEqual(port["port"], ports[port["targetPort"]])

    def test_container_args_are_flags_the_binary_accepts(self):
        seen = set()
        for overlay, obj, c in self.containers():
            path, name = binary(c["image"])
            known = flag_names(path)
            self.assertIn("listen", known, f"cannot read the flags of {name}")
            for arg in c.get("args", []):
                flag = arg_flag(arg)
                self.assertIsNotNone(flag, f"{overlay}: {name}: {arg!r} is not a --flag=value")
                self.assertIn(flag, known, f"{overlay}: {name} has no flag --{flag}")
            seen.add(name)
        self.assertEqual(seen, set(BINARIES) - {"jobctl"})

    def test_services_pass_their_own_check_with_the_overlay_config(self):
        for overlay in OVERLAYS:
            objs = Rendered.overlay(overlay)
            config = next(o for o in objs if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("tracker-config"))
            parsed = yaml.safe_load(config["data"]["config.yaml"])
            env = dict(os.environ)
            # The variables the config names get dummy values, as the
            # Secrets would provide.
            for e in parsed.get("compute_environments", {}).values():
                for key in ("client_id_env", "client_secret_env", "token_env"):
                    if e.get(key):
                        env[e[key]] = "x"
            with tempfile.TemporaryDirectory() as tmp:
                # The pod's ConfigMaps, certificates and token file on disk.
                files = PodFiles(objs, tmp)
                for obj in objs:
                    if obj["kind"] not in WORKLOADS:
                        continue
                    c = pod_spec(obj)["containers"][0]
                    exe, name = binary(c["image"])
                    if name == "repo-service":
                        continue  # its --check opens the clone; its flags are checked above
                    args = files.make(obj)
                    # The container's own environment: values as written,
                    # Secret references as dummies.
                    cenv = dict(env)
                    for e in c.get("env", []):
                        cenv[e["name"]] = e.get("value", "x")
                    r = subprocess.run([exe, *args, "--check"], capture_output=True, text=True, env=cenv)
                    self.assertEqual(r.returncode, 0, f"{overlay}: {name} --check: {r.stderr}")

    def test_a_broken_config_is_caught(self):
        # The check above can fail: a key the scheduler does not know.
        exe, _ = binary("scheduler-service")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "config.yaml")
            with open(path, "w") as f:
                f.write("scheduling_intervall: 30\n")
            # Plaintext: the config is checked after the TLS flags, and this is about the config.
            r = subprocess.run([exe, f"--config={path}", "--insecure_plaintext", "--check"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 2)
            self.assertIn("scheduling_intervall", r.stderr)

    def test_ports_and_probes_match_listen(self):
        for overlay, obj, c in self.containers():
            listen = arg_value(c["args"], "listen")
            self.assertIsNotNone(listen, c["name"])
            host, port = listen.rsplit(":", 1)
            self.assertEqual(host, "0.0.0.0", f"{c['name']} must listen on every interface in a pod")
            ports = {p["name"]: p["containerPort"] for p in c["ports"]}
            self.assertEqual(ports.get("grpc"), int(port), c["name"])
            # Metrics: the port the pod's scrape annotations name.
            metrics = arg_value(c["args"], "metrics_listen")
            self.assertIsNotNone(metrics, f"{overlay}: {c['name']} serves no /metrics")
            mhost, mport = metrics.rsplit(":", 1)
            self.assertEqual(mhost, "0.0.0.0", c["name"])
            # Probes: the plaintext health port (kubelet's grpc probes speak
            # no TLS); the service's own port is TLS.
            health = arg_value(c["args"], "health_listen")
            self.assertIsNotNone(health, f"{overlay}: {c['name']} has no --health_listen for its probes")
            hhost, hport = health.rsplit(":", 1)
            self.assertEqual(hhost, "0.0.0.0", c["name"])
            self.assertEqual(ports, {"grpc": int(port), "metrics": int(mport), "health": int(hport)}, c["name"])
            self.assertEqual(len(set(ports.values())), 3, c["name"])
            notes = obj["spec"]["template"]["metadata"].get("annotations", {})
            self.assertEqual(notes.get("prometheus.io/scrape"), "true", c["name"])
            self.assertEqual(notes.get("prometheus.io/port"), mport, c["name"])
            self.assertEqual(notes.get("prometheus.io/path"), "/metrics", c["name"])
            for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
                if probe == "startupProbe" and probe not in c:
                    continue
                self.assertIn(probe, c, f"{overlay}: {c['name']}")
                self.assertEqual(c[probe], {**c[probe], "grpc": {"port": int(hport)}},
                                 f"{overlay}: {c['name']} {probe} must be a grpc probe of the health port")

    def test_security_context_and_resources(self):
        for overlay, obj, c in self.containers():
            where = f"{overlay}: {c['name']}"
            pod = pod_spec(obj)["securityContext"]
            self.assertTrue(pod["runAsNonRoot"], where)
            self.assertGreater(pod["runAsUser"], 0, where)
            sc = c["securityContext"]
            self.assertTrue(sc["readOnlyRootFilesystem"], where)
            self.assertFalse(sc["allowPrivilegeEscalation"], where)
            self.assertEqual(sc["capabilities"]["drop"], ["ALL"], where)
            for kind in ("requests", "limits"):
                for res in ("cpu", "memory"):
                    self.assertIn(res, c["resources"][kind], f"{where}: resources.{kind}.{res}")
            self.assertFalse(pod_spec(obj).get("automountServiceAccountToken", True), where)

    def test_one_repo_service_with_its_volume_and_a_read_only_credential(self):
        for overlay in OVERLAYS:
            sts = [o for o in Rendered.overlay(overlay) if o["kind"] == "StatefulSet"]
            self.assertEqual([o["metadata"]["name"] for o in sts], ["repo-service"], overlay)
            s = sts[0]
            self.assertEqual(s["spec"]["replicas"], 1)
            self.assertEqual(s["spec"]["volumeClaimTemplates"][0]["metadata"]["name"], "data")
            c = pod_spec(s)["containers"][0]
            repo = arg_value(c["args"], "repo")
            mounts = {m["name"]: m for m in c["volumeMounts"]}
            self.assertTrue(repo.startswith(mounts["data"]["mountPath"] + "/"), "the clone must be on the volume")
            secret_volumes = {v["name"]: v["secret"] for v in pod_spec(s)["volumes"] if "secret" in v}
            self.assertTrue(secret_volumes)
            for v in secret_volumes:
                self.assertTrue(mounts[v].get("readOnly"), f"{overlay}: secret {v} must be mounted read-only")
            # The ssh credential: both files from one Secret volume.
            for flag in ("ssh_key", "ssh_known_hosts"):
                holders = [v for v in secret_volumes if arg_value(c["args"], flag).startswith(mounts[v]["mountPath"] + "/")]
                self.assertEqual(len(holders), 1, f"{overlay}: --{flag} is on no Secret volume")
                self.assertEqual(secret_volumes[holders[0]]["secretName"], "tracker-git", flag)

    def test_exactly_one_scheduler_recreated_on_upgrade(self):
        for overlay in OVERLAYS:
            d = next(o for o in Rendered.overlay(overlay) if o["metadata"]["name"] == "scheduler-service"
                     and o["kind"] == "Deployment")
            self.assertEqual(d["spec"]["replicas"], 1, overlay)
            self.assertEqual(d["spec"]["strategy"]["type"], "Recreate", overlay)

    def test_disruption_budgets_only_where_replicas_allow_them(self):
        for overlay in OVERLAYS:
            objs = Rendered.overlay(overlay)
            workloads = {o["metadata"]["name"]: o for o in objs if o["kind"] in ("Deployment", "StatefulSet")}
            for pdb in (o for o in objs if o["kind"] == "PodDisruptionBudget"):
                name = pdb["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]
                replicas = workloads[name]["spec"].get("replicas", 1)
                self.assertGreater(replicas, pdb["spec"]["minAvailable"],
                                   f"{overlay}: the PDB of {name} would block every drain")
                self.assertNotIn(name, ("repo-service", "scheduler-service"))

    def test_grace_period_covers_drain_and_shutdown(self):
        for overlay, obj, c in self.containers():
            drain = int(arg_value(c["args"], "drain_seconds") or 0)
            grace = int(arg_value(c["args"], "shutdown_grace_seconds") or 0)
            self.assertGreater(drain, 0, f"{c['name']}: no drain: callers would see refused RPCs in a rollout")
            self.assertGreater(pod_spec(obj)["terminationGracePeriodSeconds"], drain + grace,
                               f"{overlay}: {c['name']}")

    def test_only_the_scheduler_and_jobctl_reach_the_services(self):
        for overlay in OVERLAYS:
            objs = Rendered.overlay(overlay)
            policies = [o for o in objs if o["kind"] == "NetworkPolicy"]
            covered = set()
            for p in policies:
                sel = p["spec"]["podSelector"]
                names = set(sel.get("matchLabels", {}).values())
                for e in sel.get("matchExpressions", []):
                    names |= set(e["values"])
                covered |= names
                self.assertEqual(p["spec"]["policyTypes"], ["Ingress"])
                for rule in p["spec"]["ingress"]:
                    ports = {port["port"] for port in rule["ports"]}
                    for peer in rule["from"]:
                        if ports == {9102}:
                            # Prometheus, from the monitoring namespace, to the metrics port only.
                            self.assertEqual(peer, {"namespaceSelector": {"matchLabels": {
                                "kubernetes.io/metadata.name": "monitoring"}}})
                            continue
                        self.assertNotIn(9102, ports)
                        self.assertEqual(set(peer), {"podSelector"}, "no namespace or IP peers")
                        labels = peer["podSelector"]["matchLabels"]
                        self.assertIn(labels, ({"app.kubernetes.io/name": "scheduler-service"}, {"tracker/jobctl": "true"}))
            self.assertEqual(covered, {"repo-service", "wes-poller", "azure-verifier", "scheduler-service"}, overlay)

    def test_referenced_configmaps_and_secrets_exist_or_are_documented(self):
        documented = operator_secrets()
        self.assertTrue(documented, "deploy/README.md lists no Secrets")
        for overlay in OVERLAYS:
            objs = Rendered.overlay(overlay)
            configmaps = {o["metadata"]["name"] for o in objs if o["kind"] == "ConfigMap"}
            # Made by the overlay, written by cert-manager, or created by the operator.
            secrets = {o["metadata"]["name"] for o in objs if o["kind"] == "Secret"} | set(certificates(objs)) | documented
            pods = [(overlay, pod_spec(o)) for o in objs if o["kind"] in WORKLOADS]
            # The Jobs of deploy/jobs run in each overlay's namespace; their
            # own batch ConfigMap is made by hand (their header says how).
            pods += [(path, dict(job["spec"]["template"]["spec"], volumes=[
                v for v in job["spec"]["template"]["spec"].get("volumes", []) if "configMap" not in v]))
                for path, job in jobs()]
            for where, spec in pods:
                for v in spec.get("volumes", []):
                    if "configMap" in v:
                        self.assertIn(v["configMap"]["name"], configmaps, where)
                    if "secret" in v:
                        self.assertIn(v["secret"]["secretName"], secrets, where)
                for c in spec["containers"]:
                    for e in c.get("env", []):
                        ref = e.get("valueFrom", {}).get("secretKeyRef")
                        if ref:
                            self.assertIn(ref["name"], secrets, where)
                    for e in c.get("envFrom", []):
                        if "secretRef" in e:
                            self.assertIn(e["secretRef"]["name"], secrets, where)
            for issuer in (o for o in objs if o["kind"] == "Issuer"):
                self.assertIn(issuer["spec"]["ca"]["secretName"], documented, f"{overlay}: the Issuer's CA")

    def test_the_jobctl_job_runs_a_command_jobctl_accepts(self):
        for path, job in jobs():
            self.assertEqual(job["kind"], "Job")
            spec = job["spec"]["template"]
            self.assertEqual(spec["metadata"]["labels"].get("tracker/jobctl"), "true",
                             "the NetworkPolicy lets only labelled jobctl pods in")
            c = spec["spec"]["containers"][0]
            exe, name = binary(c["image"])
            self.assertEqual(name, "jobctl")
            # jobctl parses the arguments, then --help stops it: 0 only when
            # the command and every option are ones it knows.
            r = subprocess.run([exe, *c["args"], "--help"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, f"{path}: {r.stderr}")
            self.assertEqual(job["spec"]["backoffLimit"], 0)

    def test_runtime_packages_cover_every_shared_library(self):
        wanted = [l.strip() for l in open(os.path.join(DEPLOY, "runtime-packages.txt"))
                  if l.strip() and not l.startswith("#")]
        # What apt installs with them: their Depends, recursively, as this
        # machine (the same Debian release) has them.
        closure, todo = set(), list(wanted) + ["libc6", "libgcc-s1"]  # in every Debian image
        while todo:
            pkg = todo.pop()
            if pkg in closure:
                continue
            closure.add(pkg)
            r = subprocess.run(["dpkg-query", "-W", "-f=${Depends}", pkg], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, f"{pkg} of runtime-packages.txt is not a package here")
            for dep in r.stdout.split(","):
                name = dep.split("|")[0].strip().split(" ")[0].split(":")[0]
                if name:
                    todo.append(name)
        libs = {}  # library -> the binaries that need it
        for name, rel in BINARIES.items():
            out = subprocess.run(["ldd", os.path.join(RUNFILES, rel)], capture_output=True, text=True).stdout
            for lib in re.findall(r"=> (/\S+)", out):
                libs.setdefault(lib, []).append(name)
        self.assertGreater(len(libs), 5)
        for lib, names in sorted(libs.items()):
            real = os.path.realpath(lib)
            candidates = {lib, real, real.replace("/usr/lib/", "/lib/"), lib.replace("/usr/lib/", "/lib/")}
            owner = None
            for cand in sorted(candidates):
                r = subprocess.run(["dpkg", "-S", cand], capture_output=True, text=True)
                if r.returncode == 0:
                    owner = r.stdout.split(":")[0]
                    break
            self.assertIsNotNone(owner, f"{', '.join(names)}: no package owns {lib}")
            self.assertIn(owner, closure,
                          f"{', '.join(names)} need {lib} from {owner}, which runtime-packages.txt does not bring")

    def test_dockerfile_ships_every_binary_from_the_release_script(self):
        text = open(os.path.join(DEPLOY, "Dockerfile")).read()
        self.assertIn("tools/build_release.sh", text)
        self.assertIn("USER 10001", text)
        for name in BINARIES:
            self.assertRegex(text, rf"FROM runtime AS {name}\nCOPY --from=build /dist/{name} ")


if __name__ == "__main__":
    unittest.main()
