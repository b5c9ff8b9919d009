#!/usr/bin/env python3
"""Writes the rule groups of a PrometheusRule (deploy/monitoring/) as a plain
Prometheus rule file, for Prometheus without the operator and for promtool.

    tools/prometheus_rules.py deploy/monitoring/prometheus-rule.yaml > tracker-rules.yml
"""
import sys

import yaml


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        rule = yaml.safe_load(f)
    if not isinstance(rule, dict) or rule.get("kind") != "PrometheusRule":
        print(f"{sys.argv[1]}: not a PrometheusRule", file=sys.stderr)
        return 1
    yaml.safe_dump({"groups": rule["spec"]["groups"]}, sys.stdout, sort_keys=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
