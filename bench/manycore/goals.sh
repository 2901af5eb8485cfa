#!/bin/bash
# Issue 15's goals measured interleaved on the 16-core machine, as calls T1 (tenth session,
# main ebdc815: goals-2026-12-03.txt, `bash goals.sh t1`) and U3 (eleventh session, main
# b6e4d4b: goals-2026-12-03b.txt, `bash goals.sh u3`) and V2 (twelfth session, main a8c45bc:
# goals-2026-12-03c.txt, `bash goals.sh v2`; V4, main 361d765 with ba806b5 as gogan-ref:
# goals-2026-12-03d.txt, `bash goals.sh v4`) ran them. Each round runs, per workload,
# gogan at 2 threads and at 16 threads back to back (so a drift of the host's speed between
# minutes falls on both), PyTorch 2.11 at 16 threads (rounds 1 and 3) and at 2 (rounds 2 and 4),
# and a probe of the host's speed: the 8x32 micro-kernel in L1 on one thread.
#
# usage: [SCALE=K] bash goals.sh NAME, in a folder holding this script, bins.tar.xz (gogan
# and gemm.test, go test -c of internal/gemm, built with CGO_ENABLED=0, and optionally
# gogan-ref, another build run at 16 threads after gogan in each round) and
# /work/shared/bench's torch_*.py; the results go to NAME/ there and NAME.tgz in $OUT.
# SCALE multiplies gogan's iterations a run (default 1), as in ab.sh. Calls up to V4 probed
# with kshapes.test (a trial's 8x32 kernel benchmark), from W1 on with gemm.test's
# BenchmarkKernel/avx512_8x32/kc=256, the same kernel. Summary: python3 bench/manycore/goals.py NAME
if [ $# -ne 1 ]; then echo "usage: $0 NAME" >&2; exit 2; fi
call=$1
scale=${SCALE:-1}
case $scale in ''|*[!0-9]*|0) echo "SCALE must be a positive integer, got '$scale'" >&2; exit 2;; esac
cd "$(dirname "$0")"; H=$PWD; DEVOUT=${OUT:-$H}
tar xJf bins.tar.xz
R=$H/$call; mkdir -p $R
{ date; nproc; cat /proc/loadavg; } > $R/host.txt
work=(
  "mlp64 --model mlp --batch 64 --iters 100"
  "mlp256 --model mlp --batch 256 --iters 30"
  "dcgan --model dcgan --batch 64 --iters 10"
  "rgb --model dcgan --image-size 64 --channels 3 --batch 64 --iters 3"
)
pt() { local t=$1 r=$2; export OMP_WAIT_POLICY=PASSIVE
  python3 torch_mlp_gan.py cpu 64 200 $t > $R/torch-mlp64-$t-$r.txt 2>&1
  python3 torch_mlp_gan.py cpu 256 60 $t > $R/torch-mlp256-$t-$r.txt 2>&1
  python3 torch_dcgan.py cpu 64 20 $t > $R/torch-dcgan-$t-$r.txt 2>&1
  python3 torch_dcgan_rgb.py cpu 64 5 $t 64 > $R/torch-rgb-$t-$r.txt 2>&1; unset OMP_WAIT_POLICY; }
for r in 1 2 3 4; do
  ./gemm.test -test.run XXX -test.bench 'Kernel/avx512_8x32/kc=256' -test.cpu 1 -test.benchtime 0.3s 2>&1 | grep GFLOP | sed "s/^/round $r /" >> $R/probe.txt
  for w in "${work[@]}"; do
    read -r name args <<< "$w"
    args=$(echo "$args" | awk -v s="$scale" '{for (i = 1; i < NF; i++) if ($i == "--iters") $(i+1) *= s; print}')
    for t in 2 16; do
      # shellcheck disable=SC2086
      ./gogan bench --json --threads $t $args > $R/$name-$t-$r.json 2>&1
    done
    # A reference binary, when bins.tar.xz holds one, right after at 16 threads (goals.py
    # compares the 16-thread medians).
    if [ -x gogan-ref ]; then
      # shellcheck disable=SC2086
      ./gogan-ref bench --json --threads 16 $args > $R/ref-$name-16-$r.json 2>&1
    fi
  done
  if [ $((r % 2)) -eq 1 ]; then pt 16 $r; else pt 2 $r; fi
done
{ date; cat /proc/loadavg; } >> $R/host.txt
cat $R/host.txt $R/probe.txt
for f in $R/*.json; do echo "$(basename $f .json) $(python3 -c "import json; print(round(json.load(open('$f'))['img_per_s']))")"; done | sort -V | tr '\n' ' '; echo
grep -H "img/s" $R/torch-*.txt | sed "s|$R/||" | cut -c1-110
tar czf $DEVOUT/$call.tgz -C $H $call
