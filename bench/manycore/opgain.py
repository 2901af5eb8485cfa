#!/usr/bin/env python3
"""Per-op gains between thread counts, from `gogan bench --ops --json` files.

usage: opgain.py WORKLOAD-2.json WORKLOAD-8.json WORKLOAD-16.json [top]
Prints each op's ms per iteration at each thread count, its gain from the first to
the last, and its share of the last run's iteration, the longest (last run) first.
"""
import json
import sys

files = sys.argv[1:4]
top = int(sys.argv[4]) if len(sys.argv) > 4 else 30
runs = [json.load(open(f)) for f in files]
per = [r["seconds"] / r["iters"] * 1e3 for r in runs]
print("img/s:", ", ".join(f"{r['threads']}t {r['img_per_s']:.0f}" for r in runs),
      f"gain {runs[-1]['img_per_s'] / runs[0]['img_per_s']:.2f}")
ops = {}
for i, r in enumerate(runs):
    for o in r["ops"]:
        kind = "bwd" if o["backward"] else ("in bwd" if o.get("in_backward") else "")
        ops.setdefault((o["name"], kind, o.get("shape", "")), [0.0] * len(runs))[i] = o["ms_per_iter"]
head = " ".join(f"{r['threads']:>6}t" for r in runs)
print(f"{'op':58s} {head}   gain  share")
for (name, kind, shape), v in sorted(ops.items(), key=lambda kv: -kv[1][-1])[:top]:
    gain = v[0] / v[-1] if v[-1] else 0
    cells = " ".join(f"{x:7.3f}" for x in v)
    print(f"{(name + ' ' + kind).strip() + ' ' + shape:58s} {cells} {gain:6.2f} {100 * v[-1] / per[-1]:5.1f}%")
sums = [sum(v[i] for v in ops.values()) for i in range(len(runs))]
print(f"{'(sum of ops; ms/iter)':58s} " + " ".join(f"{x:7.2f}" for x in sums) + "   " + " ".join(f"{x:.2f}" for x in per))
