#!/bin/bash
# The GPU checks and the speed table: gogan and PyTorch in one call.
cd "$(dirname "$0")"; export HOME=$PWD/../home
# kernels.cu → PTX here, loaded by binaries linked with -X internal/cuda.ptxFile=kernels.ptx
nvcc -ptx -arch=compute_75 -O3 -fmad=false -o kernels.ptx kernels.cu || exit 1
cp kernels.ptx $OUT/
{ ./cuda.test 2>&1 | tail -3; ./autograd.test -test.run TestDevice 2>&1 | tail -5
  ./gan.test -test.run 'TestDevice|TestNaN' -test.v 2>&1 | grep -E "^\s*--- |device_test|^(ok|PASS|FAIL)"; } > $OUT/tests.log 2>&1
cat $OUT/tests.log
{ nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
for g in true false; do
  for b in 64 256; do ./gogan bench --device cuda --cuda-graph=$g --model mlp --batch $b --iters 3000; done
  ./gogan bench --device cuda --cuda-graph=$g --model dcgan --batch 64 --iters 1000
  ./gogan bench --device cuda --cuda-graph=$g --model dcgan --batch 256 --iters 300
done
./gogan bench --device cuda --tf32 --model dcgan --batch 64 --iters 1000
./gogan bench --device cuda --tf32 --model dcgan --batch 256 --iters 300
./gogan bench --device cuda --model dcgan --image-size 64 --channels 3 --batch 64 --iters 200
./gogan bench --device cuda --tf32 --model dcgan --image-size 64 --channels 3 --batch 64 --iters 200
timeout 120 python3 torch_gpu_best.py
timeout 40 python3 torch_dcgan_rgb.py cuda 64 100 0 64
} 2>&1 | tee $OUT/bench.log
timeout 45 ncu --print-summary per-kernel --launch-skip 3000 --launch-count 150 ./gogan bench --device cuda --cuda-graph=false --model dcgan --batch 64 --iters 40 > $OUT/ncu.txt 2>&1
tail -5 $OUT/ncu.txt
