#!/bin/bash
# Call Q2: the kernel's k slab (kcMax 256 against 128 and 192) and micro-kernel shapes on the Xeon;
# shared kernels taking pieces from a counter (gogan-dyn) against main, and kcMax 128 in whole steps.
cd "$(dirname "$0")"; H=$PWD; DEVOUT=${OUT:-$H}
tar xJf bins.tar.xz
R=$H/q2; mkdir -p $R
{ date; cat /proc/loadavg; } > $R/host.txt
for r in 1 2 3; do
  for v in 256 128 192; do
    echo "## round $r kc=$v" >> $R/gemm.txt
    ./g$v.test -test.run XXX -test.bench 'SgemmIndependent' -test.cpu 1,2,16 -test.benchtime 0.4s 2>&1 | grep GFLOP >> $R/gemm.txt
    ./g$v.test -test.run XXX -test.bench 'SgemmShared' -test.cpu 16 -test.benchtime 0.3s 2>&1 | grep GFLOP >> $R/gemm.txt
  done
  ./kshapes.test -test.run XXX -test.bench KernelShapes -test.cpu 1 -test.benchtime 0.2s 2>&1 | grep GFLOP >> $R/kernel.txt
done
OUT=$R timeout 100 bash ab.sh ./gogan-main ./gogan-dyn 3 16 > $R/abdyn16.txt 2>&1; mv $R/ab.jsonl $R/abdyn16.jsonl
OUT=$R timeout 110 bash ab.sh ./gogan-main ./gogan-dyn 2 2 > $R/abdyn2.txt 2>&1; mv $R/ab.jsonl $R/abdyn2.jsonl
OUT=$R timeout 80 bash ab.sh ./gogan-main ./gogan-kc128 2 16 > $R/abkc16.txt 2>&1; mv $R/ab.jsonl $R/abkc16.jsonl
{ date; cat /proc/loadavg; } >> $R/host.txt
cat $R/host.txt $R/abdyn16.txt $R/abdyn2.txt $R/abkc16.txt
python3 - $R/gemm.txt <<'PY'
import sys, re, collections
d = collections.defaultdict(list); kc = None
for l in open(sys.argv[1]):
    m = re.match(r'## round (\d+) kc=(\d+)', l)
    if m: kc = m.group(2); continue
    f = l.split(); d[(f[0], kc)].append(float(f[-2]))
for k in sorted(d): print(k[0], 'kc=' + k[1], ' '.join(f'{x:.0f}' for x in d[k]))
PY
sort $R/kernel.txt | awk '{print $1, $(NF-1)}'
tar czf $DEVOUT/res.tgz -C $H q2
