#!/bin/bash
# Call P4: main+pairs against main, ab.sh 10 rounds at 16 threads, 4 at 2.
# (Call P1 ran ab.sh 4 16, ab.sh 2 8 and, against a build with pairs from 2 threads, ab.sh 2 2; call P3 ab.sh 4 16,
# PyTorch at 16, ab.sh 2 2, PyTorch at 2, as in final-e-2026-12-02d.sh.) The binaries travel as bins.tar.xz.
cd "$(dirname "$0")"; H=$PWD; DEVOUT=${OUT:-$H}
tar xJf bins.tar.xz
R=$H/res4; mkdir -p $R
{ date; nproc; cat /proc/loadavg; } > $R/host.txt
OUT=$R timeout 280 bash ab.sh ./gogan-old ./gogan-new 10 16 > $R/ab16.txt 2>&1; mv $R/ab.jsonl $R/ab16.jsonl
OUT=$R timeout 180 bash ab.sh ./gogan-old ./gogan-new 4 2 > $R/ab2.txt 2>&1; mv $R/ab.jsonl $R/ab2.jsonl
{ date; cat /proc/loadavg; } >> $R/host.txt
cat $R/host.txt $R/ab16.txt $R/ab2.txt
tar czf $DEVOUT/res.tgz -C $H res4
