#!/bin/bash
# rnam cv against the baselines on the same folds (5-fold: whole ids, stratified for classes), on
# public R data sets exported as R holds them (not shipped): the task's metric, mean ± sd over the
# folds, for rnam's defaults and for each baseline `rnam cv` scores beside it; on the plain tables also
# xgboost on the same folds (bench/baselines/xgb_folds.py: depth 3, and depth 1, an additive model).
#   bash bench/cv-baselines.sh        (needs Rscript with modeldata, mlbench, MASS, HSAUR3, geepack, AER;
#                                      python3-xgboost; npm run build first)
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
data(dietox, package='geepack'); write.csv(dietox, 'dietox.csv', row.names=FALSE)
data(mlc_churn, package='modeldata'); write.csv(as.data.frame(mlc_churn), 'churn.csv', row.names=FALSE)
data(attrition, package='modeldata'); write.csv(as.data.frame(attrition), 'attrition.csv', row.names=FALSE)
data(HMDA, package='AER'); write.csv(HMDA, 'hmda.csv', row.names=FALSE)" >/dev/null

run() {
  local name=$1; shift
  local line xgb3="" xgb1=""
  line=$(node "$root/bin/rnam.js" cv "$data/$name.csv" "$@" --device wasm --out "$data/out" 2>&1 | grep ' on the same folds: ' || true)
  # A plain table (no --id): xgboost on the folds rnam used (oof.csv names each row's fold).
  if [[ -n "$line" && " $* " != *" --id "* ]]; then
    local target task
    target=$(sed -E 's/.*--target ([^ ]+).*/\1/' <<< "$*")
    case "$line" in auc*) task=binary ;; rmse*) task=regression ;; *) task=multiclass ;; esac
    xgb3=$(cd "$root/bench/baselines" && /usr/bin/python3 xgb_folds.py "$data/$name.csv" "$data/out/oof.csv" "$target" "$task")
    xgb1=$(cd "$root/bench/baselines" && /usr/bin/python3 xgb_folds.py "$data/$name.csv" "$data/out/oof.csv" "$target" "$task" 1)
  fi
  python3 - "$name" "$*" "$line" "$xgb3" "$xgb1" <<'PY'
import re, sys
name, flags, line, xgb3, xgb1 = sys.argv[1:6]
if not line:
    print(f"| {name} | `{flags}` | (no result) | | | | | | |")
    sys.exit()
metric, rest = line.split(' on the same folds: ')
parts = dict(re.findall(r'(?:^|[;,] )([a-z][a-z ()]*?) ([0-9.]+ ± [0-9.]+)', rest))
linear = next((v for k, v in parts.items() if k.startswith(('logistic', 'ridge'))), '')
constant = next((v for k, v in parts.items() if k in ('base rate', 'class rates', 'training mean')), '')
persistence = parts.get('persistence', '')
print(f"| {name} | `{flags}` | {metric} | {parts.get('rnam', '')} | {linear} | {xgb3} | {xgb1} | {persistence} | {constant} |")
PY
}

echo "| data | flags | metric | rnam | logistic regression / ridge | xgboost | xgboost, depth 1 | persistence | base rate / class rates / mean |"
echo "|---|---|---|---|---|---|---|---|---|"
run penguins --target species
run pima --target diabetes
run credit --target Status
run boston --target medv
run churn --target churn
run attrition --target Attrition
run hmda --target deny
run toenail --id patientID --time time --target outcome --target-history
run dietox --id Pig --time Time --target Weight --target-history
