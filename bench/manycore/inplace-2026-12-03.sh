#!/bin/bash
# Calls V5-V9 (thirteenth session), 16-core machine: op(A) read in place by the kernel
# (kernelRowA) instead of packed, in products whose A is not transposed but which main packs
# (m > 64 and k > 256), under five rules (see inplace-2026-12-03.txt, which has the results).
# None was kept. This is V7's script: "new" read op(A) in place in shared products whose cut
# has bands of columns, against "old" (main d742683), pairs alternating their order, 6 rounds
# at 16 threads and 4 at 2, after the gemm tests of that build on 16 threads. V5, V6, V8 and
# V9 differed in their binaries and rounds (V6 rotated three; V8 and V9 ran 16 threads only).
# In the folder: gogan-old.xz, gogan-new.xz, gemm.test.xz (go test -c of internal/gemm).
cd "$(dirname "$0")"; H=$PWD; R=$H/res7; mkdir -p $R; DEVOUT=${OUT:-$H}
for f in *.xz; do [ -f "${f%.xz}" ] || xz -dk "$f"; done; chmod +x gogan-* gemm.test
{ date; nproc; cat /proc/loadavg; } > $R/host.txt
./gemm.test -test.run 'CutReads|KernelsMatchLoops|ThreadsBitIdentical|SharedPacking' -test.cpu 16 > $R/tests.txt 2>&1; echo "rc=$?" >> $R/tests.txt
work=("mlp64 --model mlp --batch 64 --iters 100" "mlp256 --model mlp --batch 256 --iters 30"
  "dcgan --model dcgan --batch 64 --iters 10" "rgb --model dcgan --image-size 64 --channels 3 --batch 64 --iters 3")
for t in 16 2; do rounds=6; [ $t = 2 ] && rounds=4
for r in $(seq $rounds); do
  pair=(old new); [ $((r % 2)) -eq 0 ] && pair=(new old)
  for w in "${work[@]}"; do read -r name args <<< "$w"
    for b in "${pair[@]}"; do
      ./gogan-$b bench --json --threads $t $args > $R/$name-$t-$b-$r.json 2>&1
    done
  done
done; done
{ date; cat /proc/loadavg; } >> $R/host.txt
tar czf $DEVOUT/v7.tgz -C $H res7
cat $R/host.txt; tail -2 $R/tests.txt
python3 - $R <<'PY'
import json, glob, os, statistics, sys, collections
d = collections.defaultdict(dict)
for f in glob.glob(sys.argv[1] + '/*.json'):
    name, t, b, r = os.path.basename(f)[:-5].rsplit('-', 3)
    try: d[(name, t, b)][int(r)] = json.load(open(f))['img_per_s']
    except Exception as e: print(f, e)
med = lambda x: statistics.median(x.values())
for w in ['mlp64', 'mlp256', 'dcgan', 'rgb']:
  for t in ['16', '2']:
    o, n = d[(w, t, 'old')], d[(w, t, 'new')]
    ahead = sum(n[r] > o[r] for r in o if r in n)
    print(f"{w:7} {t:2} old {med(o):8.0f} new {med(n):8.0f} x{med(n)/med(o):.3f} ahead {ahead}/{len(o)}  old {[round(o[r]) for r in sorted(o)]} new {[round(n[r]) for r in sorted(n)]}")
  g = [d[(w,'16',b)][r] / d[(w,'2',b)][r] for b in ['old','new'] for r in d[(w,'2',b)]]
  print(f"{w:7} gain 2->16 per round, old: {[round(d[(w,'16','old')][r]/d[(w,'2','old')][r],2) for r in sorted(d[(w,'2','old')])]}, new: {[round(d[(w,'16','new')][r]/d[(w,'2','new')][r],2) for r in sorted(d[(w,'2','new')])]}; medians old {med(d[(w,'16','old')])/med(d[(w,'2','old')]):.2f} new {med(d[(w,'16','new')])/med(d[(w,'2','new')]):.2f}")
PY
