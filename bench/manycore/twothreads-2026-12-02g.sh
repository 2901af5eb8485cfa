#!/bin/bash
# Call Q1 (seventh session): the 2-thread DCGAN anomaly (main 792ae8e against c5bbe7e, alternated,
# each run CPU-profiled, then per-op at 2 threads), and where main's 16-thread step goes.
cd "$(dirname "$0")"; H=$PWD; DEVOUT=${OUT:-$H}
tar xJf bins.tar.xz
R=$H/q1; mkdir -p $R
{ date; nproc; lscpu | grep -E 'Model name|MHz|L2|L3'; cat /proc/loadavg; } > $R/host.txt
# 1. 2 threads, DCGAN, 8 alternated rounds, each run profiled.
for r in 1 2 3 4 5 6 7 8; do
  pair="old new"; [ $((r % 2)) -eq 0 ] && pair="new old"
  for b in $pair; do
    ./gogan-$b bench --json --threads 2 --model dcgan --batch 64 --iters 30 --cpuprofile $R/p2-$b-$r.pprof > $R/b2-$b-$r.json 2>&1
  done
done
# 2. per-op at 2 threads, both, 2 rounds
for r in 1 2; do for b in old new; do
  ./gogan-$b bench --json --ops --threads 2 --model dcgan --batch 64 --iters 20 > $R/ops2-$b-$r.json 2>&1
done; done
# 3. main at 16 threads: per-op (pairs off) and CPU profiles (pairs on)
./gogan-new bench --json --ops --threads 16 --model dcgan --batch 64 --iters 30 > $R/ops16-dcgan.json 2>&1
./gogan-new bench --json --ops --threads 16 --model dcgan --image-size 64 --channels 3 --batch 64 --iters 6 > $R/ops16-rgb.json 2>&1
./gogan-new bench --json --ops --threads 16 --model mlp --batch 256 --iters 60 > $R/ops16-mlp256.json 2>&1
./gogan-new bench --json --ops --threads 16 --model mlp --batch 64 --iters 200 > $R/ops16-mlp64.json 2>&1
./gogan-new bench --json --threads 16 --model dcgan --image-size 64 --channels 3 --batch 64 --iters 8 --cpuprofile $R/p16-rgb.pprof > $R/b16-rgb.json 2>&1
./gogan-new bench --json --threads 16 --model dcgan --batch 64 --iters 40 --cpuprofile $R/p16-dcgan.pprof > $R/b16-dcgan.json 2>&1
./gogan-new bench --json --threads 16 --model mlp --batch 256 --iters 100 --cpuprofile $R/p16-mlp256.pprof > $R/b16-mlp256.json 2>&1
{ date; cat /proc/loadavg; } >> $R/host.txt
cat $R/host.txt; for f in $R/b2-*.json $R/b16-*.json; do echo $(basename $f) $(grep -o '"img_per_s":[0-9.]*' $f); done
tar czf $DEVOUT/res.tgz -C $H q1
