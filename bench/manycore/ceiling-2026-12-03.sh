#!/bin/bash
# Call X3 (fifteenth session): what the host gives from 2 to 16 threads, measured beside the
# goals: in each round, BenchmarkSgemmIndependent (serial products on every thread, nothing
# shared) at -cpu 2 and 16, then gogan (main 72d34e0) at 2 and 16 threads on the goals'
# three workloads, 3x the iterations of goals.sh.
# Built from main 72d34e0: CGO_ENABLED=0 go build -ldflags='-s -w' -o gogan ./cmd/gogan; CGO_ENABLED=0 go test -c -o gemm.test ./internal/gemm
cd "$(dirname "$0")"; H=$PWD; DEVOUT=${OUT:-$H}; R=$H/x3; mkdir -p $R
{ date; nproc; cat /proc/loadavg; } > $R/host.txt
for r in 1 2 3 4 5 6; do
  for c in 2 16; do
    ./gemm.test -test.run XXX -test.bench SgemmIndependent -test.benchtime 1s -test.cpu $c | grep Independent | sed "s/^/round $r /" >> $R/ceiling.txt
  done
  for t in 2 16; do
    for w in "mlp64 --model mlp --batch 64 --iters 300" "mlp256 --model mlp --batch 256 --iters 90" "dcgan --model dcgan --batch 64 --iters 30"; do
      read -r name args <<< "$w"
      # shellcheck disable=SC2086
      ./gogan bench --json --threads $t $args | python3 -c "import json,sys; j=json.load(sys.stdin); print(json.dumps({'round': $r, 'work': '$name', 'threads': $t, 'img_per_s': j['img_per_s'], 'median_img_per_s': j['median_img_per_s']}))" >> $R/runs.jsonl
    done
  done
  tar czf $DEVOUT/x3.tgz -C $H x3
done
{ date; cat /proc/loadavg; } >> $R/host.txt
tar czf $DEVOUT/x3.tgz -C $H x3
cat $R/host.txt $R/ceiling.txt $R/runs.jsonl
