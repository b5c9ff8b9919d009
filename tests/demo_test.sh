#!/usr/bin/env bash
# Runs tools/demo.sh, the main job, on the built binaries with a small demo
# and checks what it ends with: every demo job in completed/ or failed/,
# the final report in the seed's format, the Slack messages shown, and
# nothing left running.
set -uo pipefail
root="$TEST_SRCDIR/$TEST_WORKSPACE"
out="$TEST_TMPDIR/demo.out"
jobs=6

TRACKER_BIN_DIR="$root" TRACKER_FIXTURES="${TRACKER_FIXTURES:-}" \
  timeout 600 "$root/tools/demo.sh" --jobs "$jobs" --interval 0.5 --failure_rate 0.2 >"$out" 2>&1
rc=$?
fail() { echo "FAIL: $*"; echo "---- demo output"; cat "$out"; exit 1; }
[ $rc -eq 0 ] || fail "demo.sh exited $rc"

grep -q "^== final report" "$out" || fail "no final report"
final="$(sed -n '/^== final report/,$p' "$out" | grep -E '^  [A-Z0-9]+-[A-Z0-9]+ (backlog|queued|failed|completed) [0-9]+$')"
[ -n "$final" ] || fail "the final report has no lines in the seed's format"
open="$(echo "$final" | awk '$2 == "backlog" || $2 == "queued" { n += $3 } END { print n + 0 }')"
[ "$open" -eq 0 ] || fail "$open jobs still in backlog/ or queued/"
grep -q "done: all $jobs demo jobs reached completed/ or failed/" "$out" || fail "no closing line"
grep -q "^== cycle 1: jobctl cycle" "$out" || fail "no cycle was shown"
# A failed job whose analyses were then PUBLISHED, completed by the scheduler
# itself with a commit saying why.
grep -q "failed, but its data arrived" "$out" || fail "no failed job was published"
grep -q "failed, but .* analyses PUBLISHED" "$out" || fail "the cycle did not complete the published failed job"
grep -q "\[scheduler\] update job status: 1 failed job completed, analyses all PUBLISHED in SONG" "$out" \
  || fail "no commit for the published failed job"
[ "$(grep -c '^  report:' "$out")" -ge 1 ] || fail "no report after a cycle"
sed -n '/^== Slack messages/,/^== final report/p' "$out" | grep -q "Transfer job status" \
  || fail "the Slack messages were not shown"
# Everything it started is stopped.
sleep 1
if pgrep -f "$root/(services|tools/sim)/" >/dev/null; then fail "processes left running"; fi
echo "PASS: $(echo "$final" | awk '{ n[$2] += $3 } END { printf "%d completed, %d failed", n["completed"], n["failed"] }')"
