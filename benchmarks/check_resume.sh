#!/bin/bash
# Resumption check (issue 14): T1 at ci on Dask with a store; a second job killed with
# SIGKILL once it has stored a run, then restarted; a re-judge from the store.
# usage: bash benchmarks/check_resume.sh [WORKDIR]  (emptied first; grokbench[dist] installed)
set -u
W=${1:-/tmp/grokbench-resume}; rm -rf "$W"; mkdir -p "$W"; cd "$W"
run() { grokbench claims --scale ci --only T1 --executor dask --workers 2 --threads 1 \
        --report $W/$1.md --json $W/$1.json --store $2 "${@:3}"; }
t0=$(date +%s.%N)
run full full.sqlite > full.log 2>&1; echo "full rc=$?"
t1=$(date +%s.%N); full=$(echo "$t1 - $t0" | bc); echo "full job: $full s"; grep "^runs:" full.log
setsid bash -c "$(declare -f run); W=$W; run killed kill.sqlite" > kill1.log 2>&1 &
pid=$!; k0=$(date +%s.%N); stored=0
while [ "$stored" -lt 1 ]; do sleep 0.5; stored=$(python -c "
import sqlite3,os; p='$W/kill.sqlite'
print(sqlite3.connect(p).execute('select count(*) from runs').fetchone()[0] if os.path.exists(p) else 0)" 2>/dev/null || echo 0); done
kill -9 -- -$pid 2>/dev/null; sleep 2; pkill -9 -f "dask|distributed" 2>/dev/null
half=$(echo "$(date +%s.%N) - $k0" | bc)
stored=$(python - <<'PY'
import sqlite3; c=sqlite3.connect("kill.sqlite")
print(c.execute("select count(*) from runs").fetchone()[0])
PY
); echo "killed after ${half} s with $stored runs stored"
t2=$(date +%s.%N); run killed kill.sqlite > kill2.log 2>&1; echo "restart rc=$?"
t3=$(date +%s.%N); echo "restart: $(echo "$t3 - $t2" | bc) s"; grep "^runs:" kill2.log
t4=$(date +%s.%N); grokbench claims --scale ci --only T1 --store full.sqlite --report $W/rejudge.md --json $W/rejudge.json > rejudge.log 2>&1; echo "rejudge rc=$?"
t5=$(date +%s.%N); echo "re-judge from the store: $(echo "$t5 - $t4" | bc) s"; grep "^runs:" rejudge.log
python - <<'PY'
import json
for n in ("full","killed","rejudge"):
    v=json.load(open(f"{n}.json"))
    vs=v["verdicts"] if isinstance(v,dict) else v
    print(n, [(x["id"], x["status"]) for x in vs])
PY
