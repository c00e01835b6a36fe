#!/bin/bash
# Synthesises the AXI top's own logic (rtl/hwnas_axi.v's glue, the AXI master
# rtl/hwnas_axi_mem.v, the AXI4-Lite slave rtl/hwnas_axil.v; hwnas_top a black box) with
# Yosys `synth_xilinx -family xcup` for every point of tests/data/synth/axi_master.csv, and
# prints the measured LUT and FF beside the recorded ones and the resource model's
# (hw_axi_logic, docs/resources.md "The AXI top"), with the errors and the constants a refit
# on the new figures gives (to copy into hw/hw_resources.c). One synthesis at a time
# under nice; a few minutes a point on a 2-core machine.
#
#   bench/axi_lut.sh                 re-synthesise every point, print measured vs model
#   bench/axi_lut.sh NAME...         only these points
#   AXI_LUT_OUT=FILE bench/axi_lut.sh  also write the points with the new figures (and this
#                                    tree's commit) as a data file, to replace the recorded one
#   AXI_LUT_MODEL_ONLY=1 bench/axi_lut.sh   no synthesis: recorded vs model
#   AXI_LUT_MEM_KB=N                 Yosys's virtual memory limit (default 10 GB; a 256-bit bus
#                                    took more than 17 GB in its SHARE pass, a 128-bit one more
#                                    than 10 GB: neither was measured)
#
# Needs build/bench/bench_axi_lut (make build/bench/bench_axi_lut) and yosys (0.23 fitted).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
data="$root/tests/data/synth/axi_master.csv"
model="${AXI_LUT_MODEL:-$root/build/bench/bench_axi_lut}"
command -v "$model" > /dev/null || { echo "axi_lut.sh: build $model first (make build/bench/bench_axi_lut)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if ! git -C "$root" diff --quiet HEAD -- rtl 2>/dev/null; then commit="$commit+dirty"; fi
out="$tmp/measured.csv"

# one point: the parameters of hwnas_axi, hwnas_top read as a black box (-lib)
synth() { # rows cols df a w c inb wnb onb id wd od dw maxb maxout
	local r="$root/rtl"
	cat > "$tmp/s.ys" <<Y
read_verilog $r/hwnas_axi.v $r/hwnas_axi_mem.v $r/hwnas_axil.v $r/hwnas_spad.v
read_verilog -lib $r/hwnas_top.v
chparam -set ROWS $1 -set COLS $2 -set DF $3 -set A_BITS $4 -set W_BITS $5 -set ACC_BITS $6 -set INB $7 -set WNB $8 -set ONB $9 -set IDEPTH ${10} -set WDEPTH ${11} -set ODEPTH ${12} -set AXI_DW ${13} -set MAXB ${14} -set MAXOUT ${15} hwnas_axi
synth_xilinx -family xcup -top hwnas_axi -flatten -noiopad
tee -q -o $tmp/stat.txt stat
Y
	( ulimit -v "${AXI_LUT_MEM_KB:-10000000}"; nice yosys -q -l "$tmp/log" "$tmp/s.ys" > /dev/null 2>&1 ) || { echo "yosys failed: $(grep ERROR "$tmp/log" 2>/dev/null | tail -1)" >&2; return 1; }
	# LUT as hwnas synth counts it (sim/synth.c): LUT1..6 plus LUTRAM / SRL LUTs
	awk '/ LUT[1-6] / {l += $2} / RAM32M16 | RAM64M8 / {l += 8 * $2}
	     / RAM32M | RAM64M | RAM128X1D | RAM256X1S / {l += 4 * $2}
	     / RAM16X1D | RAM32X1D | RAM64X1D | RAM128X1S / {l += 2 * $2}
	     / RAM32X1S | RAM64X1S | SRL16E | SRLC16E | SRLC32E / {l += $2}
	     / FDRE | FDSE | FDCE | FDPE | LDCE | LDPE / {f += $2}
	     END {print l + 0, f + 0}' "$tmp/stat.txt"
}

{
	grep '^#' "$data"
	grep -v '^#' "$data" | while IFS=, read -r name set rows cols df a w c inb wnb onb id wd od dw maxb maxout lut ff rc; do
		if [ $# -gt 0 ]; then
			keep=0
			for n in "$@"; do [ "$n" = "$name" ] && keep=1; done
			[ $keep = 1 ] || continue
		fi
		if [ "${AXI_LUT_MODEL_ONLY:-0}" = 1 ]; then
			echo "$name,$set,$rows,$cols,$df,$a,$w,$c,$inb,$wnb,$onb,$id,$wd,$od,$dw,$maxb,$maxout,$lut,$ff,$rc"
			continue
		fi
		t0=$(date +%s)
		if ! r=$(synth "$rows" "$cols" "$df" "$a" "$w" "$c" "$inb" "$wnb" "$onb" "$id" "$wd" "$od" "$dw" "$maxb" "$maxout"); then
			echo "$name: yosys failed or ran out of its memory limit; kept the recorded figures" >&2
			echo "$name,$set,$rows,$cols,$df,$a,$w,$c,$inb,$wnb,$onb,$id,$wd,$od,$dw,$maxb,$maxout,$lut,$ff,$rc"
			continue
		fi
		read -r ml mf <<< "$r"
		echo "$name: $ml LUT, $mf FF (recorded $lut, $ff) in $(( $(date +%s) - t0 )) s" >&2
		echo "$name,$set,$rows,$cols,$df,$a,$w,$c,$inb,$wnb,$onb,$id,$wd,$od,$dw,$maxb,$maxout,$ml,$mf,$commit"
	done
} > "$out"
[ -n "${AXI_LUT_OUT:-}" ] && cp "$out" "$AXI_LUT_OUT"
"$model" "$out"
