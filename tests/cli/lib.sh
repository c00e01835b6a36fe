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
