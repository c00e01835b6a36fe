#!/usr/bin/env bash
# CLI tests of 'hwnas explore --strategy nested' (docs/search.md, "Budgets that count accuracy
# evaluations"): the budget counts networks, every network gets every accelerator, and the
# front is the brute-force front of the evaluations it logged.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
small_space "$tmp/space.json"

expect_exit 0 "$HWNAS" explore --space "$tmp/space.json" --strategy nested --budget 25 --seed 4 --out "$tmp/a" --quiet
expect_in "$out" "400 evaluations (25 networks)" "nested: 25 networks x 16 accelerators"
python3 - "$tmp/a" <<'PY' && ok || bad "nested front.json against its evaluations"
import json, sys
from collections import Counter
d = json.load(open(sys.argv[1] + "/front.json"))
assert d["strategy"] == "nested" and d["budget"] == 25, d["budget"]
assert d["networks"] == 25 and d["evaluations"] == 400, (d["networks"], d["evaluations"])
ev = [json.loads(l) for l in open(sys.argv[1] + "/evaluations.jsonl")]
assert len(ev) == 400
per_net = Counter(e["arch"] for e in ev)
assert len(per_net) == 25 and set(per_net.values()) == {16}, per_net
# brute force: the non-dominated feasible evaluations (accuracy max, latency min, in the box)
pts = [(e["index"], e["accuracy"], e["latency_ms"]) for e in ev if e["feasible"]]
front = {i for i, a, l in pts
         if not any((a2 >= a and l2 <= l) and (a2 > a or l2 < l) for _, a2, l2 in pts)}
got = {p["index"] for p in d["points"]}
assert got == front, (sorted(got), sorted(front))
PY
# the same seed gives the same front; on 2 threads too; a second run resumes from the store
expect_exit 0 "$HWNAS" explore --space "$tmp/space.json" --strategy nested --budget 25 --seed 4 --out "$tmp/b" -j 2 --quiet
cmp -s "$tmp/a/front.csv" "$tmp/b/front.csv" && ok || bad "nested -j 2 gives another front"
expect_exit 0 "$HWNAS" explore --space "$tmp/space.json" --strategy nested --budget 25 --seed 4 --out "$tmp/a" --quiet
expect_in "$out$err" "0 evaluated, 400 from the store" "nested resumes from the store"
expect_exit 0 "$HWNAS" explore --space "$tmp/space.json" --strategy nested --budget 25 --seed 5 --out "$tmp/c" --quiet
cmp -s "$tmp/a/front.csv" "$tmp/c/front.csv" && bad "seeds 4 and 5 give the same front" || ok
rm -rf "$tmp"
finish
