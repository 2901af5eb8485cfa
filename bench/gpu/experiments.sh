#!/bin/bash
# The GPU experiments of 2026-12-02 (issues 11 and 12): the TensorFlow DCGAN on
# MNIST for 5 epochs on five seeds with each of five settings, and the DCGAN on
# Stacked MNIST for 10 epochs on three seeds with each of four, 16 runs at a time
# on one GPU, each scored by gogan eval on the CPU as it finishes. One line per
# run goes to $OUT/results.txt. Run from a folder holding a gogan binary, with
# MNIST in $HOME/.cache/gogan/mnist.
set -u
cd "$(dirname "$0")"
R=/tmp/runs; mkdir -p "$R"
START=$(date +%s)
job() { # name, eval args, train args...
  name=$1; evalargs=$2; shift 2
  now=$(date +%s); if [ $((now-START)) -gt 400 ]; then echo "$name SKIPPED (time)" >> "$OUT/results.txt"; return; fi
  t0=$(date +%s.%N)
  if ! ./gogan train --device cuda --threads 1 --out "$R/$name" "$@" > "$R/$name.log" 2>&1; then
    echo "$name TRAIN-FAILED $(tail -2 "$R/$name.log" | tr '\n' ' ')" >> "$OUT/results.txt"; return; fi
  t1=$(date +%s.%N)
  ev=$(GOMAXPROCS=2 ./gogan eval --samples "$R/$name" $evalargs --json 2>&1 | tr '\n' ' ')
  echo "$name train_s=$(python3 -c "print(round($t1-$t0,1))") args=[$*] eval=$ev" >> "$OUT/results.txt"
}
export -f job; export START R OUT
{
for s in 1 2 3 4 5; do
  echo "dcgan-default-s$s||--model dcgan --epochs 5 --seed $s"
  echo "dcgan-bn09-s$s||--model dcgan --epochs 5 --seed $s --bn-momentum 0.9"
  echo "dcgan-bn09-ema-s$s||--model dcgan --epochs 5 --seed $s --bn-momentum 0.9 --ema 0.999"
  echo "dcgan-ema-s$s||--model dcgan --epochs 5 --seed $s --ema 0.999"
  echo "dcgan-tuned-s$s||--model tuned --arch dcgan --epochs 5 --seed $s"
done
for s in 1 2 3; do
  echo "stacked-plain-s$s||--model dcgan --data stacked-mnist --epochs 10 --seed $s"
  echo "stacked-pack2-s$s||--model dcgan --data stacked-mnist --epochs 10 --seed $s --pack 2"
  echo "stacked-bn09-s$s||--model dcgan --data stacked-mnist --epochs 10 --seed $s --bn-momentum 0.9"
  echo "stacked-pack2-bn09-s$s||--model dcgan --data stacked-mnist --epochs 10 --seed $s --pack 2 --bn-momentum 0.9"
done
} | while IFS='|' read -r name ev args; do printf '%s\0%s\0%s\0' "$name" "$ev" "$args"; done |
  xargs -0 -n 3 -P 16 bash -c 'job "$0" "$1" $2'
echo "done in $(( $(date +%s) - START )) s" >> "$OUT/results.txt"
