#!/bin/bash
# Issue 15's scaling run on the 16-core machine: main before the many-core work
# (gogan-old) and after it (gogan-new) at 16 threads on the four CPU workloads;
# PyTorch's scripts (../shared/bench) at 16 threads; the new binary's curve at 8,
# 4, 2 and 1 threads (the 64×64×3 DCGAN from 4); PyTorch at 2 threads; and a profile of the DCGAN at
# 16 threads. One JSON line per gogan run and one line per PyTorch run go to
# $OUT/scaling.txt. Run from the folder holding the binaries and the scripts.
cd "$(dirname "$0")"
R=$OUT/scaling.txt
{ date -u; nproc; cat /proc/loadavg; } >>$R 2>&1
b() { echo "$1 ${*:2} load=$(cut -d' ' -f1 /proc/loadavg)" >>$R; ./$1 bench --json "${@:2}" >>$R 2>&1; }
work() { # binary threads
  b $1 --model mlp --batch 64 --iters 100 --threads $2
  b $1 --model mlp --batch 256 --iters 30 --threads $2
  b $1 --model dcgan --batch 64 --iters 10 --threads $2
  [ $2 -ge 4 ] && b $1 --model dcgan --image-size 64 --channels 3 --batch 64 --iters 3 --threads $2
}
for f in gogan-new gogan-old; do work $f 16; done
p() { echo "torch $* load=$(cut -d' ' -f1 /proc/loadavg)" >>$R; OMP_WAIT_POLICY=PASSIVE timeout 60 python3 "$@" >>$R 2>&1; }
torch_at() { p torch_mlp_gan.py cpu 64 200 $1; p torch_mlp_gan.py cpu 256 60 $1; p torch_dcgan.py cpu 64 20 $1; }
torch_at 16; p torch_dcgan_rgb.py cpu 64 5 16 64
for t in 8 4 2 1; do work gogan-new $t; done
torch_at 2
./gogan-new bench --json --model dcgan --batch 64 --iters 30 --threads 16 --cpuprofile $OUT/dcgan16.prof >>$R 2>&1
./gogan-new bench --json --model mlp --batch 64 --iters 300 --threads 16 --cpuprofile $OUT/mlp16.prof >>$R 2>&1
{ date -u; cat /proc/loadavg; } >>$R
