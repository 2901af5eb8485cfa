#!/bin/bash
# Call U2 (eleventh session): main a897b22 ("old": one-column products as matrix-vector
# products, noise in parallel) against the filter gradients with at most 128 output
# channels summed in slices ("new"): BenchmarkConv's filter gradients at 16 and 2 threads,
# op profiles at 16 threads, then ab.sh at 16 and 2 threads. Results go to $OUT/u2.tgz.
cd "$(dirname "$0")"; H=$PWD; R=$H/res; mkdir -p $R
xz -d *.xz; chmod +x gogan-old gogan-new *.test
{ date; nproc; lscpu | grep -E "Model name|MHz"; cat /proc/loadavg; } > $R/host.txt
for r in 1 2 3; do for b in old new; do
  ./ag-$b.test -test.run xxx -test.bench 'Conv/.*/convW/op' -test.cpu 16,2 -test.benchtime 20x | grep Benchmark | sed "s/^/$b $r /" >> $R/convw.txt
done; done
for b in old new; do
  ./gogan-$b bench --ops --threads 16 --model dcgan --batch 64 --iters 10 > $R/ops-dcgan-$b.txt 2>&1
  ./gogan-$b bench --ops --threads 16 --model dcgan --image-size 64 --channels 3 --batch 64 --iters 3 > $R/ops-rgb-$b.txt 2>&1
done
OUT=$R bash ab.sh ./gogan-old ./gogan-new 5 16 2 > $R/ab.txt 2>&1; echo "ab rc $?"
{ date; cat /proc/loadavg; } >> $R/host.txt
tar czf ${OUT:-$H}/u2.tgz -C $R .
cat $R/host.txt $R/ab.txt
awk '{print $1, $3, $7}' $R/convw.txt | sort -k2,2 -k1,1 | awk '{k=$1" "$2; a[k]=a[k]" "$3} END {for (k in a) print k, a[k]}' | sort -k2
