#!/bin/bash
# Call U1 (eleventh session): main 9361755 ("old") against the products with one column as
# matrix-vector products and the step's noise drawn in parallel ("new"): the one-column
# products alone (BenchmarkSgemmNarrow at 1 and 16 threads), op profiles at 16 threads, then
# ab.sh at 16 and 2 threads. Results go to $OUT/u1.tgz.
cd "$(dirname "$0")"; H=$PWD; R=$H/res; mkdir -p $R
xz -d *.xz; chmod +x gogan-old gogan-new *.test
{ date; nproc; lscpu | grep -E "Model name|MHz"; cat /proc/loadavg; } > $R/host.txt
for r in 1 2 3; do for b in old new; do
  ./gemm-$b.test -test.run xxx -test.bench SgemmNarrow -test.cpu 1,16 -test.benchtime 2000x | grep Benchmark | sed "s/^/$b $r /" >> $R/narrow.txt
done; done
for b in old new; do
  ./gogan-$b bench --ops --threads 16 --model mlp --batch 64 --iters 100 > $R/ops-mlp64-$b.txt 2>&1
  ./gogan-$b bench --ops --threads 16 --model mlp --batch 256 --iters 30 > $R/ops-mlp256-$b.txt 2>&1
  ./gogan-$b bench --ops --threads 16 --model dcgan --batch 64 --iters 10 > $R/ops-dcgan-$b.txt 2>&1
done
OUT=$R bash ab.sh ./gogan-old ./gogan-new 5 16 2 > $R/ab.txt 2>&1; echo "ab rc $?"
{ date; cat /proc/loadavg; } >> $R/host.txt
tar czf ${OUT:-$H}/u1.tgz -C $R .
cat $R/host.txt $R/ab.txt
