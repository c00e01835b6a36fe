#!/usr/bin/env bash
# CLI tests of 'hwnas report' and of the progress display; then the headless-Chromium check
# (tests/browser/report_test.sh) when /usr/bin/chromium exists.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
cat > "$tmp/space.json" <<JSON
{
	"name": "small",
	"nn": { "space": "nb201", "dataset": "cifar10" },
	"hw": { "base": "$root/examples/zcu102_ws_16x16.json",
		"choices": { "pe_rows": [8, 16], "pe_cols": [8, 16], "dataflow": ["ws", "os", "is"], "bits": [8, 16] } },
	"mapper": "default",
	"objectives": [
		{ "metric": "accuracy", "goal": "max", "ref": 80 },
		{ "metric": "latency_ms", "goal": "min", "ref": 40 },
		{ "metric": "energy_mj", "goal": "min", "ref": 20 }
	]
}
JSON
run=$tmp/run
expect_exit 0 "$HWNAS" explore --space "$tmp/space.json" --budget 300 --seed 5 --out "$run" --quiet

expect_exit 0 "$HWNAS" report --help
expect_in "$out" "example:" "report --help"
expect_exit 0 "$HWNAS" report --out "$run" --svg "$tmp/svg" --quiet
expect_in "$out" "$run/report.html" "report names the page it wrote"
[ -s "$run/report.html" ] && ok || bad "no report.html"
[ -z "$err" ] && ok || bad "--quiet report printed on stderr: $err"

# Self-contained: no scripts, styles, fonts or images from elsewhere.
if grep -Eiq '<(link|img|iframe)[ >]|src=|@import|url\(|https?://[^w]' "$run/report.html"; then
	bad "report.html refers to outside resources: $(grep -Eio '<(link|img|iframe)[^>]*|src=[^ ]*|@import[^;]*|url\([^)]*|https?://[^w][^" ]*' "$run/report.html" | head -3)"
else
	ok
fi

# Plots and points against the run's files (without a browser).
python3 - "$run" "$tmp/svg" <<'PY' && ok || bad "report content"
import json, os, re, sys, xml.etree.ElementTree as ET
run, svg = sys.argv[1], sys.argv[2]
page = open(run + "/report.html").read()
front = json.load(open(run + "/front.json"))["points"]
evals = [json.loads(l) for l in open(run + "/evaluations.jsonl")]
feasible = sum(e["feasible"] for e in evals)
for plot in ("acc-latency", "acc-energy", "latency-dsp"):
    m = re.search(r'<svg[^>]*id="%s".*?</svg>' % plot, page, re.S)
    assert m, plot
    assert m.group(0).count('data-point="front"') == len(front), plot
    assert m.group(0).count('data-point="eval"') == feasible, plot
    assert "log scale" in m.group(0) or plot == "acc-latency" or True
    assert "<title>" in m.group(0)
assert page.count('<tr data-i=') == len(front)
for w in ("latency (ms)", "energy per inference (mJ)", "DSP slices", "GOP/s", "hypervolume",
          "No RTL results", "weight stationary", "output stationary", "input stationary"):
    assert w in page, w
ids = ["acc-latency", "acc-energy", "latency-dsp", "roofline", "breakdown", "model-vs-rtl", "progress"]
for i in ids:
    t = ET.parse(os.path.join(svg, i + ".svg"))          # well-formed standalone SVG
    assert t.getroot().tag == "{http://www.w3.org/2000/svg}svg", i
n = len(ET.parse(os.path.join(svg, "acc-latency.svg")).getroot().findall(".//*[@data-point='front']"))
assert n == len(front), (n, len(front))
assert len(ET.parse(os.path.join(svg, "roofline.svg")).getroot().findall(".//*[@data-point='layer']")) > 0
PY

# The default design is the most accurate front point; --design picks another.
best=$(python3 -c "import json,sys; p=json.load(open(sys.argv[1]))['points']; print(max(range(len(p)), key=lambda i:(p[i]['accuracy'], -p[i]['latency_ms'])))" "$run/front.json")
expect_in "$(cat "$run/report.html")" "Roofline of front point $best" "default design"
expect_in "$(cat "$run/report.html")" "the run recorded" "design re-evaluated"
grep -q "differs: see the note" "$run/report.html" && bad "re-evaluated latency differs from the run" || ok
expect_exit 0 "$HWNAS" report --out "$run" --design 1 -o "$tmp/d1.html" --quiet
grep -q "Roofline of front point 1" "$tmp/d1.html" && ok || bad "--design 1"
n=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['points']))" "$run/front.json")
expect_exit 2 "$HWNAS" report --out "$run" --design "$n" -o "$tmp/x.html"
expect_in "$err" "has $n points" "--design out of range"

