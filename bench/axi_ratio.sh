#!/bin/bash
# Direct vs AXI-top latency on the main job's space (10 random points, seed 5), and resnet18.
# usage: bash bench/axi_ratio.sh [HWNAS_BINARY] [DW]   (from the repository root; docs/deploy.md)
B=${1:-build/hwnas}; DW=${2:-64}; T=$(mktemp -d); R=$(pwd)
python3 - "$T" "$DW" "$R" <<'PY'
import json,sys
t,dw,r=sys.argv[1],int(sys.argv[2]),sys.argv[3]
s=json.load(open(r+'/examples/default_space.json'))
s['hw']['base']=r+'/examples/zcu102_ws_16x16.json'
json.dump(s,open(t+'/d.json','w'))
s['axi']={'dw':dw}
json.dump(s,open(t+'/a.json','w'))
PY
$B explore --space $T/d.json --strategy random --budget 16 --seed 5 --out $T/od >/dev/null 2>&1 || echo "direct explore failed"
/usr/bin/time -f "axi explore: %e s" $B explore --space $T/a.json --strategy random --budget 16 --seed 5 --out $T/oa >/dev/null 2>$T/time || echo "axi explore failed"
tail -1 $T/time
python3 - "$T" <<'PY'
import json,sys
t=sys.argv[1]
d=[json.loads(l) for l in open(t+'/od/evaluations.jsonl')]
a=[json.loads(l) for l in open(t+'/oa/evaluations.jsonl')]
rs=[]
for x,y in zip(d,a):
    if not x['latency_ms'] or not y['latency_ms']: continue
    h=x['hw']; r=y['latency_ms']/x['latency_ms']; rs.append(r)
    print("%2dx%-2d %s %2d-bit %3d KiB  direct %8.3f ms  axi %9.3f ms  x%.2f" % (h['pe_rows'],h['pe_cols'],h['dataflow'],h['act_bits'],h['ibuf_bytes']//1024,x['latency_ms'],y['latency_ms'],r))
print("ratio axi/direct: min %.2f max %.2f geomean %.2f" % (min(rs),max(rs),__import__('math').prod(rs)**(1/len(rs))))
PY
for hw in zcu102_ws_16x16 zcu102_os_32x32; do
  d=$($B eval --net resnet18 --hw $R/examples/$hw.json --json | python3 -c 'import json,sys;print(json.load(sys.stdin)["total"]["cycles"])' 2>/dev/null)
  a=$($B eval --net resnet18 --hw $R/examples/$hw.json --axi $DW --json | python3 -c 'import json,sys;print(json.load(sys.stdin)["total"]["cycles"])' 2>/dev/null)
  echo "resnet18 $hw: direct $d cycles, axi $a cycles"
done
rm -rf $T
