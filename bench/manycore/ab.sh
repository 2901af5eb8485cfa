#!/bin/bash
# A/B comparison of two gogan binaries on the four CPU workloads of issue 15, the way the
# 16-core machine needs it: the binaries alternated in every round, their order reversed every
# other round (the second of a pair tends to run slower, or faster, on a shared host), then
# the medians. One JSON line per run goes to $OUT/ab.jsonl (or ./ab.jsonl).
#
# usage: [SCALE=K] ab.sh OLD NEW ROUNDS THREADS...
#   e.g. SCALE=5 bash bench/manycore/ab.sh ./gogan-old ./gogan-new 4 16 2
# SCALE multiplies each run's iterations (default 1: 0.3-0.5 s a run at 16 threads, which on
# the 16-core host swings by 20-40% from round to round; see docs/performance.md, "op(A) read
# in place").
set -euo pipefail
if [ $# -lt 4 ]; then echo "usage: $0 OLD NEW ROUNDS THREADS..." >&2; exit 2; fi
old=$1 new=$2 rounds=$3; shift 3
scale=${SCALE:-1}
case $scale in ''|*[!0-9]*|0) echo "SCALE must be a positive integer, got '$scale'" >&2; exit 2;; esac
out=${OUT:-.}/ab.jsonl; : > "$out"
work=(
  "mlp64 --model mlp --batch 64 --iters 100"
  "mlp256 --model mlp --batch 256 --iters 30"
  "dcgan --model dcgan --batch 64 --iters 10"
  "rgb --model dcgan --image-size 64 --channels 3 --batch 64 --iters 3"
)
run() { # name binary label threads round workload-args...
  local name=$1 bin=$2 label=$3 t=$4 r=$5; shift 5
  local args=("$@") i
  for i in "${!args[@]}"; do
    [ "${args[$i]}" = --iters ] && args[i+1]=$(( args[i+1] * scale ))
  done
  "$bin" bench --json --threads "$t" "${args[@]}" |
    python3 -c "import json,sys; j=json.load(sys.stdin); print(json.dumps({'work': '$name', 'bin': '$label', 'threads': $t, 'round': $r, 'img_per_s': j['img_per_s'], 'median_img_per_s': j.get('median_img_per_s')}))" >> "$out"
}
for t in "$@"; do
  for r in $(seq "$rounds"); do
    pair=(old new); [ $((r % 2)) -eq 0 ] && pair=(new old)
    for w in "${work[@]}"; do
      read -r name args <<< "$w"
      for b in "${pair[@]}"; do
        bin=$old; [ "$b" = new ] && bin=$new
        # shellcheck disable=SC2086
        run "$name" "$bin" "$b" "$t" "$r" $args
      done
    done
  done
done
python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
keys = sorted({(r['work'], r['threads']) for r in rows}, key=lambda k: (-k[1], k[0]))
# img_per_s is each run's mean rate; median_img_per_s (gogan builds that report it) the
# rate of its median iteration, which a few stalled iterations hardly move.
for rate in ['img_per_s', 'median_img_per_s']:
    if any(r.get(rate) is None for r in rows):
        continue
    print(f"{rate}:")
    print(f"{'workload':8} {'threads':>7} {'old median':>11} {'new median':>11} {'new/old':>8}  new ahead in")
    for w, t in keys:
        pick = lambda b: {r['round']: r[rate] for r in rows if r['work'] == w and r['threads'] == t and r['bin'] == b}
        o, n = pick('old'), pick('new')
        ahead = sum(n[r] > o[r] for r in o if r in n)
        mo, mn = statistics.median(o.values()), statistics.median(n.values())
        print(f"{w:8} {t:7} {mo:11.0f} {mn:11.0f} {mn / mo:8.3f}  {ahead} of {len(o)} rounds")
PY
