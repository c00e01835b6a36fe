#!/bin/sh
# formal/run.sh: protocol proofs of the AXI top's two interfaces (docs/deploy.md "Formal").
#
#   formal/run.sh [quick|long]
#
# hwnas_axil (AXI4-Lite slave) and hwnas_axi_ctl (the run control of hwnas_axi: a start while
# busy ignored, done after an AXI error only once nothing is outstanding): yosys-smtbmc + z3,
# bounded model check and k-induction (the properties are inductive: a full proof for every
# depth). hwnas_axi_mem (AXI4 master):
# bounded model check with Yosys's SAT solver (`sat -seq N`; z3 through yosys-smtbmc does not
# finish a single step of this module), from reset, over every input sequence of N cycles.
# Then each mutant (a copy of the RTL with one rule broken, below) must FAIL, so no property
# is vacuous. The master's checks run FORMAL_JOBS (default 2) at a time. Exit 0 when every proof
# passes and every mutant is caught.
set -u
mode=${1:-quick}
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hwnas-formal-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0

# the small config (make test) and, for long, wider ones
if [ "$mode" = long ]; then
	memcfgs="64:4:2:16:2:4:12 128:8:2:32:2:4:8"
	depth_l=30
else
	memcfgs="64:4:2:16:2:4:8"
	depth_l=16
fi

axil_check() {	# $1: the RTL file, $2: the top (hwnas_axil); prints PASS or FAIL
	cat > "$tmp/axil.ys" <<EOS
read_verilog -sv -formal -DFORMAL $1
prep -top ${2:-hwnas_axil}
async2sync
dffunmap
write_smt2 -wires $tmp/axil.smt2
EOS
	yosys -q "$tmp/axil.ys" > "$tmp/axil.log" 2>&1 || { echo ERROR; return; }
	if yosys-smtbmc -s z3 -t "$depth_l" "$tmp/axil.smt2" > "$tmp/bmc.log" 2>&1 &&
	   yosys-smtbmc -s z3 -i -t 8 "$tmp/axil.smt2" > "$tmp/ind.log" 2>&1; then
		echo PASS
	elif grep -q "Status: FAILED" "$tmp/bmc.log" "$tmp/ind.log"; then
		echo FAIL
	else
		echo ERROR
	fi
}

mem_check() {	# $1: RTL file, $2: config dw:maxb:maxout:acc:lanes:sw:depth
	IFS=: read dw maxb mo acc ln sw depth <<EOS
$2
EOS
	d=$(mktemp -d "$tmp/mem-XXXXXX")
	cat > "$d/mem.ys" <<EOS
read_verilog -sv -formal -DFORMAL $1 $here/rtl/hwnas_spad.v
chparam -set DW $dw -set MAXB $maxb -set MAXOUT $mo -set ACC_BITS $acc -set ILANES $ln -set WLANES $ln -set OLANES $ln -set SW $sw hwnas_axi_mem
prep -top hwnas_axi_mem
flatten
memory_map
opt -fast
async2sync
tee -q -o $d/sat.log sat -seq $depth -prove-asserts -set-assumes -set-init-zero -set-at 1 rst 1 -timeout 500
EOS
	yosys -q "$d/mem.ys" > "$d/mem.log" 2>&1
	if grep -q "SUCCESS" "$d/sat.log" 2>/dev/null; then
		echo PASS
	elif grep -q "FAIL" "$d/sat.log" 2>/dev/null; then
		echo FAIL
	else
		echo ERROR
	fi
}

# mem_expect WHAT WANTED FILE CONFIG: mem_check in the background, two at a time (the
# machine's cores); mem_results prints and counts them in the order they were asked for
nmem=0
mem_expect() {
	nmem=$((nmem + 1))
	printf '%s\n%s\n' "$1" "$2" > "$tmp/ask.$nmem"
	( mem_check "$3" "$4" > "$tmp/got.$nmem" ) &
	[ $((nmem % ${FORMAL_JOBS:-2})) = 0 ] && wait
	return 0
}
mem_results() {
	wait
	i=1
	while [ $i -le $nmem ]; do
		expect "$(sed -n 1p "$tmp/ask.$i")" "$(sed -n 2p "$tmp/ask.$i")" "$(cat "$tmp/got.$i")"
		i=$((i + 1))
	done
}

expect() {	# $1 what, $2 wanted, $3 got
	if [ "$2" = "$3" ]; then
		echo "ok   $1: $3"
	else
		echo "FAIL $1: expected $2, got $3"
		fails=$((fails + 1))
	fi
}

# mutant NAME FILE SED: a copy of FILE with SED applied (the edit must change the file)
mutant() {
	cp "$here/rtl/$2" "$tmp/$1.v"
	sed -i "$3" "$tmp/$1.v"
	if cmp -s "$here/rtl/$2" "$tmp/$1.v"; then
		echo "FAIL mutant $1: the edit did not apply" >&2
		fails=$((fails + 1))
	fi
	echo "$tmp/$1.v"
}

