#!/bin/bash
# Calls W2 and W3 of the fourteenth session (see claims-2026-12-03.txt). W2 first, then W3.

# Call W2 (fourteenth session): blocks claimed in shared products ("new", main 8cb40ba) against
# main 82719d7 ("old"): ab.sh with 3x the iterations at 16 threads (6 rounds), BenchmarkSharedBalance
# of new, ab.sh at 2 threads (3 rounds), gemm's tests on 16 threads.
cd "$(dirname "$0")"; H=$PWD; DEVOUT=${OUT:-$H}; R=$H/w2; mkdir -p $R
for f in *.xz; do [ -f "${f%.xz}" ] || xz -dk "$f"; done; chmod +x gogan-* gemm.test
{ date; nproc; cat /proc/loadavg; } > $R/host.txt
OUT=$R SCALE=3 bash ab.sh ./gogan-old ./gogan-new 6 16 > $R/ab16.txt 2>&1; mv $R/ab.jsonl $R/ab16.jsonl
tar czf $DEVOUT/w2.tgz -C $H w2
for c in 16 8; do ./gemm.test -test.run XXX -test.bench SharedBalance -test.benchtime 200x -test.cpu $c >> $R/balance.txt 2>&1; done
tar czf $DEVOUT/w2.tgz -C $H w2
OUT=$R bash ab.sh ./gogan-old ./gogan-new 3 2 > $R/ab2.txt 2>&1; mv $R/ab.jsonl $R/ab2.jsonl
tar czf $DEVOUT/w2.tgz -C $H w2
timeout 60 ./gemm.test -test.run 'ThreadsBitIdentical|SubBands|SharedPackingFallback|Plan' -test.cpu 16 > $R/tests.txt 2>&1; echo "rc=$?" >> $R/tests.txt
{ date; cat /proc/loadavg; } >> $R/host.txt
tar czf $DEVOUT/w2.tgz -C $H w2
cat $R/host.txt; tail -3 $R/tests.txt; cat $R/ab16.txt $R/ab2.txt
grep -h 'Balance' $R/balance.txt | sed 's/BenchmarkSharedBalance\///' | awk '{print $1, $3, $5, $9, $13}'

# ---- W3 ----
# Call W3 (fourteenth session): blocks claimed only where op(B) is packed once ("new") against
# main 82719d7 ("old"), ab.sh with 3x the iterations at 16 threads, 5 rounds.
cd "$(dirname "$0")"; H=$PWD; DEVOUT=${OUT:-$H}; R=$H/w3; mkdir -p $R
for f in *.xz; do [ -f "${f%.xz}" ] || xz -dk "$f"; done; chmod +x gogan-*
{ date; nproc; cat /proc/loadavg; } > $R/host.txt
OUT=$R SCALE=3 bash ab.sh ./gogan-old ./gogan-new 5 16 > $R/ab16.txt 2>&1
{ date; cat /proc/loadavg; } >> $R/host.txt
tar czf $DEVOUT/w3.tgz -C $H w3
cat $R/host.txt $R/ab16.txt
