#!/bin/bash
# After-curve for issue 15: main's binary before the threading change (gogan, af144da) and
# after it (gogan-new, merged main), alternated at 16, 8, 4 and 2 threads.
B=${B:-.devdata/manycore}  # the folder holding the two binaries
R=$OUT/results.txt
{ date -u; nproc; cat /proc/loadavg; } >>$R 2>&1
b() { echo "$1 ${*:2} load=$(cut -d' ' -f1 /proc/loadavg)" >>$R; $B/$1 bench --json "${@:2}" >>$R 2>&1; }
for t in 16 8 4 2; do
  for f in gogan-new gogan; do
    b $f --model mlp --batch 64 --iters 100 --threads $t
    b $f --model mlp --batch 256 --iters 30 --threads $t
    b $f --model dcgan --batch 64 --iters 10 --threads $t
  done
done
for f in gogan gogan-new; do
  b $f --model mlp --batch 64 --iters 100 --threads 16
  b $f --model dcgan --batch 64 --iters 10 --threads 16
done
date -u >>$R
