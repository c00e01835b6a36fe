#!/usr/bin/env bash
# -j N without a batch barrier (issue 19): while one evaluation is slow, the other thread goes
# on past the batch boundary (4 N points) instead of waiting for it; the front is the -j 1 one
# byte for byte.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
# The accuracy command: its first call sleeps 3 s, the others log their start and answer.
cat > "$tmp/acc.sh" <<SH
#!/bin/sh
cat >/dev/null
if mkdir "$tmp/slow" 2>/dev/null; then sleep 3; echo end >> "$tmp/log"; else echo start >> "$tmp/log"; fi
echo 70
SH
chmod +x "$tmp/acc.sh"
cat > "$tmp/space.json" <<JSON
{ "name": "par", "nn": { "space": "mbv2", "resolution": [96, 128, 160], "stages": [1, 2],
  "kernel": [3, 5, 7], "expansion": [3, 6], "accuracy_command": "$tmp/acc.sh" },
  "hw": { "base": "$root/examples/zcu102_ws_16x16.json", "choices": { "pe_rows": [8, 16] } },
  "mapper": "greedy",
  "objectives": [ { "metric": "accuracy", "goal": "max" }, { "metric": "latency_ms", "ref": 50 } ] }
JSON
args=(explore --space "$tmp/space.json" --strategy random --budget 40 --seed 3 --no-db --quiet)
expect_exit 0 "$HWNAS" "${args[@]}" -j 2 --out "$tmp/j2"
before=$(sed -n '/^end$/q;p' "$tmp/log" | grep -c start)
total=$(grep -c start "$tmp/log")
echo "parallel: $before of $total other networks started while the slow one ran (a batch is 8)"
[ "$before" -gt 8 ] && ok || bad "only $before evaluations started during the slow one: a batch barrier"
rm -rf "$tmp/slow" "$tmp/log"
expect_exit 0 "$HWNAS" "${args[@]}" -j 1 --out "$tmp/j1"
cmp -s "$tmp/j1/front.json" "$tmp/j2/front.json" && ok || bad "-j 2 front.json differs from -j 1"
rm -rf "$tmp"
finish
