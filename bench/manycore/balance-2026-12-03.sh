#!/bin/bash
# Call W1 (fourteenth session): main's shared products timed part by part (BenchmarkSharedBalance),
# op profiles at 16 and 2 threads, then issue 15's goals with 3x the iterations a run.
cd "$(dirname "$0")"; H=$PWD; DEVOUT=${OUT:-$H}; R=$H/w1x; mkdir -p $R
tar xJf bins.tar.xz
{ date; nproc; lscpu | grep -E "Model name|MHz"; cat /proc/loadavg; } > $R/host.txt
for c in 16 8 2 16; do
  ./gemm.test -test.run XXX -test.bench SharedBalance -test.benchtime 200x -test.cpu $c >> $R/balance.txt 2>&1
done
for t in 16 2; do
  ./gogan bench --ops --threads $t --model mlp --batch 256 --iters 30 > $R/ops-mlp256-$t.txt 2>&1
  ./gogan bench --ops --threads $t --model dcgan --batch 64 --iters 10 > $R/ops-dcgan-$t.txt 2>&1
done
tar czf $DEVOUT/w1x.tgz -C $H w1x
SCALE=3 bash goals.sh w1
python3 goals.py w1
grep -h 'Balance' $R/balance.txt | awk '{print $1, $4, $6, $8, $10, $12, $14, $16}'