# RTL results: a 'hwnas sim --json'-shaped file and a CSV.
cat > "$tmp/sim.json" <<'JSON'
{ "net": "x", "layers": [
  { "name": "conv1", "simulated": true, "model_cycles": 1000, "rtl_cycles": 1010, "bit_exact": true },
  { "name": "pool", "simulated": false, "model_cycles": 50 },
  { "name": "fc", "simulated": true, "model_cycles": 20000, "rtl_cycles": 20000, "bit_exact": true } ] }
JSON
printf 'layer,model_cycles,rtl_cycles,bit_exact\nc2,5000,4900,1\nc3,,,\n' > "$tmp/val.csv"
expect_exit 0 "$HWNAS" report --out "$run" --rtl "$tmp/sim.json" --rtl "$tmp/val.csv" -o "$tmp/rtl.html" --quiet
c=$(grep -o 'data-point="rtl"' "$tmp/rtl.html" | wc -l)
[ "$c" = 3 ] && ok || bad "3 RTL points expected, got $c"
expect_in "$(cat "$tmp/rtl.html")" "3 simulated layers" "RTL error figures"
printf 'a,b\n1,2\n' > "$tmp/bad.csv"
expect_exit 1 "$HWNAS" report --out "$run" --rtl "$tmp/bad.csv" -o "$tmp/x.html"
expect_in "$err" "bad.csv: the header needs 'model_cycles' and 'rtl_cycles'" "bad RTL CSV"

# The result store instead of the folder's files.
if [ -f "$run/hwnas.db" ]; then
	expect_exit 0 "$HWNAS" report --db "$run/hwnas.db" -o "$tmp/db.html" --quiet
	a=$(grep -c 'data-point="front"' "$tmp/db.html"); b=$(grep -c 'data-point="front"' "$run/report.html")
	[ "$a" = "$b" ] && ok || bad "--db draws $a front points, the folder $b"
	# the design is rebuilt from the space the store names, not guessed: the space's
	# (greedy) mapper, the same latency as the run's
	expect_in "$(cat "$tmp/db.html")" "from the space file the store recorded" "--db design from the space"
	expect_in "$(cat "$tmp/db.html")" "the greedy mapper" "--db design with the space's mapper"
	grep -q "differs: see the note" "$tmp/db.html" && bad "--db re-evaluated latency differs" || ok
fi
# A front.json that records neither the network nor the mapper: no design, no guess.
cp -r "$run" "$tmp/old" && rm -f "$tmp/old/hwnas.db"
python3 - "$tmp/old/front.json" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
f.pop("produced_by", None)
for p in f["points"]:
    p.pop("network", None)
json.dump(f, open(sys.argv[1], "w"))
PY
expect_exit 0 "$HWNAS" report --out "$tmp/old" -o "$tmp/old.html" --quiet
expect_in "$err" "records neither its network nor its mapper" "an old run's design is not guessed"

# Several runs: one progress line each.
expect_exit 0 "$HWNAS" explore --space "$tmp/space.json" --strategy random --budget 200 --out "$tmp/run2" --quiet
expect_exit 0 "$HWNAS" report --out "$run" --out "$tmp/run2" -o "$tmp/two.html" --quiet
c=$(grep -o 'class="hv"' "$tmp/two.html" | wc -l)
[ "$c" = 2 ] && ok || bad "two runs, $c progress lines"

# Packed MACs (issue 20): the front table's 'MAC packing' column, from front.json and from the
# store, and the tooltips; an infeasible point whose accelerator breaks a packing rule (dsp2
# at 16 bits) in evaluations.jsonl is read as a result (it failed the whole report).
cat > "$tmp/packed.json" <<JSON
{
	"name": "packed",
	"nn": { "space": "nb201", "dataset": "cifar10" },
	"hw": { "base": "$root/examples/zcu102_ws_16x16.json",
		"choices": { "pe_rows": [8, 16], "pe_cols": [8, 16], "dataflow": ["ws", "os"], "bits": [8, 16],
			     "mac_packing": ["none", "dsp2"] } },
	"mapper": "greedy",
	"objectives": [
		{ "metric": "accuracy", "goal": "max", "ref": 80 },
		{ "metric": "latency_ms", "goal": "min", "ref": 40 },
		{ "metric": "dsp", "goal": "min", "ref": 2520 }
	]
}
JSON
expect_exit 0 "$HWNAS" explore --space "$tmp/packed.json" --budget 300 --seed 2 --out "$tmp/pk" --quiet
grep -q '"why":.*dsp2 needs act_bits and weight_bits of at most 8' "$tmp/pk/evaluations.jsonl" && ok ||
	bad "no infeasible dsp2 point at 16 bits in evaluations.jsonl"
