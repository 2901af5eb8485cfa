#!/usr/bin/env bash
# Trains every line of a matrix file in parallel, one thread each, then scores each run
# with `gogan eval --json` and appends one JSON object per run to RESULTS.
#
#   bench/recipes/matrix.sh GOGAN MATRIX RUNS RESULTS
#
# A matrix line is: NAME SEED FLAGS... (blank lines and # comments are skipped), e.g.
#   default 1 --model mlp --epochs 10
#   ema     2 --model mlp --epochs 10 --ema 0.999
# Each run trains with `GOGAN train FLAGS --seed SEED --threads 1 --out RUNS/NAME-sSEED`.
# Made for a many-core machine: run it with at least as many cores as matrix lines.
set -u
gogan=$1 matrix=$2 runs=$3 results=$4
mkdir -p "$runs"
pids=()
while read -r name seed flags; do
	case "$name" in ''|'#'*) continue ;; esac
	run="$runs/$name-s$seed"
	(
		start=$(date +%s)
		# shellcheck disable=SC2086
		"$gogan" train $flags --seed "$seed" --threads 1 --out "$run" >"$run.train.log" 2>&1 || { echo "{\"name\":\"$name\",\"seed\":$seed,\"error\":\"train failed\"}" >>"$results"; exit; }
		train_s=$(( $(date +%s) - start ))
		score=$("$gogan" eval --samples "$run" --json 2>"$run.eval.log") || score=null
		echo "{\"name\":\"$name\",\"seed\":$seed,\"flags\":\"$flags\",\"train_s\":$train_s,\"eval\":$score}" >>"$results"
	) &
	pids+=($!)
done <"$matrix"
wait "${pids[@]}"
