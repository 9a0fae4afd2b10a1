#!/bin/bash
# Resumption check (issue 14): claims through an executor with a store; a second job killed
# with SIGKILL (its process group, Dask workers included), then restarted; a re-judge from
# the store.
# usage: bash benchmarks/check_resume.sh [WORKDIR]  (emptied first; grokbench[dist] installed)
# env: SCALE (ci), ONLY (T1), WORKERS (2), KILL (first: once a run is stored; half: at half
# the full job's wall time), EXECUTOR (dask, or slurm: then SLURM_ARGS, e.g. "--partition cpu
# --slurm-setup 'source venv/bin/activate'"). Each job has its own baseline cache
# (GROKBENCH_CACHE), store and Slurm job folder. On Slurm the killed client's jobs run on,
# and the restart takes over those it still needs ("of them by a killed job's Slurm jobs").
set -u
W=${1:-/tmp/grokbench-resume}; rm -rf "$W"; mkdir -p "$W"; cd "$W"
SCALE=${SCALE:-ci}; ONLY=${ONLY:-T1}; WORKERS=${WORKERS:-2}; KILL=${KILL:-first}
EXECUTOR=${EXECUTOR:-dask}; SLURM_ARGS=${SLURM_ARGS:-}
run() { if [ "$EXECUTOR" = slurm ]; then where="--slurm-folder $W/jobs-$1 $SLURM_ARGS"
        else where="--threads 1"; fi
        eval GROKBENCH_CACHE=$W/cache-$1 grokbench claims --scale $SCALE --only $ONLY \
        --executor $EXECUTOR --workers $WORKERS $where \
        --report $W/$1.md --json $W/$1.json --store $2 '"${@:3}"'; }
count() { python -c "
import sqlite3,os; p='$W/$1'
print(sqlite3.connect(p).execute(\"select count(*) from runs where status in ('ok','diverged')\").fetchone()[0] if os.path.exists(p) else 0)" 2>/dev/null || echo 0; }
t0=$(date +%s.%N)
run full full.sqlite > full.log 2>&1; echo "full rc=$?"
t1=$(date +%s.%N); full=$(echo "$t1 - $t0" | bc); echo "full job: $full s"; grep "^runs:" full.log
setsid bash -c "$(declare -f run); W=$W SCALE=$SCALE ONLY=$ONLY WORKERS=$WORKERS \
  EXECUTOR=$EXECUTOR SLURM_ARGS=${SLURM_ARGS@Q}; run killed kill.sqlite" > kill1.log 2>&1 &
pid=$!; k0=$(date +%s.%N)
if [ "$KILL" = half ]; then sleep $(echo "$full / 2" | bc)
else stored=0; while [ "$stored" -lt 1 ]; do sleep 0.5; stored=$(count kill.sqlite); done; fi
kill -9 -- -$pid 2>/dev/null; sleep 2  # then any Dask process left, but not this script
for p in $(pgrep -f "dask|distributed"); do [ "$p" = $$ ] || kill -9 "$p" 2>/dev/null; done
half=$(echo "$(date +%s.%N) - $k0" | bc)
echo "killed after ${half} s with $(count kill.sqlite) runs stored"
t2=$(date +%s.%N); run killed kill.sqlite > kill2.log 2>&1; echo "restart rc=$?"
t3=$(date +%s.%N); echo "restart: $(echo "$t3 - $t2" | bc) s"; grep "^runs:\|Slurm jobs" kill2.log
t4=$(date +%s.%N)
GROKBENCH_CACHE=$W/cache-rejudge grokbench claims --scale $SCALE --only $ONLY --store full.sqlite \
    --report $W/rejudge.md --json $W/rejudge.json > rejudge.log 2>&1; echo "rejudge rc=$?"
t5=$(date +%s.%N); echo "re-judge from the store: $(echo "$t5 - $t4" | bc) s"; grep "^runs:" rejudge.log
python - <<'PY'
import json
for n in ("full","killed","rejudge"):
    v=json.load(open(f"{n}.json"))
    vs=v["verdicts"] if isinstance(v,dict) else v
    print(n, [(x["id"], x["status"]) for x in vs])
PY
