#!/usr/bin/env bash
# valgrind memcheck of eval, map and zoo show: no invalid access, no leak (definite or
# indirect), error exit 99 otherwise. Slow: only with HWNAS_LONG=1 (make test-long).
. "$(dirname "$0")/lib.sh"
if [ "${HWNAS_LONG:-0}" != 1 ] || ! command -v valgrind >/dev/null; then
	echo "valgrind: skipped (needs HWNAS_LONG=1 and valgrind)"
	finish
	exit
fi
if nm "$HWNAS" 2>/dev/null | grep -q __asan_init; then
	echo "valgrind: skipped ($HWNAS is an ASan build; use a plain build)"
	finish
	exit
fi
vg() {
	expect_exit 0 valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
		-q "$HWNAS" "$@"
	case "$err" in *"Invalid "* | *"definitely lost"* | *"uninitialised"*) bad "valgrind $*: $err" ;; *) ok ;; esac
}
vg eval --net resnet18
vg map --net alexnet
vg zoo show bert_base --json
finish
