#!/usr/bin/env bash
# Runs a Python unittest file with Debian's python3 (which has grpcio), and
# leaves a JUnit test.xml with one case per test method for the counts.
set -euo pipefail
script="$TEST_SRCDIR/$TEST_WORKSPACE/$1"
exec /usr/bin/python3 - "$script" <<'PY'
import os, sys, unittest, importlib.util, xml.etree.ElementTree as ET
spec = importlib.util.spec_from_file_location("t", sys.argv[1])
mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
suite = unittest.defaultTestLoader.loadTestsFromModule(mod)
class R(unittest.TextTestResult):
    def __init__(s, *a, **k):
        super().__init__(*a, **k); s.cases = []
    def addSuccess(s, t): super().addSuccess(t); s.cases.append((t.id(), None))
    def addFailure(s, t, e): super().addFailure(t, e); s.cases.append((t.id(), s.failures[-1][1]))
    def addError(s, t, e): super().addError(t, e); s.cases.append((t.id(), s.errors[-1][1]))
    def addSkip(s, t, r): super().addSkip(t, r); s.cases.append((t.id(), "skip"))
res = unittest.TextTestRunner(resultclass=R, verbosity=2).run(suite)
out = os.environ.get("XML_OUTPUT_FILE")
if out:
    root = ET.Element("testsuites")
    ts = ET.SubElement(root, "testsuite", name=os.path.basename(sys.argv[1]), tests=str(len(res.cases)))
    for name, err in res.cases:
        tc = ET.SubElement(ts, "testcase", name=name)
        if err == "skip": tc.set("result", "skipped")
        elif err: ET.SubElement(tc, "failure").text = err
    ET.ElementTree(root).write(out)
sys.exit(0 if res.wasSuccessful() else 1)
PY
