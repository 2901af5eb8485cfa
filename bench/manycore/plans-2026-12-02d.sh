#!/bin/bash
# Call D2 (the order reversed: wide, 1d, grid): how a shared product is cut, at 16 threads (3 rounds) and 2 (1 round): grid (main),
# 1d (the old cut: along M or N only), wide (a grid only with column bands of 128 or more).
cd "$(dirname "$0")"; H=$PWD; tar xJf bins.txz; R=$H/res; mkdir -p $R
date; cat /proc/loadavg
gg() { # binary threads round
  local b=$1 t=$2 r=$3
  ./gogan-$b bench --json --ops --model dcgan --batch 64 --iters 10 --threads $t > $R/dcgan-$t-$b-$r.json
  ./gogan-$b bench --json --ops --model dcgan --image-size 64 --channels 3 --batch 64 --iters 3 --threads $t > $R/rgb-$t-$b-$r.json
  ./gogan-$b bench --json --ops --model mlp --batch 256 --iters 30 --threads $t > $R/mlp256-$t-$b-$r.json
  ./gogan-$b bench --json --ops --model mlp --batch 64 --iters 100 --threads $t > $R/mlp64-$t-$b-$r.json
}
for r in 1 2 3; do for b in wide 1d grid; do gg $b 16 $r; done; done
# (no 2-thread round in the repeat)
date; cat /proc/loadavg
tar czf $OUT/res.tgz -C $R .
for f in $R/*.json; do echo "$(basename $f .json) $(python3 -c "import json; print(round(json.load(open('$f'))['img_per_s']))")"; done | sort | tr '\n' ' '
