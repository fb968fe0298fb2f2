#!/bin/bash
# The seed training step when one of the two threads runs at half speed (Linux, 2+ cores, taskset):
# the main thread keeps core 0, every other thread of the process (the wasm worker among them) goes
# to core 1, which a busy loop shares. The pool's threads take tasks as they finish them, so the
# main thread should take over part of the worker's share: the step should land between the
# two-thread and the one-thread times, not at the one-thread time.
#   bash bench/slow-thread.sh            (about a minute)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v taskset >/dev/null || { echo "slow-thread: needs taskset (util-linux)"; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "slow-thread: needs 2 cores"; exit 1; }

step() { # prints the rep times (ms) of the seed step; $1: repetitions, extra env before the call
  node --import tsx bench/peer-rnam.ts --workload seed-train --reps "$1" --min-reps "$1" --budget 300 \
    | tail -1 | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const r=JSON.parse(s);console.log(r.times_s.map(t=>Math.round(t*1000)).join(' '), '| median', Math.round(r.median_s*1000), 'ms')})"
}

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
echo "two threads, nothing else running:  $(step 7)"
echo "one thread (RNAM_THREADS=1):        $(RNAM_THREADS=1 step 5)"

# Pinned run: 16 repetitions; the first few run before the pinning takes effect.
out=$(mktemp)
node --import tsx bench/peer-rnam.ts --workload seed-train --reps 16 --min-reps 16 --budget 300 > "$out" 2>&1 &
runner=$!
sleep 4
pid=$(pgrep -P "$runner" node || echo "$runner")
for task in /proc/"$pid"/task/*; do
  tid=$(basename "$task")
  if [ "$tid" = "$pid" ]; then taskset -p -c 0 "$tid" >/dev/null; else taskset -p -c 1 "$tid" >/dev/null; fi
done
taskset -c 1 node -e "const end = Date.now() + 45000; while (Date.now() < end && process.ppid !== 1) {}" &
hog=$!
wait "$runner"
kill "$hog" 2>/dev/null || true
echo "worker next to a busy loop:         $(tail -1 "$out" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const r=JSON.parse(s);const t=r.times_s.map(t=>Math.round(t*1000));console.log(t.join(' '), '| median of the last 8', [...t.slice(-8)].sort((a,b)=>a-b)[4], 'ms')})")"
rm -f "$out"
