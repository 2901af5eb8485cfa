#!/bin/bash
# Call U4 (eleventh session; not run: no machine could be had): main ("old") against main with
# minworkk-2026-12-03.patch applied ("new"): shared shallow products (k < 16) cut by the
# size of C ("new", minWorkK): the one-unit Dense layers' input gradients (k = 1) alone at 16
# threads, and the DCGAN's op profile at 16 threads, alternated in 3 rounds. Results: $OUT/u4.tgz.
cd "$(dirname "$0")"; H=$PWD; R=$H/res; mkdir -p $R
xz -d *.xz; chmod +x gogan-old gogan-new *.test
{ date; nproc; cat /proc/loadavg; } > $R/host.txt
for r in 1 2 3; do for b in old new; do
  ./gemm-$b.test -test.run xxx -test.bench 'SgemmNarrow/dX' -test.cpu 16 -test.benchtime 2000x | grep Benchmark | sed "s/^/$b $r /" >> $R/narrow.txt
  ./gogan-$b bench --ops --threads 16 --model dcgan --batch 64 --iters 10 > $R/ops-dcgan-$b-$r.txt 2>&1
done; done
{ date; cat /proc/loadavg; } >> $R/host.txt
tar czf ${OUT:-$H}/u4.tgz -C $R .
cat $R/host.txt; awk '{print $1, $3, $5}' $R/narrow.txt | sort -k2,2 -k1,1 | awk '{k=$1" "$2; a[k]=a[k]" "$3} END {for (k in a) print k, a[k]}' | sort -k2
for f in $R/ops-dcgan-*.txt; do echo "$(basename $f .txt): $(head -1 $f | grep -o '[0-9]* img/s') $(grep -E 'MatMul in backward +\((128|64), 6272\)' $f | awk '{print $1}' | tr '\n' ' ')"; done
