#!/usr/bin/env python3
"""deploy/monitoring checked with Debian's promtool, without a cluster:

- the PrometheusRule's groups (as tools/prometheus_rules.py writes them) pass
  `promtool check rules`, and `promtool test rules` runs rules_test.yaml,
  which covers every alert;
- the example scrape configuration passes `promtool check config` (Debian
  builds Prometheus without Kubernetes discovery, so its
  kubernetes_sd_configs is swapped for a static target first) and keeps
  only annotated pods, on their annotated port, labelled by service;
- the Grafana dashboard parses and every panel has a Prometheus query.

tests/prometheus_test.cc loads the same rules and dashboard into a live
Prometheus scraping the running system.
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import yaml

RUNFILES = os.path.join(os.environ.get("TEST_SRCDIR", "."), os.environ.get("TEST_WORKSPACE", "jobtracker"))
MONITORING = os.path.join(RUNFILES, "deploy", "monitoring")
PROMTOOL = "/usr/bin/promtool"


def run(*argv, cwd=None):
    return subprocess.run(list(argv), capture_output=True, text=True, cwd=cwd)


class MonitoringTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(PROMTOOL, os.X_OK):
            raise AssertionError(f"{PROMTOOL} missing: tools/install_deps.sh installs Debian's prometheus")
        cls.tmp = tempfile.mkdtemp()
        r = run("python3", os.path.join(RUNFILES, "tools", "prometheus_rules.py"),
                os.path.join(MONITORING, "prometheus-rule.yaml"))
        assert r.returncode == 0, r.stderr
        with open(os.path.join(cls.tmp, "tracker-rules.yml"), "w") as f:
            f.write(r.stdout)
        shutil.copy(os.path.join(MONITORING, "rules_test.yaml"), cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_rules_pass_promtool_check(self):
        r = run(PROMTOOL, "check", "rules", "tracker-rules.yml", cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("SUCCESS: 6 rules found", r.stdout)

    def test_every_alert_is_exercised_by_promtool_test_rules(self):
        r = run(PROMTOOL, "test", "rules", "rules_test.yaml", cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with open(os.path.join(self.tmp, "tracker-rules.yml")) as f:
            alerts = {rule["alert"] for g in yaml.safe_load(f)["groups"] for rule in g["rules"] if "alert" in rule}
        with open(os.path.join(self.tmp, "rules_test.yaml")) as f:
            tested = {t["alertname"] for case in yaml.safe_load(f)["tests"] for t in case["alert_rule_test"]
                      if any(case_alert for case_alert in t.get("exp_alerts", []))}
        # absent() of the scheduler's target is Prometheus's own logic.
        self.assertEqual(alerts - tested, {"TrackerSchedulerAbsent"})

    def test_a_broken_rule_is_caught(self):
        with open(os.path.join(self.tmp, "tracker-rules.yml")) as f:
            rules = f.read()
        broken = os.path.join(self.tmp, "broken.yml")
        with open(broken, "w") as f:
            f.write(rules.replace("max by (environment)", "max by environment", 1))
        r = run(PROMTOOL, "check", "rules", broken)
        self.assertNotEqual(r.returncode, 0)

    def test_example_scrape_config(self):
        with open(os.path.join(MONITORING, "prometheus.yml")) as f:
            config = yaml.safe_load(f)
        job = config["scrape_configs"][0]
        self.assertIn("kubernetes_sd_configs", job)
        relabel = job["relabel_configs"]
        keep = [r for r in relabel if r.get("action") == "keep"]
        self.assertEqual(keep[0]["source_labels"], ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"])
        self.assertIn("service", {r.get("target_label") for r in relabel})
        del job["kubernetes_sd_configs"]
        job["static_configs"] = [{"targets": ["127.0.0.1:9102"]}]
        path = os.path.join(self.tmp, "prometheus.yml")
        with open(path, "w") as f:
            yaml.safe_dump(config, f)
        r = run(PROMTOOL, "check", "config", path)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_dashboard_parses_and_every_panel_queries_prometheus(self):
        with open(os.path.join(MONITORING, "grafana-dashboard.json")) as f:
            dashboard = json.load(f)
        self.assertEqual(dashboard["uid"], "transfer-tracker")
        ids = [p["id"] for p in dashboard["panels"]]
        self.assertEqual(len(ids), len(set(ids)))
        for p in dashboard["panels"]:
            self.assertEqual(p["datasource"]["type"], "prometheus", p["title"])
            self.assertTrue(p["targets"], p["title"])
            for t in p["targets"]:
                self.assertTrue(t["expr"].strip(), p["title"])


if __name__ == "__main__":
    unittest.main()
