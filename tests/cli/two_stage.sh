#!/usr/bin/env bash
# CLI tests of 'hwnas explore --strategy two-stage' (docs/search.md, "Two-stage against joint
# search"): the budget is shared with the joint strategies, stage 1 holds the accelerator
# fixed, and a seed fixes the front.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
small_space "$tmp/space.json"

expect_exit 0 "$HWNAS" explore --space "$tmp/space.json" --strategy two-stage --budget 300 --seed 2 --out "$tmp/a" --quiet
expect_in "$out" "300 evaluations" "two-stage: 300 evaluations"
python3 - "$tmp/a" <<'PY' && ok || bad "two-stage stages in evaluations.jsonl"
import json, sys
d = json.load(open(sys.argv[1] + "/front.json"))
assert d["strategy"] == "two-stage" and d["evaluations"] == 300 and 0 < d["hypervolume"] <= 1
ev = [json.loads(l) for l in open(sys.argv[1] + "/evaluations.jsonl")]
assert len(ev) == 300
s1 = ev[:150]
assert len({json.dumps(e["hw"], sort_keys=True) for e in s1}) == 1, "stage 1 holds one accelerator"
assert len({e["arch"] for e in s1}) == 150, "stage 1: distinct networks"
from collections import Counter
n2 = Counter(e["arch"] for e in ev[150:])
# every accelerator of the small space (16, one of them already seen in stage 1)
picked = {a for a, n in n2.items() if n == 15}
assert 1 <= len(picked) <= 150 // 16, n2
assert picked <= {e["arch"] for e in s1}, "stage 2 networks come from stage 1"
assert 15 * len(picked) > 150 - 16, n2
# what is left (repeats do not count) went to random points
assert all(n == 1 for a, n in n2.items() if a not in picked), n2
PY
expect_exit 0 "$HWNAS" explore --space "$tmp/space.json" --strategy two-stage --budget 300 --seed 2 --out "$tmp/b" --quiet
cmp -s "$tmp/a/front.csv" "$tmp/b/front.csv" && ok || bad "two-stage: the same seed gives another front"
rm -rf "$tmp"
finish