t0=$(date +%s)
expect "hwnas_axil: BMC $depth_l and induction" PASS "$(axil_check "$here/rtl/hwnas_axil.v")"
expect "mutant B dropped before BREADY" FAIL \
	"$(axil_check "$(mutant bdrop hwnas_axil.v 's/if (s_bvalid \&\& s_bready)/if (s_bvalid)/')")"
expect "mutant R dropped before RREADY" FAIL \
	"$(axil_check "$(mutant rdrop hwnas_axil.v 's/end else if (s_rvalid \&\& s_rready) begin/end else if (s_rvalid) begin/')")"
expect "mutant B without write data" FAIL \
	"$(axil_check "$(mutant nodata hwnas_axil.v 's/wire do_write = aw_have \&\& w_have \&\& !s_bvalid;/wire do_write = aw_have \&\& !s_bvalid;/')")"
expect "mutant B pending after reset" FAIL \
	"$(axil_check "$(mutant breset hwnas_axil.v '0,/s_bvalid <= 1.b0;/s//s_bvalid <= 1'"'"'b1;/')")"
expect "hwnas_axi_ctl: BMC $depth_l and induction" PASS \
	"$(axil_check "$here/rtl/hwnas_axi.v" hwnas_axi_ctl)"
expect "mutant start while busy restarts the run" FAIL \
	"$(axil_check "$(mutant busystart hwnas_axi.v 's/assign go = start \&\& !running;/assign go = start;/')" hwnas_axi_ctl)"
expect "mutant done after an error with AXI still busy" FAIL \
	"$(axil_check "$(mutant errquiet hwnas_axi.v 's/if (axi_quiet) begin/if (1'"'"'b1) begin/')" hwnas_axi_ctl)"

for c in $memcfgs; do
	mem_expect "hwnas_axi_mem $c: BMC" PASS "$here/rtl/hwnas_axi_mem.v" "$c"
done
c1=64:4:2:16:2:4:8	# the mutants: the small config, depth 8
mem_expect "mutant burst across 4 KiB" FAIL \
	"$(mutant cross4k hwnas_axi_mem.v 's/burst_beats = (left < to4k)/burst_beats = 1'"'"'b1/')" "$c1"
mem_expect "mutant AR payload changed while pending" FAIL \
	"$(mutant arhold hwnas_axi_mem.v 's/if ((!m_arvalid || ar_fire) \&\& ar_room/if (ar_room/')" "$c1"
mem_expect "mutant W payload changed while pending" FAIL \
	"$(mutant whold hwnas_axi_mem.v 's/if (!w_done \&\& (!m_wvalid || w_fire) \&\& w_have) begin/if (!w_done \&\& w_have) begin/')" "$c1"
mem_expect "mutant vector output queue overrun" FAIL \
	"$(mutant vqroom hwnas_axi_mem.v 's/!(u_rend \&\& u_gend \&\& !vq_room)/1'"'"'b1/')" "$c1"
mem_expect "mutant packer reads ahead the wrong staging word" FAIL \
	"$(mutant pkahead hwnas_axi_mem.v 's/(e_rl + 8.d1 == lanes\[7:0\]) ? e_qb + cols : e_qb)/(e_rl + 8'"'"'d1 == lanes[7:0]) ? e_qb + cols : e_qb + 32'"'"'d1)/')" "$c1"
mem_expect "mutant quiet with a read burst outstanding" FAIL \
	"$(mutant quietrd hwnas_axi_mem.v 's/assign axi_quiet = rd_out == {OW{1.b0}} \&\& !m_arvalid \&\&/assign axi_quiet =/')" "$c1"
mem_expect "mutant quiet with a write burst unanswered" FAIL \
	"$(mutant quietwr hwnas_axi_mem.v 's/ wr_out == {OW{1.b0}} \&\&$//')" "$c1"
mem_expect "mutant new AR after an AXI error" FAIL \
	"$(mutant errar hwnas_axi_mem.v 's/wire ar_room = rd_out < MAXOUT \&\& !axi_error;/wire ar_room = rd_out < MAXOUT;/')" "$c1"
if [ "$mode" = long ]; then
	mem_expect "mutant bursts beyond MAXB" FAIL \
		"$(mutant maxb hwnas_axi_mem.v 's/? ((left < MAXB) ? left\[8:0\] : MAXB\[8:0\])/? left[8:0]/')" "$c1"
	mem_expect "mutant WLAST missing" FAIL \
		"$(mutant wlast hwnas_axi_mem.v 's/m_wlast <= w_bleft == 9.d1;/m_wlast <= 1'"'"'b0;/')" "$c1"
	mem_expect "mutant reads beyond MAXOUT" FAIL \
		"$(mutant maxout hwnas_axi_mem.v 's/&& ar_room && !(ar_fire/\&\& !(ar_fire/')" "$c1"
	mem_expect "mutant AWVALID after reset" FAIL \
		"$(mutant awreset hwnas_axi_mem.v '0,/m_awvalid <= 1.b0;/s//m_awvalid <= 1'"'"'b1;/')" "$c1"
fi
mem_results
echo "formal ($mode): $fails failed, $(( $(date +%s) - t0 )) s"
[ "$fails" -eq 0 ]
