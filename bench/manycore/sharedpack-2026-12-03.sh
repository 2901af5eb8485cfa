#!/bin/bash
# Call V3 (twelfth session): op(B) packed once for the parts of a shared product cut into 4 or
# more bands of rows ("new1": sharedpack.go), and the same with the plan's cost counting that
# packing shared ("new2"), against main before them ("old", ba806b5), at 16 threads: the four
# workloads in 5 rounds, the binaries' order rotated each round; then the DCGAN's and the MLP's
# (batch 256) op profiles. (At 2 threads no product is cut into 4 bands: nothing changes there.)
cd "$(dirname "$0")"; H=$PWD; R=$H/res; mkdir -p $R; DEVOUT=${OUT:-$H}
xz -d *.xz; chmod +x gogan-*
{ date; nproc; cat /proc/loadavg; } > $R/host.txt
work=("mlp64 --model mlp --batch 64 --iters 100" "mlp256 --model mlp --batch 256 --iters 30"
  "dcgan --model dcgan --batch 64 --iters 10" "rgb --model dcgan --image-size 64 --channels 3 --batch 64 --iters 3")
bins=(old new1 new2)
for r in 1 2 3 4 5; do
  for w in "${work[@]}"; do read -r name args <<< "$w"
    for i in 0 1 2; do b=${bins[$(( (i + r) % 3 ))]}
      ./gogan-$b bench --json --threads 16 $args > $R/$name-$b-$r.json 2>&1
    done
  done
done
for r in 1 2; do for b in "${bins[@]}"; do
  ./gogan-$b bench --ops --threads 16 --model dcgan --batch 64 --iters 10 > $R/ops-dcgan-$b-$r.txt 2>&1
  ./gogan-$b bench --ops --threads 16 --model mlp --batch 256 --iters 30 > $R/ops-mlp256-$b-$r.txt 2>&1
done; done
{ date; cat /proc/loadavg; } >> $R/host.txt
tar czf $DEVOUT/v3.tgz -C $H res
cat $R/host.txt
python3 - $R <<'PY'
import json, glob, os, statistics, sys, collections
d = collections.defaultdict(dict)
for f in glob.glob(sys.argv[1] + '/*.json'):
    name, b, r = os.path.basename(f)[:-5].rsplit('-', 2)
    try: d[(name, b)][int(r)] = json.load(open(f))['img_per_s']
    except Exception as e: print(f, e)
for w in ['mlp64', 'mlp256', 'dcgan', 'rgb']:
    o = d[(w, 'old')]
    line = f"{w:7} old {statistics.median(o.values()):8.0f}"
    for b in ['new1', 'new2']:
        n = d[(w, b)]
        ahead = sum(n[r] > o[r] for r in o if r in n)
        line += f" | {b} {statistics.median(n.values()):8.0f} ×{statistics.median(n.values())/statistics.median(o.values()):.3f} ahead {ahead}/5"
    print(line, ' rounds old:', [round(o[r]) for r in sorted(o)])
PY
for f in $R/ops-dcgan-*-1.txt $R/ops-mlp256-*-1.txt; do echo "== $(basename $f)"; head -12 $f; done
