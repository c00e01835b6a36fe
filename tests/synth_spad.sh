#!/bin/bash
# Synthesizes rtl/hwnas_spad.v with Yosys for every shape of tests/data/synth_spad.txt (a
# word write enable each, as the obuf's) and prints the file again with the block RAMs Yosys
# used: `tests/synth_spad.sh | diff tests/data/synth_spad.txt -` checks the recorded counts
# that tests/test_hw.c compares hw_memory_bram_halves() with. About 10-30 s a shape.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
data="$root/tests/data/synth_spad.txt"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed -n '/^#/p' "$data"
grep -v '^#' "$data" | while read -r wb nb lines _ _; do
	law=1
	while [ $((1 << law)) -lt "$lines" ]; do law=$((law + 1)); done
	cat > "$tmp/wrap.v" <<V
module wrap(input clk, input [$nb-1:0] wen, input [$law-1:0] waddr,
    input [$nb*$wb-1:0] wdata, input ren, input [$law-1:0] raddr,
    output [$nb*$wb-1:0] rdata);
  hwnas_spad #(.WB($wb), .NB($nb), .LINES($lines), .LAW($law)) s(.clk(clk), .wen(wen),
    .waddr(waddr), .wdata(wdata), .ren(ren), .raddr(raddr), .rdata(rdata));
endmodule
V
	yosys -q -p "read_verilog $root/rtl/hwnas_spad.v $tmp/wrap.v; synth_xilinx -family xcup -top wrap; tee -q -o $tmp/stat.txt stat" > "$tmp/log" 2>&1
	r36=$(awk '/RAMB36E2/ {print $2; exit}' "$tmp/stat.txt")
	r18=$(awk '/RAMB18E2/ {print $2; exit}' "$tmp/stat.txt")
	echo "$wb $nb $lines ${r36:-0} ${r18:-0}"
done
