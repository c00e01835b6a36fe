# Helpers for the CLI tests: source it, call check/expect_*, end with finish.
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# expect_exit CODE CMD...: runs CMD, keeps stdout in $out and stderr in $err.
expect_exit() {
	local want=$1; shift
	out=$("$@" 2>/tmp/hwnas_cli_err.$$); local rc=$?
	err=$(cat /tmp/hwnas_cli_err.$$); rm -f /tmp/hwnas_cli_err.$$
	if [ "$rc" = "$want" ]; then ok; else bad "'$*' exited $rc, want $want; stderr: $err"; fi
}
# expect_in TEXT NEEDLE WHAT
expect_in() {
	case "$1" in *"$2"*) ok ;; *) bad "$3: '$2' not in: $1" ;; esac
}
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; }
# small_space FILE: the NB201 x 16-config search space several suites explore (greedy
# mapper, accuracy and latency objectives).
small_space() {
	local root
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	cat > "$1" <<JSON
{
	"name": "small",
	"nn": { "space": "nb201", "dataset": "cifar10" },
	"hw": { "base": "$root/examples/zcu102_ws_16x16.json",
		"choices": { "pe_rows": [8, 16], "pe_cols": [8, 16], "dataflow": ["ws", "os"], "bits": [8, 16] } },
	"mapper": "greedy",
	"objectives": [
		{ "metric": "accuracy", "goal": "max", "ref": 80 },
		{ "metric": "latency_ms", "goal": "min", "ref": 40 }
	]
}
JSON
}
