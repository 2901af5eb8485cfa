#!/bin/bash
# Call S1 (tenth session): main before the epilogue (53a72cc, "old") against main now ("new":
# the Dense layers' bias and activation as the product's epilogue, and the loads-first vec
# kernels): the vec kernels on aliased and apart slices, op profiles, then ab.sh at 16 and 2 threads.
cd "$(dirname "$0")"; H=$PWD; R=${OUT:-$H/res}; mkdir -p $R
xz -d *.xz; chmod +x gogan-old gogan-new *.test
{ date; nproc; lscpu | grep -E "Model name|MHz"; cat /proc/loadavg; } > $R/host.txt
for r in 1 2 3; do for b in old new; do
  ./vec-$b.test -test.run xxx -test.bench FourK -test.benchtime 3000x | grep Benchmark | sed "s/^/$b $r /" >> $R/fourk.txt
done; done
for b in old new; do for t in 16 2; do
  ./gogan-$b bench --ops --threads $t --model mlp --batch 64 --iters 100 > $R/ops-mlp64-$b-$t.txt 2>&1
  ./gogan-$b bench --ops --threads $t --model mlp --batch 256 --iters 30 > $R/ops-mlp256-$b-$t.txt 2>&1
done; done
OUT=$R bash ab.sh ./gogan-old ./gogan-new 5 16 2 > $R/ab.txt 2>&1; echo "ab rc $?"
{ date; cat /proc/loadavg; } >> $R/host.txt
cat $R/host.txt $R/ab.txt
awk '{print $1, $3, $5}' $R/fourk.txt | sort -k2,2 -k1,1 | awk '{k=$1" "$2; a[k]=a[k]" "$3} END {for (k in a) print k, a[k]}' | sort -k2
