#!/usr/bin/env bash
# Long steps are not silent (issue 13, part 5): a Verilator build or a Yosys synthesis says
# when it starts and how long the last one in the cache took; 'validate' counts its points
# ("validate: 6/10"). Stand-in verilator and yosys executables keep it fast.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
printf '#!/bin/sh\necho "fake verilator" >&2\nexit 1\n' > "$tmp/bin/verilator"
printf '#!/bin/sh\nsleep 1\nprintf "   Number of cells: 4\\n     DSP48E2 7\\n     RAMB18E2 24\\n     LUT6 6000\\n     FDRE 1300\\n\\n" >> "$3"\n' > "$tmp/bin/yosys"
chmod +x "$tmp/bin/verilator" "$tmp/bin/yosys"

# Verilator: the start is said before the build, with no earlier build in this cache ...
export HWNAS_CACHE="$tmp/cache"
sim=(sim --net "$root/tests/data/nets/small_net.json" --hw "$root/tests/data/validate/hw_ws4_8b_s_small.json" --layer pw)
PATH="$tmp/bin:$PATH" expect_exit 1 "$HWNAS" "${sim[@]}"
expect_in "$err" "hwnas: building the Verilator model (rows=4 cols=4" "Verilator build announced"
expect_in "$err" "the first in this cache: typically 5 to 60 s" "no earlier build in a new cache"
# ... and with the last build's time once one finished (a failed build records none)
[ ! -e "$tmp/cache/last-build-verilator" ] && ok || bad "a failed build recorded a time"
echo 42.0 > "$tmp/cache/last-build-verilator"
PATH="$tmp/bin:$PATH" expect_exit 1 "$HWNAS" "${sim[@]}"
expect_in "$err" "the last build in this cache took 42 s" "the last build's time"

# Yosys: announced, timed, and not announced when the result is cached
synth=(synth --hw "$root/tests/data/synth/xcup_ws_2x2_int8.json")
HWNAS_YOSYS="$tmp/bin/yosys" expect_exit 0 "$HWNAS" "${synth[@]}"
expect_in "$err" "hwnas: synthesising with Yosys (2x2" "Yosys announced"
expect_in "$err" "the first in this cache" "first synthesis"
grep -Eq '^[1-9][0-9.]*$' "$tmp/cache/last-build-yosys" && ok || bad "no synthesis time recorded: $(cat "$tmp/cache/last-build-yosys" 2>&1)"
HWNAS_YOSYS="$tmp/bin/yosys" expect_exit 0 "$HWNAS" "${synth[@]}"
case "$err" in *"synthesising"*) bad "a cached synthesis was announced" ;; *) ok ;; esac
HWNAS_YOSYS="$tmp/bin/yosys" expect_exit 0 "$HWNAS" "${synth[@]}" --no-cache
expect_in "$err" "the last synthesis in this cache took 1 s" "the last synthesis's time"

# validate counts its points: 5 MAC layers of v_tiny on one config (the model built first,
# in the shared cache, so that the progress lines come from the simulations)
unset HWNAS_CACHE
val=(validate --nets "$root/tests/data/validate/v_tiny.json" --hws "$root/tests/data/validate/hw_ws4_8b_s_small.json")
expect_exit 0 "$HWNAS" "${val[@]}" --quiet
HWNAS_PROGRESS=lines HWNAS_PROGRESS_INTERVAL=0 expect_exit 0 "$HWNAS" "${val[@]}"
expect_in "$err" "validate: 0/5 (0%)" "validate progress starts at 0/5"
expect_in "$err" "validate: 3/5 (60%)" "validate progress 3/5"
expect_in "$err" "validate: 5/5 (100%)" "validate progress ends at 5/5"
case "$err" in *" s0,"*) bad "progress line without a rate printed a stray 0: $err" ;; *) ok ;; esac
finish
