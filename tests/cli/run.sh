#!/usr/bin/env bash
# Runs every tests/cli/*.sh (except this one) with $HWNAS set; each prints
# "N passed, N failed" last and exits non-zero on failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${HWNAS:?set HWNAS to the hwnas binary}"
export HWNAS=$(cd "$(dirname "$HWNAS")" && pwd)/$(basename "$HWNAS")
fail=0 passed=0 failed=0
for t in "$here"/*.sh; do
	case "$(basename "$t")" in run.sh | lib.sh) continue ;; esac
	echo "== $t"
	s=$(date +%s)
	out=$(bash "$t" 2>&1); rc=$?
	printf '%s\n' "$out"
	echo "   ($(basename "$t"): $(( $(date +%s) - s )) s)"
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
	if [ -n "$line" ]; then
		passed=$((passed + $(echo "$line" | awk '{print $1}')))
		failed=$((failed + $(echo "$line" | awk '{print $3}')))
	fi
	[ $rc = 0 ] || { fail=1; [ -n "$line" ] || failed=$((failed + 1)); }
done
echo "cli: $passed passed, $failed failed"
exit $fail
