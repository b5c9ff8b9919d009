#!/usr/bin/env python3
"""deploy/'s transport security and authentication, checked on every
rendered overlay without a cluster (the rendering: deploy_render.py):

- every service serves TLS with the certificate of its own Certificate
  (cert-manager), mounted read-only and group-readable, names its auth
  config, and answers the kubelet's probes on a plaintext health port that
  no NetworkPolicy opens to pods; --insecure_plaintext appears nowhere;
- each Certificate names its Service as cert-manager issues it (the
  Service and its qualified names, ECDSA P-256 rotated keys, server and
  client use, renewed before it ends), from the Issuer of the CA;
- the addresses the scheduler and jobctl dial are names in the target's
  certificate, so the TLS name check passes;
- auth.yaml parses, maps the scheduler's certificate identity (and no
  other) to the role scheduler, and its token file is mounted;
- the binaries' own --check accepts the pods' files (certificates from
  tools/gen_certs.sh) and refuses a key of another certificate.
"""
import os
import re
import subprocess
import sys
import tempfile
import unittest

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deploy_render import (DEPLOY, OVERLAYS, WORKLOADS, PodFiles, Rendered, arg_value, binary,  # noqa: E402
                           certificates, jobs, pod_spec)

TLS_FLAGS = {"tls_cert": "tls.crt", "tls_key": "tls.key", "tls_ca": "ca.crt"}


def mount_of(c, spec, path):
    """(volumeMount, volume) holding `path` in container c."""
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    for m in c.get("volumeMounts", []):
        if path.startswith(m["mountPath"] + "/"):
            return m, volumes[m["name"]]
    return None, None


def host_port(address):
    # dns:///name:port or name:port
    address = re.sub(r"^dns:///", "", address)
    host, port = address.rsplit(":", 1)
    return host, int(port)


