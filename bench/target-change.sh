#!/bin/bash
# A regression over its own target's history learned as the change from the last known value (the
# default) or as the value itself (--target-change off), on public R data sets exported as R holds
# them (not shipped) and the shipped ozone series: test RMSE, mean ± sd over seeds, with persistence
# and the last-step ridge that `train` prints beside it. Window mode: the CLI's time split, model
# seeds 0-2; panels with --target-history: split and model seeds 0-4.
#   npm run build && bash bench/target-change.sh     (needs Rscript with AER, ggplot2, lme4, MASS, nlme)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
Rscript -e "setwd('$data')
data(Fatalities, package='AER'); write.csv(Fatalities, 'fatalities.csv')
write.csv(ggplot2::economics, 'economics.csv', row.names=FALSE)
write.csv(as.data.frame(Theoph), 'theoph.csv')
data(sleepstudy, package='lme4'); write.csv(sleepstudy, 'sleepstudy.csv')
write.csv(data.frame(month=sprintf('%d-%02d', floor(time(AirPassengers)), cycle(AirPassengers)), passengers=as.numeric(AirPassengers)), 'airpassengers.csv', row.names=FALSE)
data(epil, package='MASS'); write.csv(epil, 'epil.csv')
data(Orthodont, package='nlme'); write.csv(as.data.frame(Orthodont), 'orthodont.csv')
write.csv(as.data.frame(ChickWeight), 'chickweight.csv')" >/dev/null
cp "$root/examples/data/ozone.csv" "$data/ozone.csv"

run() {
  local name=$1 seeds=$2; shift 2
  local lines=""
  for change in on off; do
    for s in $seeds; do
      local line
      line=$(node "$root/bin/rnam.js" train "$data/$name.csv" "$@" --target-change $change --seed $s --split-seed $s --device wasm --out "$data/out" --no-progress 2>&1 | grep '^test rmse')
      lines="$lines|$change $line"
    done
  done
  python3 - "$name" "$lines" <<'PY'
import re, statistics as st, sys
name, lines = sys.argv[1], [l for l in sys.argv[2].split('|') if l]
pick = lambda change, pattern: [float(re.search(pattern, l).group(1)) for l in lines if l.startswith(change + ' ')]
fmt = lambda v: f"{st.mean(v):.3f} ± {st.stdev(v):.3f}" if len(v) > 1 else f"{v[0]:.3f}"
on, off = pick('on', r'rnam ([0-9.]+)'), pick('off', r'rnam ([0-9.]+)')
persistence, ridge = pick('on', r'persistence ([0-9.]+)'), pick('on', r'ridge on the last step ([0-9.]+)')
best = lambda a, b: f"**{fmt(a)}**" if st.mean(a) <= st.mean(b) else fmt(a)
print(f"| {name} | {best(on, off)} | {best(off, on)} | {fmt(persistence)} | {fmt(ridge)} |")
PY
}

echo "| data | change (default) | value (\`--target-change off\`) | persistence | ridge on the last step |"
echo "|---|---|---|---|---|"
run fatalities "0 1 2" --id state --time year --target fatal --window 3
run economics "0 1 2" --time date --target unemploy --window 12
run theoph "0 1 2" --id Subject --time Time --target conc --window 3
run sleepstudy "0 1 2" --id Subject --time Days --target Reaction --window 3
run airpassengers "0 1 2" --time month --target passengers --window 12
run ozone "0 1 2" --time date --target ozone --window 7
run epil "0 1 2 3 4" --id subject --time period --target y --target-history
run orthodont "0 1 2 3 4" --id Subject --time age --target distance --target-history
run sleepstudy "0 1 2 3 4" --id Subject --time Days --target Reaction --target-history
run chickweight "0 1 2 3 4" --id Chick --time Time --target weight --target-history
