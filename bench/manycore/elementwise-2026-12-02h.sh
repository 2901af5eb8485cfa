#!/bin/bash
# Calls R1 and R2: a bias activation's kernel right after a product (BenchmarkAfterProduct); R2 ran -test.cpu 2,16.
cd "$(dirname "$0")"; H=$PWD; DEVOUT=${OUT:-$H}
{ date; nproc; cat /proc/loadavg; } > $H/elementwise.txt
for r in 1 2 3; do
  echo "## round $r" >> $H/elementwise.txt
  ./vec.test -test.run XXX -test.bench AfterProduct -test.cpu 2,8,16 -test.benchtime 400x 2>&1 | grep Bench | awk '{print $1, $(NF-1)}' >> $H/elementwise.txt
done
cp $H/elementwise.txt $DEVOUT/
cat $H/elementwise.txt