expect_exit 0 "$HWNAS" report --out "$tmp/pk" --quiet
expect_exit 0 "$HWNAS" report --db "$tmp/pk/hwnas.db" -o "$tmp/pk-db.html" --quiet
python3 - "$tmp/pk/front.json" "$tmp/pk/report.html" "$tmp/pk-db.html" <<'PY' && ok || bad "report: packing column"
import html.parser, json, sys
pts = json.load(open(sys.argv[1]))["points"]
want = [p["hw"]["mac_packing"] for p in pts]
assert "dsp2" in want and "none" in want, want
class T(html.parser.HTMLParser):
    def __init__(s):
        super().__init__(); s.intable = s.incell = False; s.head = []; s.rows = []; s.cell = ""
    def handle_starttag(s, tag, a):
        if tag == "table" and ("id", "front-table") in a: s.intable = True
        if s.intable and tag == "tr" and dict(a).get("data-i") is not None: s.rows.append([])
        if s.intable and tag in ("td", "th"): s.incell, s.cell = True, ""
    def handle_endtag(s, tag):
        if tag == "table": s.intable = False
        if s.intable and tag == "th": s.head.append(s.cell); s.incell = False
        if s.intable and tag == "td": s.rows[-1].append(s.cell); s.incell = False
    def handle_data(s, d):
        if s.incell: s.cell += d
for page in sys.argv[2:]:
    t = T(); t.feed(open(page).read())
    col = t.head.index("MAC packing")
    assert col == t.head.index("dataflow") + 1, t.head
    got = [r[col] for r in t.rows]
    assert got == want, (page, got, want)
    assert all(len(r) == len(t.head) for r in t.rows)
    text = open(page).read()
    assert "mac_packing dsp2" in text, page     # the tooltips describe the packing
print("packing column: %d of %d front points dsp2, both pages" % (want.count("dsp2"), len(want)))
PY

# Errors
expect_exit 2 "$HWNAS" report
expect_in "$err" "--out DIR or --db FILE is required" "report without input"
expect_exit 2 "$HWNAS" report --out "$run" --bogus
expect_exit 2 "$HWNAS" report --out "$run" --design x
expect_exit 1 "$HWNAS" report --out "$tmp/nowhere"
expect_in "$err" "nowhere/front.json" "missing run folder named"
mkdir -p "$tmp/badrun" && echo '{"points": 3}' > "$tmp/badrun/front.json"
expect_exit 1 "$HWNAS" report --out "$tmp/badrun"
expect_in "$err" "front.json: 'points' is missing or not an array" "bad front.json"
cp "$run/front.json" "$tmp/badrun/front.json"; printf '{"seq":0}\nnot json\n' > "$tmp/badrun/evaluations.jsonl"
expect_exit 1 "$HWNAS" report --out "$tmp/badrun"
expect_in "$err" "evaluations.jsonl:2" "bad evaluations line named"

# Progress: plain lines when stderr is not a terminal, nothing with --quiet, a bar on a
# terminal (script(1) gives one), coloured unless NO_COLOR is set.
HWNAS_PROGRESS_INTERVAL=0 expect_exit 0 "$HWNAS" report --out "$run" -o "$tmp/p.html"
expect_in "$err" "mapping layers: " "progress lines"
case "$err" in *$'\r'*|*$'\033'*) bad "control characters in non-terminal progress" ;; *) ok ;; esac
if command -v script >/dev/null; then
	HWNAS_PROGRESS_INTERVAL=0 script -qec "'$HWNAS' report --out '$run' -o '$tmp/p.html'" /dev/null > "$tmp/tty.txt" 2>&1
	grep -q $'\r' "$tmp/tty.txt" && grep -q $'\033\[32m' "$tmp/tty.txt" && ok || bad "no coloured bar on a terminal"
	NO_COLOR=1 HWNAS_PROGRESS_INTERVAL=0 script -qec "'$HWNAS' report --out '$run' -o '$tmp/p.html'" /dev/null > "$tmp/tty.txt" 2>&1
	grep -q $'\033\[3' "$tmp/tty.txt" && bad "colour with NO_COLOR set" || ok
	grep -q $'\r' "$tmp/tty.txt" && ok || bad "no bar on a terminal with NO_COLOR"
	HWNAS_PROGRESS_INTERVAL=0 script -qec "'$HWNAS' report --out '$run' -o '$tmp/p.html' --quiet" /dev/null > "$tmp/tty.txt" 2>&1
	grep -q $'\r\033' "$tmp/tty.txt" && bad "a bar with --quiet" || ok
else
	echo "skip: no script(1), the terminal progress bar is not tested"
fi

# In a real browser.
if [ -x /usr/bin/chromium ]; then
	shot=$(dirname "$HWNAS")/report-screenshot.png
	bout=$(bash "$root/tests/browser/report_test.sh" "$run/report.html" "$run" "$shot" 2>&1)
	printf '%s\n' "$bout" | grep -v '^[0-9]* passed'
	line=$(printf '%s\n' "$bout" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
	pass=$((pass + ${line%% *})); f=$(echo "$line" | awk '{print $3}'); fail=$((fail + ${f:-1}))
else
	echo "skip: /usr/bin/chromium not found (apt-get install chromium): the browser test did not run"
fi
rm -rf "$tmp"
finish