class DeployTlsTest(unittest.TestCase):
    def services(self, overlay):
        """(workload, container, Service name) for each service pod of the overlay."""
        objs = Rendered.overlay(overlay)
        svcs = [o for o in objs if o["kind"] == "Service"]
        for obj in (o for o in objs if o["kind"] in WORKLOADS):
            labels = obj["spec"]["template"]["metadata"]["labels"]
            names = [s["metadata"]["name"] for s in svcs if s["spec"]["selector"].items() <= labels.items()]
            self.assertEqual(len(names), 1, f"{overlay}: {obj['metadata']['name']}")
            yield obj, pod_spec(obj)["containers"][0], names[0]

    def test_every_service_serves_tls_with_its_own_certificate_and_auth(self):
        for overlay in OVERLAYS:
            objs = Rendered.overlay(overlay)
            certs = certificates(objs)
            seen = set()
            for obj, c, service in self.services(overlay):
                where = f"{overlay}: {service}"
                spec = pod_spec(obj)
                secrets = set()
                for flag, key in TLS_FLAGS.items():
                    path = arg_value(c["args"], flag)
                    self.assertIsNotNone(path, f"{where}: no --{flag}")
                    m, v = mount_of(c, spec, path)
                    self.assertIsNotNone(m, f"{where}: --{flag}={path} is on no volume")
                    self.assertIn("secret", v, f"{where}: --{flag} must come from a Secret")
                    self.assertEqual(path, f"{m['mountPath']}/{key}", f"{where}: cert-manager's key name")
                    self.assertTrue(m.get("readOnly"), where)
                    secrets.add(v["secret"]["secretName"])
                self.assertEqual(len(secrets), 1, f"{where}: certificate, key and CA from one Secret")
                secret = secrets.pop()
                self.assertIn(secret, certs, f"{where}: {secret} is written by no Certificate")
                self.assertEqual(certs[secret]["spec"]["dnsNames"][0], service, f"{where}: another service's certificate")
                # Group-readable by the pod's group, no one else: fsGroup owns the files.
                v = mount_of(c, spec, arg_value(c["args"], "tls_key"))[1]
                self.assertEqual(v["secret"].get("defaultMode"), 0o440, where)
                psc = spec["securityContext"]
                self.assertEqual(psc.get("fsGroup"), psc.get("runAsGroup"), f"{where}: the key must be readable")
                auth = arg_value(c["args"], "auth_config")
                self.assertIsNotNone(auth, f"{where}: no --auth_config")
                m, v = mount_of(c, spec, auth)
                self.assertTrue(v and v.get("configMap", {}).get("name", "").startswith("tracker-auth"), where)
                self.assertIsNotNone(arg_value(c["args"], "health_listen"), where)
                self.assertNotIn("--insecure_plaintext", c["args"], where)
                seen.add(service)
            self.assertEqual(seen, {"repo-service", "wes-poller", "azure-verifier", "scheduler-service"}, overlay)

    def test_no_insecure_plaintext_in_any_manifest(self):
        found = []
        for root, _, files in os.walk(DEPLOY):
            for name in files:
                if name.endswith((".yaml", ".yml", ".json", "Dockerfile")):
                    with open(os.path.join(root, name)) as f:
                        if "insecure_plaintext" in f.read():
                            found.append(os.path.join(root, name))
        self.assertEqual(found, [])
        for overlay in OVERLAYS:
            text = yaml.safe_dump_all(Rendered.overlay(overlay))
            self.assertNotIn("insecure_plaintext", text, overlay)

    def test_certificates_are_issued_for_the_service_names(self):
        for overlay in OVERLAYS:
            objs = Rendered.overlay(overlay)
            issuers = {o["metadata"]["name"]: o for o in objs if o["kind"] == "Issuer"}
            services = {o["metadata"]["name"] for o in objs if o["kind"] == "Service"}
            certs = [o for o in objs if o["kind"] == "Certificate"]
            self.assertEqual({c["metadata"]["name"] for c in certs}, services, overlay)
            for cert in certs:
                name, ns, s = cert["metadata"]["name"], cert["metadata"]["namespace"], cert["spec"]
                where = f"{overlay}: Certificate {name}"
                self.assertEqual(s["secretName"], f"{name}-tls", where)
                self.assertEqual(s["dnsNames"], [name, f"{name}.{ns}.svc", f"{name}.{ns}.svc.cluster.local",
                                                 "localhost"], where)
                self.assertEqual(s.get("ipAddresses"), ["127.0.0.1"], where)
                self.assertTrue({"server auth", "client auth"} <= set(s["usages"]), where)
                self.assertEqual(s["privateKey"], {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"}, where)
                hours = {k: int(s[k].rstrip("h")) for k in ("duration", "renewBefore")}
                self.assertLess(hours["renewBefore"], hours["duration"] / 2, where)
                self.assertEqual(s["issuerRef"]["kind"], "Issuer", where)
                issuer = issuers.get(s["issuerRef"]["name"])
                self.assertIsNotNone(issuer, f"{where}: its Issuer is not in the overlay")
                self.assertIn("ca", issuer["spec"], f"{where}: a CA issuer, whose ca.crt every service trusts")

    def test_dialled_addresses_are_names_in_the_targets_certificates(self):
        for overlay in OVERLAYS:
            objs = Rendered.overlay(overlay)
            certs = certificates(objs)
            # Service name -> (its port, the dnsNames of the certificate its pods serve).
            served = {}
            for obj, c, service in self.services(overlay):
                secret = mount_of(c, pod_spec(obj), arg_value(c["args"], "tls_cert"))[1]["secret"]["secretName"]
                port = next(p["port"] for o in objs if o["kind"] == "Service" and o["metadata"]["name"] == service
                            for p in o["spec"]["ports"] if p["name"] == "grpc")
                served[service] = (port, certs[secret]["spec"]["dnsNames"])
            dials = []
            for obj, c, service in self.services(overlay):
                if service == "scheduler-service":
                    dials += [(f"scheduler --{f}", arg_value(c["args"], f))
                              for f in ("repo_service", "wes_poller", "azure_verifier")]
            for path, job in jobs():
                env = {e["name"]: e.get("value") for e in job["spec"]["template"]["spec"]["containers"][0].get("env", [])}
                dials += [(f"{os.path.basename(path)} {k}", env[k])
                          for k in ("JOBCTL_REPO_SERVICE", "JOBCTL_WES_POLLER", "JOBCTL_SCHEDULER")]
            self.assertEqual(len(dials), 6, overlay)
            for who, address in dials:
                self.assertIsNotNone(address, f"{overlay}: {who}")
                host, port = host_port(address)
                self.assertIn(host, served, f"{overlay}: {who}={address} is no Service")
                self.assertEqual(port, served[host][0], f"{overlay}: {who}={address}")
                self.assertIn(host, served[host][1], f"{overlay}: {who}: {host} is not in its certificate")

    def test_auth_config_knows_the_scheduler_by_its_certificate_only(self):
        for overlay in OVERLAYS:
            objs = Rendered.overlay(overlay)
            cm = [o for o in objs if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("tracker-auth")]
            self.assertEqual(len(cm), 1, overlay)
            auth = yaml.safe_load(cm[0]["data"]["auth.yaml"])
            self.assertTrue(set(auth) <= {"oidc", "token_file", "certificates"}, f"{overlay}: {set(auth)}")
            roles = {e["identity"]: e["role"] for e in auth["certificates"]}
            self.assertEqual(roles.get("scheduler-service"), "scheduler", overlay)
            self.assertEqual([i for i, r in roles.items() if r == "scheduler"], ["scheduler-service"], overlay)
            # No other service's certificate carries a name with a role.
            certs = certificates(objs)
            for cert in certs.values():
                if cert["metadata"]["name"] != "scheduler-service":
                    self.assertFalse(set(cert["spec"]["dnsNames"]) & set(roles),
                                     f"{overlay}: {cert['metadata']['name']} would act as {roles}")
            self.assertIn("scheduler-service", certs["scheduler-service-tls"]["spec"]["dnsNames"])
            # The token file is mounted from a Secret in every service.
            if "token_file" in auth:
                for obj, c, service in self.services(overlay):
                    m, v = mount_of(c, pod_spec(obj), auth["token_file"])
                    self.assertTrue(v and "secret" in v, f"{overlay}: {service} does not mount {auth['token_file']}")
                    self.assertTrue(m.get("readOnly"), service)
                    self.assertFalse(v["secret"].get("optional", False),
                                     f"{overlay}: {service}: a missing token file stops the service")

    def test_no_pod_may_reach_the_health_port(self):
        for overlay in OVERLAYS:
            for obj, c, service in self.services(overlay):
                health = int(arg_value(c["args"], "health_listen").rsplit(":", 1)[1])
                for p in (o for o in Rendered.overlay(overlay) if o["kind"] == "NetworkPolicy"):
                    for rule in p["spec"]["ingress"]:
                        self.assertNotIn(health, {port["port"] for port in rule["ports"]}, f"{overlay}: {p['metadata']['name']}")
                        self.assertNotIn("health", {port["port"] for port in rule["ports"]}, overlay)

    def test_the_jobctl_job_sends_a_token_over_tls(self):
        for path, job in jobs():
            spec = job["spec"]["template"]["spec"]
            c = spec["containers"][0]
            env = {e["name"]: e.get("value") for e in c.get("env", [])}
            for var in ("JOBCTL_CA", "JOBCTL_TOKEN_FILE"):
                m, v = mount_of(c, spec, env.get(var) or "")
                self.assertTrue(v and "secret" in v, f"{path}: {var} is not a file of a mounted Secret")
                self.assertTrue(m.get("readOnly"), f"{path}: {var}")
            ca = mount_of(c, spec, env["JOBCTL_CA"])[1]["secret"]
            # Only the CA of a service's Secret, never its key.
            self.assertEqual(ca.get("items"), [{"key": "ca.crt", "path": os.path.basename(env["JOBCTL_CA"])}], path)
            token = mount_of(c, spec, env["JOBCTL_TOKEN_FILE"])[1]["secret"]
            self.assertEqual(token.get("defaultMode"), 0o440, path)
            self.assertEqual(spec["securityContext"].get("fsGroup"), spec["securityContext"]["runAsGroup"], path)

    def test_check_refuses_a_key_of_another_certificate(self):
        # deploy_test runs every service's --check with the pod's files; this
        # shows that check can fail: the scheduler with wes-poller's key.
        objs = Rendered.overlay(OVERLAYS[0])
        obj = next(o for o in objs if o["kind"] in WORKLOADS and o["metadata"]["name"] == "scheduler-service")
        poller = next(o for o in objs if o["kind"] in WORKLOADS and o["metadata"]["name"] == "wes-poller")
        c = pod_spec(obj)["containers"][0]
        exe, _ = binary(c["image"])
        with tempfile.TemporaryDirectory() as tmp:
            files = PodFiles(objs, tmp)
            args = files.make(obj)
            other = PodFiles(objs, os.path.join(tmp, "other")).make(poller)
            env = dict(os.environ, SLACK_WEBHOOK_URL="http://127.0.0.1:9/hook")
            r = subprocess.run([exe, *args, "--check"], capture_output=True, text=True, env=env)
            self.assertEqual(r.returncode, 0, r.stderr)
            wrong_key = [a for a in other if a.startswith("--tls_key=")]
            args = [a for a in args if not a.startswith("--tls_key=")] + wrong_key
            r = subprocess.run([exe, *args, "--check"], capture_output=True, text=True, env=env)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("key", r.stderr)
            self.assertNotIn("PRIVATE KEY", r.stderr)


if __name__ == "__main__":
    unittest.main()
