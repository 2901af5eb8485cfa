#!/bin/bash
# Every recipe on the GPU, 2026-12-03: the GPU tests with the committed kernels.ptx, then
# recipes trained on the GPU (and on the CPU, same seed) and scored. Output:
# every-recipe-2026-12-03.txt and tests-2026-12-03b.log.
#
# Here (a machine with Go and MNIST in ~/.cache/gogan, Twemoji made by bench/twemoji into
# /tmp/tw/twemoji): the binaries, into .devdata/gpu. There (the device tool, carrying
# .devdata/gpu): bash .devdata/gpu/call.sh. This file holds both halves.

: <<"BUILD"
# Builds the GPU call's binaries into .devdata/gpu (run from the repo root).
set -e
G=.devdata/gpu; rm -rf $G; mkdir -p $G/home/.cache/gogan
cp -r ~/.cache/gogan/mnist $G/home/.cache/gogan/
P=/tmp/gogan-kernels.ptx
LD="-s -w${PTXFILE:+ -X github.com/gogan/gogan/internal/cuda.ptxFile=$P}"
for pkg in internal/cuda autograd optim nn losses gan generator cmd/gogan; do
  CGO_ENABLED=0 go test -c -ldflags "$LD" -o $G/$(basename $pkg).test ./$pkg
done
CGO_ENABLED=0 go build -ldflags "$LD" -o $G/gogan ./cmd/gogan
cp .devdata/gpu-call.sh $G/call.sh
tar cf $G/twemoji.tar -C /tmp/tw twemoji
(cd $G && xz -T2 -6 *.test gogan && tar cf home.tar home && rm -rf home && xz -6 home.tar)
du -sh $G; ls -la $G
BUILD

# GPU call 3: the tests with the committed PTX, then recipes trained on GPU and CPU, scored.
R=$PWD; G=$R/.devdata/gpu
cd $G && xz -d -T4 *.xz && tar xf home.tar && tar xf twemoji.tar && chmod +x *.test gogan; export HOME=$G/home; cd $R
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader; nproc
nvcc -ptx -arch=compute_75 -O3 -fmad=false -o /tmp/k.ptx internal/cuda/kernels.cu && cmp /tmp/k.ptx internal/cuda/kernels.ptx && echo "committed PTX = nvcc 13's"
t() { pkg=$1; b=$(basename $pkg); shift; (cd $R/$pkg && timeout ${TT:-240} $G/$b.test "$@" 2>&1) > $OUT/$b.log
  echo "== $pkg $*: $(grep -c -- '--- PASS' $OUT/$b.log) pass, $(grep -c -- '--- FAIL' $OUT/$b.log) fail, $(grep -c -- '--- SKIP' $OUT/$b.log) skip; $(tail -1 $OUT/$b.log)"
  grep -E -A4 -e '--- FAIL' -e '^panic' $OUT/$b.log | head -40; }
START=$(date +%s)
t internal/cuda -test.v
t autograd -test.v -test.run 'Device'
t optim -test.v -test.run 'Device'
t nn -test.v -test.run 'Device|Spectral'
TT=200 t gan -test.v -test.run 'Device|TestNaN|TestGenerateOn'
t generator -test.v -test.run 'Device|TestGenerate'
t cmd/gogan -test.v -test.run 'Device'
echo "tests took $(( $(date +%s) - START )) s"
rm -rf /tmp/runs; mkdir -p $OUT/runs /tmp/runs
run() { n=$1; shift; s=$(date +%s); timeout ${TR:-150} $G/gogan train "$@" --device cuda --out /tmp/runs/$n > $OUT/runs/$n.log 2>&1; echo "== $n: rc $? $(( $(date +%s) - s )) s; $(grep -E 'trained|stopped' $OUT/runs/$n.log)"
  cp /tmp/runs/$n/samples/final.png $OUT/runs/$n.png 2>/dev/null; cp /tmp/runs/$n/metrics.jsonl $OUT/runs/$n.metrics.jsonl 2>/dev/null; }
TR=170 run resnet-sngan --model sngan --arch resnet --data $G/twemoji --image-size 32 --epochs 30 --seed 1
TR=80 run dcgan-cgan --model cgan --arch dcgan --epochs 3 --seed 1
TR=90 run dcgan-acgan-emoji --model acgan --arch dcgan --data $G/twemoji --image-size 32 --epochs 30 --seed 1
echo "all took $(( $(date +%s) - START )) s"
cd $OUT && tar czf results.tgz *.log runs && rm -rf runs *.log

# Calls 3 and 4 ran, after the tests, the 10-epoch runs of every-recipe-2026-12-03.txt:
# cpu() { n=$1; shift; ( s=$(date +%s); $G/gogan train "$@" --epochs $E --seed 1 --threads 3 --out /tmp/runs/cpu-$n > $Rz/cpu-$n.log 2>&1
#   echo "cpu $n train: $(( $(date +%s) - s )) s" >> $Rz/times.txt
#   $G/gogan eval --samples /tmp/runs/cpu-$n --json > $Rz/cpu-$n.eval.json 2>&1; echo "cpu $n +eval: $(( $(date +%s) - s )) s" >> $Rz/times.txt ) & }
# gpu() { n=$1; shift; s=$(date +%s); timeout 100 $G/gogan train "$@" --device cuda --out /tmp/runs/gpu-$n > $Rz/gpu-$n.log 2>&1; echo "gpu $n: rc $? $(( $(date +%s) - s )) s; $(grep trained $Rz/gpu-$n.log)" >> $Rz/times.txt
#   cp /tmp/runs/gpu-$n/samples/final.png $Rz/gpu-$n.png 2>/dev/null; }
# S="cgan:--model cgan|acgan:--model acgan|sngan:--model sngan|wgan:--model wgan|lsgan-da:--model lsgan --diffaugment color,translation,cutout"
# IFS='|' read -ra SPECS <<< "$S"
# for sp in "${SPECS[@]}"; do cpu ${sp%%:*} ${sp#*:}; done
# for sp in "${SPECS[@]}"; do n=${sp%%:*}; gpu $n ${sp#*:} --epochs $E --seed 1
#   s=$(date +%s); timeout 60 $G/gogan eval --samples /tmp/runs/gpu-$n --json --device cuda > $Rz/gpu-$n.eval.json 2>&1; echo "gpu $n eval: $(( $(date +%s) - s )) s" >> $Rz/times.txt; done
# gpu resnet --model sngan --arch resnet --data $G/twemoji --image-size 32 --epochs 20 --seed 1
# cp /tmp/runs/gpu-resnet/samples/epoch-*.png $Rz/ 2>/dev/null
# wait
