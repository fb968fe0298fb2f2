#!/bin/bash
# Panel mode with and without --target-history on R's longitudinal data sets whose target is
# measured at every visit (exported as R holds them; not shipped): test metric of rnam and of the
# last-step baseline, mean ± sd over split seeds 0-4 (the model seed is the split seed).
#   bash bench/target-history.sh          (needs Rscript with HSAUR3, MASS, nlme, lme4; npm run build first)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=$(mktemp -d)
Rscript -e "setwd('$data')
data(toenail, package='HSAUR3'); write.csv(toenail, 'toenail.csv', row.names=FALSE)
data(respiratory, package='HSAUR3'); write.csv(respiratory, 'respiratory.csv', row.names=FALSE)
data(epil, package='MASS'); write.csv(epil, 'epil.csv', row.names=FALSE)
data(Orthodont, package='nlme'); write.csv(as.data.frame(Orthodont), 'orthodont.csv', row.names=FALSE)
data(sleepstudy, package='lme4'); write.csv(sleepstudy, 'sleepstudy.csv', row.names=FALSE)
write.csv(as.data.frame(ChickWeight), 'chickweight.csv', row.names=FALSE)" >/dev/null

run() {
  local name=$1; shift
  for history in "" "--target-history"; do
    local lines=""
    for s in 0 1 2 3 4; do
      local line
      line=$(node "$root/bin/rnam.js" train "$data/$name.csv" "$@" $history --split-seed $s --seed $s --device wasm --out "$data/out" --no-progress 2>&1 | grep '^test ' || true)
      lines="$lines|$line"
    done
    python3 - "$name" "${history:-(none)}" "$lines" <<'PY'
import re, statistics as st, sys
name, history, lines = sys.argv[1], sys.argv[2], [l for l in sys.argv[3].split('|') if l]
if not lines:
    print(f"| {name} | {history} | (no model: no feature besides the target) | |")
    sys.exit()
metric = lines[0].split(':')[0].replace('test ', '')
ours = [float(re.search(r'rnam ([0-9.]+)', l).group(1)) for l in lines]
base = [float(re.search(r'(?:logistic regression|ridge)[a-z ]* ([0-9.]+)$', l).group(1)) for l in lines]
fmt = lambda v: f"{st.mean(v):.3f} ± {st.stdev(v):.3f}"
print(f"| {name} | {history} | {metric} | {fmt(ours)} | {fmt(base)} |")
PY
  done
}

echo "| data | flag | metric | rnam | last-step baseline |"
echo "|---|---|---|---|---|"
run toenail --target outcome --id patientID --time time
run respiratory --target status --id subject --time month
run epil --target y --id subject --time period
run orthodont --target distance --id Subject --time age
run sleepstudy --target Reaction --id Subject --time Days
run chickweight --target weight --id Chick --time Time
rm -rf "$data"
