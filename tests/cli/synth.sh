#!/usr/bin/env bash
# CLI tests of 'hwnas synth' with stand-in yosys executables (the real synthesis runs in
# tests/test_synth.c): table and JSON, cache, errors and exit codes.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/hwnas-synth-cli-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export HWNAS_CACHE="$tmp/cache"
hw="$root/tests/data/synth/xcup_ws_2x2_int8.json"

# a yosys that writes a cell table into its log (-q -l LOG SCRIPT)
printf '#!/bin/sh\nprintf "   Number of cells: 4\\n     DSP48E2 7\\n     RAMB18E2 24\\n     LUT6 6000\\n     FDRE 1300\\n\\n" >> "$3"\n' > "$tmp/yosys-ok"
printf '#!/bin/sh\necho "ERROR: Parser error in line 3"\nexit 1\n' > "$tmp/yosys-bad"
chmod +x "$tmp/yosys-ok" "$tmp/yosys-bad"

expect_exit 0 "$HWNAS" synth --help
expect_in "$out" "example:" "synth --help"
expect_exit 2 "$HWNAS" synth --bogus
expect_in "$err" "unknown or incomplete option '--bogus'" "synth names an unknown option"
expect_exit 2 "$HWNAS" synth --hw
expect_in "$err" "unknown or incomplete option '--hw'" "synth names --hw without its value"
expect_exit 2 "$HWNAS" synth --timeout -3
expect_in "$err" "--timeout must be a positive number" "synth --timeout -3"
expect_exit 2 "$HWNAS" synth extra
expect_exit 1 "$HWNAS" synth --hw "$tmp/missing.json"
expect_in "$err" "missing.json" "synth with a missing config"

HWNAS_YOSYS="$tmp/yosys-ok" expect_exit 0 "$HWNAS" synth --hw "$hw"
expect_in "$out" "DSP" "synth table"
expect_in "$out" "BRAM36           12" "synth BRAM36 from 24 RAMB18"
HWNAS_YOSYS="$tmp/yosys-ok" expect_exit 0 "$HWNAS" synth --hw "$hw" --json
expect_in "$out" '"cached":	true' "synth second run is cached"
expect_in "$out" '"model_error_pct"' "synth JSON has the errors"
expect_in "$out" '"dsp":	7' "synth JSON DSP"

HWNAS_YOSYS="$tmp/yosys-bad" expect_exit 1 "$HWNAS" synth --hw "$hw" --no-cache
expect_in "$err" "ERROR: Parser error in line 3" "synth failure names the error"
expect_in "$err" "log: $tmp/cache/synth-" "synth failure names the log"
finish
