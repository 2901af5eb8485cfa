#!/bin/bash
# Call E: final main at 16 and 2 threads (2 rounds) with PyTorch in the same call (1 round).
cd "$(dirname "$0")"; R=$PWD/res; mkdir -p $R
date; cat /proc/loadavg
gg() { local t=$1 r=$2
  ./gogan bench --json --model dcgan --batch 64 --iters 10 --threads $t > $R/dcgan-$t-$r.json
  ./gogan bench --json --model dcgan --image-size 64 --channels 3 --batch 64 --iters 3 --threads $t > $R/rgb-$t-$r.json
  ./gogan bench --json --model mlp --batch 256 --iters 30 --threads $t > $R/mlp256-$t-$r.json
  ./gogan bench --json --model mlp --batch 64 --iters 100 --threads $t > $R/mlp64-$t-$r.json; }
pt() { local t=$1; export OMP_WAIT_POLICY=PASSIVE
  python3 torch_mlp_gan.py cpu 64 200 $t > $R/torch-mlp64-$t.txt 2>&1
  python3 torch_mlp_gan.py cpu 256 60 $t > $R/torch-mlp256-$t.txt 2>&1
  python3 torch_dcgan.py cpu 64 20 $t > $R/torch-dcgan-$t.txt 2>&1
  python3 torch_dcgan_rgb.py cpu 64 5 $t 64 > $R/torch-rgb-$t.txt 2>&1; unset OMP_WAIT_POLICY; }
timeout 240 bash -c "$(declare -f gg pt); R=$R; gg 16 1; pt 16; gg 2 1; pt 2; gg 16 2; gg 2 2"
date; cat /proc/loadavg
for f in $R/*.json; do echo "$(basename $f .json) $(python3 -c "import json; print(round(json.load(open('$f'))['img_per_s']))")"; done | sort | tr '\n' ' '; echo
grep -h "img/s" $R/torch-*.txt | cut -c1-120
