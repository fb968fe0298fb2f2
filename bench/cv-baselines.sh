#!/bin/bash
# rnam cv against the baselines on the same folds (5-fold: whole ids, stratified for classes), on
# public R data sets exported as R holds them (not shipped): the task's metric, mean ± sd over the
# folds, for rnam's defaults and for each baseline `rnam cv` scores beside it.
#   bash bench/cv-baselines.sh        (needs Rscript with modeldata, mlbench, MASS, HSAUR3, geepack; npm run build first)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
Rscript -e "setwd('$data')
data(penguins, package='modeldata'); write.csv(penguins, 'penguins.csv', row.names=FALSE)
data(credit_data, package='modeldata'); write.csv(credit_data, 'credit.csv', row.names=FALSE)
data(PimaIndiansDiabetes2, package='mlbench'); write.csv(PimaIndiansDiabetes2, 'pima.csv', row.names=FALSE)
data(Boston, package='MASS'); write.csv(Boston, 'boston.csv', row.names=FALSE)
data(toenail, package='HSAUR3'); write.csv(toenail, 'toenail.csv', row.names=FALSE)
data(dietox, package='geepack'); write.csv(dietox, 'dietox.csv', row.names=FALSE)" >/dev/null

run() {
  local name=$1; shift
  local line
  line=$(node "$root/bin/rnam.js" cv "$data/$name.csv" "$@" --device wasm --out "$data/out" 2>&1 | grep ' on the same folds: ' || true)
  python3 - "$name" "$*" "$line" <<'PY'
import re, sys
name, flags, line = sys.argv[1], sys.argv[2], sys.argv[3]
if not line:
    print(f"| {name} | `{flags}` | (no result) | | |")
    sys.exit()
metric, rest = line.split(' on the same folds: ')
parts = dict(re.findall(r'(?:^|[;,] )([a-z][a-z ()]*?) ([0-9.]+ ± [0-9.]+)', rest))
linear = next((v for k, v in parts.items() if k.startswith(('logistic', 'ridge'))), '')
constant = next((v for k, v in parts.items() if k in ('base rate', 'class rates', 'training mean')), '')
persistence = parts.get('persistence', '')
print(f"| {name} | `{flags}` | {metric} | {parts.get('rnam', '')} | {linear} | {persistence} | {constant} |")
PY
}

echo "| data | flags | metric | rnam | logistic regression / ridge | persistence | base rate / class rates / mean |"
echo "|---|---|---|---|---|---|---|"
run penguins --target species
run pima --target diabetes
run credit --target Status
run boston --target medv
run toenail --id patientID --time time --target outcome --target-history
run dietox --id Pig --time Time --target Weight --target-history
