# Calls X1 and X2 of the fifteenth session (see balance-2026-12-03x.txt). The binaries were built from main 72d34e0
# plus balance-2026-12-03x.patch (toggles by environment, not for main) and BenchmarkSharedBalance's two convdW shapes:
#   CGO_ENABLED=0 go build -ldflags='-s -w' -o gogan ./cmd/gogan; CGO_ENABLED=0 go test -c -ldflags='-s -w' -o gemm.test ./internal/gemm

# ---- X1 ----
#!/bin/bash
# Call X1 (fifteenth session): op(B)'s shared packing phase. Variants by env (expt.go):
# v0 main's (the team packs into one buffer), v1 the caller packs alone, v2 the team packs into
# a ring of 4 buffers, v3 the caller alone into the ring; cN the same with blocks claimed.
cd "$(dirname "$0")"; H=$PWD; DEVOUT=${OUT:-$H}; R=$H/x1; mkdir -p $R
{ date; nproc; lscpu | grep -E "Model name|MHz|Thread|NUMA"; cat /proc/loadavg; } > $R/host.txt
./gemm.test -test.run XXX -test.bench 'Kernel/avx512_8x32/kc=256' -test.benchtime 2000x >> $R/probe.txt 2>&1
for c in 16 8; do for v in v0 v1 v2 v3 c0 c3 v0; do
  pv=${v#?}; cl=0; [ "${v:0:1}" = c ] && cl=1
  echo "## $v cpu $c" >> $R/balance.txt
  GOGAN_CLAIMS=$cl GOGAN_PACKVARIANT=$pv ./gemm.test -test.run XXX -test.bench SharedBalance -test.benchtime 200x -test.cpu $c >> $R/balance.txt 2>&1
done; done
tar czf $DEVOUT/x1.tgz -C $H x1
# the variant whose conv products (16 threads) took least in sum, against v0
best=$(python3 - $R/balance.txt <<'PY'
import sys, re, collections
t = collections.defaultdict(list); cur = None
for l in open(sys.argv[1]):
    m = re.match(r'## (\w+) cpu (\d+)', l)
    if m: cur = (m[1], m[2]); continue
    m = re.match(r'BenchmarkSharedBalance/(conv\w+)-(\d+)\s+\d+\s+(\d+) ns', l)
    if m and cur and cur[1] == '16' and cur[0].startswith('v'): t[cur[0]].append(int(m[3]))
s = {v: sum(x) / len(x) for v, x in t.items() if x}
print(min(s, key=s.get))
PY
)
echo "best packing variant: $best" | tee $R/best.txt
cbest=c${best#v}
for v in v0 $best; do
  ./g-$v bench --ops --threads 16 --model dcgan --batch 64 --iters 20 > $R/ops-dcgan-$v.txt 2>&1
done
tar czf $DEVOUT/x1.tgz -C $H x1
OUT=$R SCALE=3 bash ab.sh ./g-v0 ./g-$best 6 16 > $R/ab-$best.txt 2>&1; mv $R/ab.jsonl $R/ab-$best.jsonl
tar czf $DEVOUT/x1.tgz -C $H x1
OUT=$R SCALE=3 bash ab.sh ./g-v0 ./g-$cbest 5 16 > $R/ab-$cbest.txt 2>&1; mv $R/ab.jsonl $R/ab-$cbest.jsonl
{ date; cat /proc/loadavg; } >> $R/host.txt
tar czf $DEVOUT/x1.tgz -C $H x1
cat $R/host.txt $R/probe.txt | grep -v "^goos\|^goarch\|^pkg\|^cpu:"; cat $R/ab-*.txt
grep -E "^## |conv" $R/balance.txt | awk '{print $1, $2, $3, $5, $7, $9, $11, $13}'

# ---- X2 ----
#!/bin/bash
# Call X2 (fifteenth session): blocks claimed, own blocks first then the others' (GOGAN_CLAIMS=2,
# "c2"), against main's fixed blocks (c0) and X1's claims in turn (c1), in products whose op(B)
# is packed once.
cd "$(dirname "$0")"; H=$PWD; DEVOUT=${OUT:-$H}; R=$H/x2; mkdir -p $R
{ date; nproc; cat /proc/loadavg; } > $R/host.txt
./gemm.test -test.run XXX -test.bench 'Kernel/avx512_8x32/kc=256' -test.benchtime 2000x >> $R/probe.txt 2>&1
for c in 16 8; do for v in 0 1 2 0 2; do
  echo "## c$v cpu $c" >> $R/balance.txt
  GOGAN_CLAIMS=$v ./gemm.test -test.run XXX -test.bench 'SharedBalance/conv' -test.benchtime 200x -test.cpu $c >> $R/balance.txt 2>&1
done; done
tar czf $DEVOUT/x2.tgz -C $H x2
OUT=$R SCALE=3 bash ab.sh ./g-c0 ./g-c2 8 16 > $R/ab-c2.txt 2>&1; mv $R/ab.jsonl $R/ab-c2.jsonl
tar czf $DEVOUT/x2.tgz -C $H x2
for v in 0 2; do ./g-c$v bench --ops --threads 16 --model dcgan --batch 64 --iters 30 > $R/ops-dcgan-c$v.txt 2>&1; done
OUT=$R SCALE=3 bash ab.sh ./g-c0 ./g-c1 4 16 > $R/ab-c1.txt 2>&1; mv $R/ab.jsonl $R/ab-c1.jsonl
{ date; cat /proc/loadavg; } >> $R/host.txt
./gemm.test -test.run XXX -test.bench 'Kernel/avx512_8x32/kc=256' -test.benchtime 2000x >> $R/probe.txt 2>&1
tar czf $DEVOUT/x2.tgz -C $H x2
cat $R/host.txt; grep GFLOP $R/probe.txt; cat $R/ab-*.txt
grep -E "^## |conv" $R/balance.txt | awk '{print $1, $2, $3, $5, $9}'
