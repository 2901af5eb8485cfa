#!/usr/bin/env python3
"""Issue 15's goals from an interleaved call (goals.sh): per workload, gogan's gain from 2 to 16
threads in each round (the two runs back to back, so that a drift of the host's speed between
minutes falls on both), its median, and gogan's 16-thread median over PyTorch's.

usage: goals.py RESULTS_DIR   (the folder of WORK-THREADS-ROUND.json and torch-WORK-THREADS-ROUND.txt,
and ref-WORK-16-ROUND.json when goals.sh ran a reference build: then its 16-thread medians beside).
Where the runs report it (gogan bench since the thirteenth session), the gains are also given from
the rate of each run's median iteration (median_img_per_s), which a few stalled iterations hardly move.
"""
import glob, json, os, re, statistics, sys

res = sys.argv[1]
goals = {"mlp64": 3.5, "mlp256": 5.0, "dcgan": 5.0, "rgb": None}
gg, pt = {}, {}
ref = {}  # a reference build's 16-thread runs (goals.sh's gogan-ref), by (workload, round)
med = {}  # gogan's runs' median-iteration rates, where they report them
for f in glob.glob(os.path.join(res, "*.json")):
    w, t, r = os.path.basename(f)[:-5].rsplit("-", 2)
    j = json.load(open(f))
    if w.startswith("ref-"):
        ref[(w[4:], int(r))] = j["img_per_s"]
        continue
    gg[(w, int(t), int(r))] = j["img_per_s"]
    if j.get("median_img_per_s"):
        med[(w, int(t), int(r))] = j["median_img_per_s"]
for f in glob.glob(os.path.join(res, "torch-*.txt")):
    _, w, t, r = os.path.basename(f)[:-4].split("-")
    m = re.search(r"([0-9.]+) img/s", open(f).read())
    if m:
        pt.setdefault((w, int(t)), []).append(float(m.group(1)))
print(f"{'workload':8} {'2t median':>9} {'16t median':>10} {'gain/round':>28} {'gain (goal)':>13} {'torch 2/16':>13} {'÷torch@16 (2×)':>15}")
for w, goal in goals.items():
    rounds = sorted(r for (x, t, r) in gg if x == w and t == 2 and (w, 16, r) in gg)
    if not rounds:
        continue
    g2 = [gg[(w, 2, r)] for r in rounds]
    g16 = [gg[(w, 16, r)] for r in rounds]
    gains = [b / a for a, b in zip(g2, g16)]
    p2, p16 = pt.get((w, 2), []), pt.get((w, 16), [])
    ratio = statistics.median(g16) / statistics.median(p16) if p16 else float("nan")
    torch = f"{statistics.median(p2):.0f}/{statistics.median(p16):.0f}" if p2 and p16 else "-"
    print(f"{w:8} {statistics.median(g2):9.0f} {statistics.median(g16):10.0f} {' '.join(f'{g:.2f}' for g in gains):>28} "
          f"{statistics.median(gains):6.2f}× ({goal or '-'}) {torch:>13} {ratio:14.2f}×")
if ref:
    print(f"\n{'workload':8} {'16t median':>10} {'ref 16t median':>14} {'÷ref':>6}  ahead of ref in")
    for w in goals:
        rounds = sorted(r for (x, r) in ref if x == w and (w, 16, r) in gg)
        if rounds:
            a = statistics.median(gg[(w, 16, r)] for r in rounds)
            b = statistics.median(ref[(w, r)] for r in rounds)
            ahead = sum(gg[(w, 16, r)] > ref[(w, r)] for r in rounds)
            print(f"{w:8} {a:10.0f} {b:14.0f} {a / b:6.3f}  {ahead} of {len(rounds)} rounds")
if med and len(med) == len(gg):
    print(f"\nfrom the median iterations (median_img_per_s):\n{'workload':8} {'2t median':>9} {'16t median':>10} {'gain/round':>28} {'gain (goal)':>13}")
    for w, goal in goals.items():
        rounds = sorted(r for (x, t, r) in med if x == w and t == 2 and (w, 16, r) in med)
        if rounds:
            gains = [med[(w, 16, r)] / med[(w, 2, r)] for r in rounds]
            print(f"{w:8} {statistics.median(med[(w, 2, r)] for r in rounds):9.0f} {statistics.median(med[(w, 16, r)] for r in rounds):10.0f} "
                  f"{' '.join(f'{g:.2f}' for g in gains):>28} {statistics.median(gains):6.2f}× ({goal or '-'})")
