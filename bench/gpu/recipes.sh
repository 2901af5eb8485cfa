#!/bin/bash
# Recipe experiments on one GPU (issues 11 and 12): every line of the job file
# JOBS is "name|evals|train flags"; the run trains with gogan train --device cuda
# and is then scored once per ';'-separated entry of evals (gogan eval flags; an
# empty entry scores the run as saved). P runs go at once, and no run starts
# after LIMIT seconds. One line per score goes to $OUT/results.txt. Run from a
# folder holding a gogan binary, with MNIST in $HOME/.cache/gogan/mnist.
#   [THREADS=1] bash recipes.sh JOBS [P=4] [LIMIT=420]   (THREADS: gogan train --threads)
set -u
cd "$(dirname "$0")"
JOBS=$1; P=${2:-4}; LIMIT=${3:-420}
R=/tmp/runs; mkdir -p "$R"
START=$(date +%s)
job() { # name, evals, train flags...
  name=$1; evals=$2; shift 2
  if [ $(( $(date +%s) - START )) -gt "$LIMIT" ]; then echo "$name SKIPPED (time)" >> "$OUT/results.txt"; return; fi
  t0=$(date +%s)
  if ! ./gogan train --device cuda --threads "${THREADS:-1}" --out "$R/$name" "$@" > "$R/$name.log" 2>&1; then
    echo "$name TRAIN-FAILED $(tail -2 "$R/$name.log" | tr '\n' ' ')" >> "$OUT/results.txt"; return; fi
  t1=$(date +%s)
  IFS=';' read -ra alts <<< "$evals"; [ ${#alts[@]} -eq 0 ] && alts=("")
  for ev in "${alts[@]}"; do
    res=$(GOMAXPROCS=2 ./gogan eval --samples "$R/$name" $ev --json 2>&1 | tr '\n' ' ')
    echo "$name train_s=$((t1-t0)) args=[$*] eval=[$ev] $res" >> "$OUT/results.txt"
  done
}
export -f job; export START R OUT LIMIT THREADS
grep -v '^#' "$JOBS" | grep . | while IFS='|' read -r name ev args; do printf '%s\0%s\0%s\0' "$name" "$ev" "$args"; done |
  xargs -0 -n 3 -P "$P" bash -c 'job "$0" "$1" $2'
echo "done in $(( $(date +%s) - START )) s" >> "$OUT/results.txt"
