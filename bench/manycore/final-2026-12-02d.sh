#!/bin/bash
# Call C: GPU tests of the final main; then old (ee3d507 = 2d30c18 + --ops) against new (final
# main), alternated, 3 rounds at 16 and 2 threads, PyTorch beside them in rounds 1 and 2; then
# new's curve at 8, 4 and 1 threads.
cd "$(dirname "$0")"; H=$PWD; export HOME=$H/../home
tar xJf bins.txz; tar xJf tests.txz
R=$H/res; mkdir -p $R
date; cat /proc/loadavg
{ (cd ../../internal/cuda && timeout 60 $H/cuda.test 2>&1 | tail -3)
  (cd ../../autograd && timeout 90 $H/autograd.test -test.v -test.run 'TestDevice' 2>&1 | grep -E "^(--- |ok|PASS|FAIL)|worst|max" | head -60)
  (cd ../../gan && timeout 120 $H/gan.test -test.v -test.run 'TestDevice|TestNaN|TestGenerateOn' 2>&1 | grep -E "^\s*--- |_test.go|^(ok|PASS|FAIL)") } > $OUT/gputests.log 2>&1
echo "gpu tests: $(grep -cE '^\s*--- PASS' $OUT/gputests.log) passed, $(grep -cE 'FAIL' $OUT/gputests.log) FAIL lines"; date
cat > $H/bench.sh <<'EOS'
cd "$(dirname "$0")"; R=$PWD/res
gg() { # binary threads round
  local b=$1 t=$2 r=$3
  ./gogan-$b bench --json --ops --model dcgan --batch 64 --iters 10 --threads $t > $R/dcgan-$t-$b-$r.json
  ./gogan-$b bench --json --ops --model dcgan --image-size 64 --channels 3 --batch 64 --iters 3 --threads $t > $R/rgb-$t-$b-$r.json
  ./gogan-$b bench --json --ops --model mlp --batch 256 --iters 30 --threads $t > $R/mlp256-$t-$b-$r.json
  ./gogan-$b bench --json --ops --model mlp --batch 64 --iters 100 --threads $t > $R/mlp64-$t-$b-$r.json
}
pt() { # threads round
  local t=$1 r=$2
  export OMP_WAIT_POLICY=PASSIVE
  python3 torch_mlp_gan.py cpu 64 200 $t > $R/torch-mlp64-$t-$r.txt 2>&1
  python3 torch_mlp_gan.py cpu 256 60 $t > $R/torch-mlp256-$t-$r.txt 2>&1
  python3 torch_dcgan.py cpu 64 20 $t > $R/torch-dcgan-$t-$r.txt 2>&1
  python3 torch_dcgan_rgb.py cpu 64 5 $t 64 > $R/torch-rgb-$t-$r.txt 2>&1
  unset OMP_WAIT_POLICY
}
for r in 1 2 3; do
  for t in 16 2; do
    gg old $t $r; gg new $t $r
    if [ $r -le 2 ]; then pt $t $r; fi
  done
  cat /proc/loadavg
done
for t in 8 4 1; do gg new $t 1; done
EOS
timeout 430 bash $H/bench.sh
date; cat /proc/loadavg
tar czf $OUT/res.tgz -C $R .
for f in $R/*.json; do echo "$(basename $f .json) $(python3 -c "import json; print(round(json.load(open('$f'))['img_per_s']))")"; done | sort | tr '\n' ' '; echo
grep -h "img/s" $R/torch-*.txt | cut -c1-150
