#!/usr/bin/env python3
"""The 2 -> 16 thread gains of the goals beside what the host gives, round by round.

usage: ceiling.py FILE...   (ceiling-2026-12-03.txt, or x3/ceiling.txt x3/runs.jsonl)
The files hold, for each round, BenchmarkSgemmIndependent lines prefixed "round N" (-cpu 2 and
16) and one JSON line per gogan run (round, work, threads, img_per_s, median_img_per_s), as
ceiling-2026-12-03.sh writes them. The host's gain for a shape is 16 cores' GFLOP/s against 2
cores', every core running serial products of its own: no sharing can gain more.
"""
import json
import re
import statistics
import sys

ceiling, runs = {}, {}
for line in (l for f in sys.argv[1:] for l in open(f)):
    m = re.match(r'round (\d+) BenchmarkSgemmIndependent/(\w+?)_\S+-(\d+)\s+\d+\s+\d+ ns/op\s+([\d.]+)', line)
    if m:
        ceiling[int(m[1]), m[2], int(m[3])] = float(m[4])
    elif line.startswith('{'):
        r = json.loads(line)
        runs[r['round'], r['work'], r['threads']] = r
rounds = sorted({k[0] for k in ceiling})
works = ['mlp64', 'mlp256', 'dcgan']
print('round  host gain: conv dense | gogan gain (mean rate): ' + ' '.join(works) + ' | from the median iterations')
cols = {k: [] for k in ['conv', 'dense'] + works + [w + '*' for w in works]}
for r in rounds:
    host = {s: 8 * ceiling[r, s, 16] / ceiling[r, s, 2] for s in ['conv', 'dense']}
    gain = {w: runs[r, w, 16]['img_per_s'] / runs[r, w, 2]['img_per_s'] for w in works}
    med = {w: runs[r, w, 16]['median_img_per_s'] / runs[r, w, 2]['median_img_per_s'] for w in works}
    for s, v in host.items():
        cols[s].append(v)
    for w in works:
        cols[w].append(gain[w])
        cols[w + '*'].append(med[w])
    print(f"{r:5}  {host['conv']:15.2f} {host['dense']:5.2f} | " + ' '.join(f'{gain[w]:6.2f}' for w in works)
          + ' | ' + ' '.join(f'{med[w]:6.2f}' for w in works))
print('median ' + ' '.join(f'{k} {statistics.median(v):.2f}' for k, v in cols.items()))
for w in works:
    two = statistics.median(runs[r, w, 2]['img_per_s'] for r in rounds)
    sixteen = statistics.median(runs[r, w, 16]['img_per_s'] for r in rounds)
    lo2, hi2 = min(runs[r, w, 2]['img_per_s'] for r in rounds), max(runs[r, w, 2]['img_per_s'] for r in rounds)
    lo16, hi16 = min(runs[r, w, 16]['img_per_s'] for r in rounds), max(runs[r, w, 16]['img_per_s'] for r in rounds)
    print(f'{w}: 2 threads {two:.0f} ({lo2:.0f}-{hi2:.0f}), 16 threads {sixteen:.0f} ({lo16:.0f}-{hi16:.0f}) img/s')
