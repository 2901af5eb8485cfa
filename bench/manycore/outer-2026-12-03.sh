#!/bin/bash
# Call V1 (twelfth session): GPU tests of main f65ec43 (gan, generator first), then
# main with shallow products cut by the size of C ("new": minWorkK in internal/gemm/threads.go,
# then a patch, without shallowMinWork) against main ("old") at 16 threads: the narrow dX
# products, the DCGAN's op profile and whole steps (ab.sh, 3 rounds), then the other GPU tests.
# Beside it: gogan-old, gogan-new, gemm-old.test, gemm-new.test and the test binaries of gan,
# generator, autograd and cmd/gogan, xz-compressed; HOME's cache (../home) holds MNIST.
cd "$(dirname "$0")"; H=$PWD; R=$H/res; G=$R/gpu; mkdir -p $R $G; DEVOUT=${OUT:-$H}
xz -d *.xz; chmod +x gogan-old gogan-new *.test
export HOME=$H/../home
pack() { tar czf $DEVOUT/v1.tgz -C $H res; }
{ date; nproc; cat /proc/loadavg; nvidia-smi --query-gpu=name --format=csv,noheader; } > $R/host.txt
(cd $H/../../gan && timeout 170 $H/gan.test -test.v -test.run 'TestDevice|TestNaN|TestGenerateOn' > $G/gan.txt 2>&1; echo "gan rc $?")
(cd $H/../../generator && timeout 90 $H/generator.test -test.v -test.run 'Device|TestGenerate|TestFromJob' > $G/generator.txt 2>&1; echo "generator rc $?")
pack
for r in 1 2 3; do for b in old new; do
  ./gemm-$b.test -test.run xxx -test.bench 'SgemmNarrow/dX' -test.cpu 16 -test.benchtime 2000x | grep Benchmark | sed "s/^/$b $r /" >> $R/narrow.txt
  ./gogan-$b bench --ops --threads 16 --model dcgan --batch 64 --iters 10 > $R/ops-dcgan-$b-$r.txt 2>&1
done; done
OUT=$R bash $H/../../bench/manycore/ab.sh ./gogan-old ./gogan-new 3 16 > $R/ab.txt 2>&1
{ date; cat /proc/loadavg; } >> $R/host.txt
pack
(cd $H/../../autograd && timeout 60 $H/autograd.test -test.v -test.run TestDevice > $G/autograd.txt 2>&1; echo "autograd rc $?")
(cd $H/../../cmd/gogan && timeout 80 $H/gogan.test -test.v -test.run 'TestSampleEvalDevice' > $G/gogan.txt 2>&1; echo "gogan rc $?")
pack
cat $R/host.txt; cat $R/ab.txt
awk '{print $1, $3, $5}' $R/narrow.txt | sort -k2,2 -k1,1 | awk '{k=$1" "$2; a[k]=a[k]" "$3} END {for (k in a) print k, a[k]}' | sort -k2
for f in $R/ops-dcgan-*.txt; do echo "$(basename $f .txt): $(head -1 $f | grep -o '[0-9]* img/s') $(grep -E 'MatMul in backward +\((128|64), 6272\)' $f | awk '{print $1}' | tr '\n' ' ')"; done
grep -h -E "^(--- |ok|FAIL|PASS)" $G/*.txt | awk '{print $1, $2}' | sort | uniq -c | sort -rn | head -40
