#!/usr/bin/env bash
# Loads a 'hwnas report' page in headless Chromium (Debian's /usr/bin/chromium) and checks that
# it ran without a console error, that its script finished (it marks <html data-report="ok">),
# that it takes a screenshot, and that the plotted points match the run's files.
#
# usage: report_test.sh REPORT.html RUN_DIR SCREENSHOT.png
# Prints "N passed, N failed" last, exits non-zero on failure.
. "$(dirname "$0")/../cli/lib.sh"
html=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") run=$2 shot=$3
chromium=${CHROMIUM:-/usr/bin/chromium}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# No network, no profile, no background services: the page must stand on its own.
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
	--disable-background-networking --disable-component-update --disable-sync
	--enable-logging=stderr --v=0 --hide-scrollbars)

timeout 120 "$chromium" "${flags[@]}" --user-data-dir="$tmp/p1" --dump-dom "file://$html" \
	>"$tmp/dom.html" 2>"$tmp/dom.log"
rc=$?
[ $rc = 0 ] && ok || bad "chromium --dump-dom exited $rc: $(tail -3 "$tmp/dom.log")"
# Console messages are logged as "INFO:CONSOLE(line)" / ":CONSOLE:line]": any is an error here
# (the page logs nothing when all is well).
if grep -q ':CONSOLE' "$tmp/dom.log"; then
	bad "console messages: $(grep ':CONSOLE' "$tmp/dom.log" | head -5)"
else
	ok
fi
grep -q '<html[^>]*data-report="ok"' "$tmp/dom.html" && ok || bad "the page's script did not finish (no data-report=\"ok\")"
if grep -q '<html[^>]*data-report-error' "$tmp/dom.html"; then
	bad "script error: $(grep -o 'data-report-error="[^"]*"' "$tmp/dom.html" | head -1)"
else
	ok
fi
# The hover handlers moved every <title> into data-tip: the script really ran over the plots.
grep -q 'data-tip=' "$tmp/dom.html" && ok || bad "no tooltips were set up"

# Points plotted (in the rendered DOM) against the run's files.
python3 - "$tmp/dom.html" "$run" <<'PY' && ok || bad "plotted points do not match the run's files"
import json, os, re, sys
dom = open(sys.argv[1]).read()
run = sys.argv[2]
def count(plot, kind):
    m = re.search(r'<svg[^>]*id="%s".*?</svg>' % plot, dom, re.S)
    assert m, "no plot " + plot
    return len(re.findall(r'data-point="%s"' % kind, m.group(0)))
front = json.load(open(os.path.join(run, "front.json")))["points"]
ev = os.path.join(run, "evaluations.jsonl")
feasible = sum(1 for l in open(ev) if json.loads(l)["feasible"]) if os.path.exists(ev) else 0
for plot in ("acc-latency", "acc-energy", "latency-dsp"):
    f, e = count(plot, "front"), count(plot, "eval")
    assert f == len(front), "%s: %d front points drawn, front.json has %d" % (plot, f, len(front))
    assert e == feasible, "%s: %d evaluations drawn, %d feasible in evaluations.jsonl" % (plot, e, feasible)
rows = len(re.findall(r'<tr data-i=', dom))
assert rows == len(front), "table has %d rows, front.json %d points" % (rows, len(front))
assert count("roofline", "layer") > 0, "no layer on the roofline"
print("browser: %d front points and %d evaluations in each Pareto plot, %d table rows" % (len(front), feasible, rows))
PY

timeout 120 "$chromium" "${flags[@]}" --user-data-dir="$tmp/p2" --window-size=1300,3000 \
	--screenshot="$shot" "file://$html" >"$tmp/shot.log" 2>&1
[ -s "$shot" ] && [ "$(head -c 8 "$shot" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] && ok \
	|| bad "no PNG screenshot at $shot: $(tail -3 "$tmp/shot.log")"
[ "$(stat -c %s "$shot" 2>/dev/null || echo 0)" -gt 50000 ] && ok || bad "screenshot $shot is nearly empty"
echo "browser: screenshot $shot"
finish
