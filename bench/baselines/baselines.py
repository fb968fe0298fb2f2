#!/usr/bin/python3
"""Baselines for the data sets in examples/data/ (see docs/data.md for the protocol).

Run from the repository root:  /usr/bin/python3 bench/baselines/baselines.py
Needs Debian's python3-sklearn, python3-xgboost and python3-pandas.
Prints a markdown table, writes bench/baselines/results.json and
examples/data/<name>.splits.json (seed -> test ids / rows / dates).
"""
import json
import os
import sys
import time

import numpy as np
import pandas as pd
import sklearn
import xgboost as xgb
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import log_loss, mean_absolute_error, mean_squared_error, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "examples", "data")
SEEDS = [0, 1, 2, 3, 4]
N_THREADS = 1  # the machine is shared; one thread is faster there and bitwise stable
EPS = 1e-15


def rmse(y, p):
    return float(np.sqrt(mean_squared_error(y, p)))


def one_hot(train, test, cols):
    """One-hot text columns with the categories seen in train (unseen -> all zeros)."""
    tr, te = [], []
    for c in cols:
        cats = sorted(train[c].dropna().unique())
        tr.append(np.stack([(train[c] == v).to_numpy(float) for v in cats], 1))
        te.append(np.stack([(test[c] == v).to_numpy(float) for v in cats], 1))
    return np.hstack(tr), np.hstack(te)


def xgb_params(seed, objective):
    # fixed, untuned settings shared by every data set
    return dict(n_estimators=300, learning_rate=0.05, max_depth=3, subsample=0.8,
                colsample_bytree=0.8, min_child_weight=1.0, reg_lambda=1.0,
                objective=objective, random_state=seed, n_jobs=N_THREADS, tree_method="hist")


def clip(p):
    return np.clip(p, EPS, 1 - EPS)


# ---------------------------------------------------------------- panels: csl, nafld
def panel_features(d, meas, statics, target):
    """Per-entity features: last observed value of each measurement (carried forward,
    train-mean fill if never observed) and summaries (last, mean, min, max, slope per day,
    count of observations, time span) plus statics."""
    rows = []
    for eid, g in d.groupby("id", sort=True):
        g = g.sort_values("day")
        r = {"id": eid}
        r["n_visits"] = len(g)
        r["span_days"] = float(g["day"].iloc[-1] - g["day"].iloc[0])
        r["last_day"] = float(g["day"].iloc[-1])
        for m in meas:
            obs = g[["day", m]].dropna()
            r[m + "_count"] = len(obs)
            if len(obs):
                r[m + "_last"] = obs[m].iloc[-1]
                r[m + "_mean"] = obs[m].mean()
                r[m + "_min"] = obs[m].min()
                r[m + "_max"] = obs[m].max()
                if len(obs) >= 2 and obs["day"].nunique() >= 2:
                    r[m + "_slope"] = np.polyfit(obs["day"].to_numpy(float), obs[m].to_numpy(float), 1)[0]
                else:
                    r[m + "_slope"] = np.nan
            else:
                for s in ("_last", "_mean", "_min", "_max", "_slope"):
                    r[m + s] = np.nan
        for s in statics:
            r[s] = g[s].iloc[0]
        r["y"] = int(g[target].iloc[-1])
        rows.append(r)
    return pd.DataFrame(rows).set_index("id")


def run_panel(name, target, meas, num_statics, cat_statics):
    """Split by patient (30% to test, stratified on the target); base rate, logistic regression on the
    last observed values plus statics, xgboost on per-patient summaries plus statics."""
    d = pd.read_csv(os.path.join(DATA, name + ".csv"))
    E = panel_features(d, meas, num_statics + cat_statics, target)
    ids = E.index.to_numpy()
    y = E["y"].to_numpy()
    # inputs that some patient lacks (a measurement never observed, a missing static number) also get
    # an indicator "observed" next to their training-mean fill; a data set without gaps gets none
    last_cols = [m + "_last" for m in meas] + num_statics
    gaps = [c for c in last_cols if E[c].isna().any()]
    splits, res = {}, {"base_rate": [], "logreg_last": [], "logreg_last_plain": [], "xgb_summaries": []}
    for seed in SEEDS:
        tr_ids, te_ids = train_test_split(ids, test_size=0.3, random_state=seed, stratify=y)
        splits[str(seed)] = sorted(int(i) for i in te_ids)
        tr, te = E.loc[sorted(tr_ids)], E.loc[sorted(te_ids)]
        ytr, yte = tr["y"].to_numpy(), te["y"].to_numpy()
        # base rate
        p0 = np.full(len(te), ytr.mean())
        res["base_rate"].append({"auc": 0.5, "logloss": log_loss(yte, clip(p0), labels=[0, 1])})
        # logistic regression on last observed values + statics
        Xtr = tr[last_cols].astype(float)
        mu = Xtr.mean()
        Xtr, Xte = Xtr.fillna(mu).to_numpy(), te[last_cols].astype(float).fillna(mu).to_numpy()
        ctr, cte = one_hot(tr, te, cat_statics)
        itr = tr[gaps].notna().to_numpy(float).reshape(len(tr), len(gaps))
        ite = te[gaps].notna().to_numpy(float).reshape(len(te), len(gaps))
        sc = StandardScaler().fit(Xtr)
        Atr, Ate = np.hstack([sc.transform(Xtr), ctr, itr]), np.hstack([sc.transform(Xte), cte, ite])
        lr = LogisticRegression(C=1.0, max_iter=2000).fit(Atr, ytr)
        p = lr.predict_proba(Ate)[:, 1]
        res["logreg_last"].append({"auc": roc_auc_score(yte, p), "logloss": log_loss(yte, clip(p))})
        # the same without the indicators: each lab's last value, the training mean where there is none
        lr = LogisticRegression(C=1.0, max_iter=2000).fit(Atr[:, :Atr.shape[1] - len(gaps)], ytr)
        p = lr.predict_proba(Ate[:, :Ate.shape[1] - len(gaps)])[:, 1]
        res["logreg_last_plain"].append({"auc": roc_auc_score(yte, p), "logloss": log_loss(yte, clip(p))})
        # xgboost on summaries + statics (NaN left to xgboost's missing-value handling)
        sum_cols = ["n_visits", "span_days", "last_day"] + [m + s for m in meas for s in
                    ("_last", "_mean", "_min", "_max", "_slope", "_count")] + num_statics
        Btr = np.hstack([tr[sum_cols].astype(float).to_numpy(), ctr])
        Bte = np.hstack([te[sum_cols].astype(float).to_numpy(), cte])
        m = xgb.XGBClassifier(**xgb_params(seed, "binary:logistic")).fit(Btr, ytr)
        p = m.predict_proba(Bte)[:, 1]
        res["xgb_summaries"].append({"auc": roc_auc_score(yte, p), "logloss": log_loss(yte, clip(p))})
    info = {"entities": int(len(E)), "rows": int(len(d)), "positives": int(y.sum()),
            "test_entities": len(splits["0"])}
    return res, splits, info


def run_csl():
    return run_panel("csl", "died_within_3y", ["prot"], ["prot_base", "age"], ["sex", "treatment"])


def run_nafld():
    return run_panel("nafld", "died_within_5y", ["hdl", "sbp", "fib4", "smoke"], ["age", "bmi"],
                     ["sex", "diabetes", "hypertension", "dyslipidemia", "cardiovascular"])


# ---------------------------------------------------------------- tabular: cps1985
def run_cps1985():
    d = pd.read_csv(os.path.join(DATA, "cps1985.csv"))
    num = ["education", "experience", "age"]
    cat = ["ethnicity", "region", "gender", "occupation", "sector", "union", "married"]
    rows = d["row"].to_numpy()
    splits, res = {}, {"mean": [], "ridge": [], "ridge_logwage": [], "xgb": []}
    for seed in SEEDS:
        tr_rows, te_rows = train_test_split(rows, test_size=0.3, random_state=seed)
        splits[str(seed)] = sorted(int(r) for r in te_rows)
        tr = d[d["row"].isin(tr_rows)].reset_index(drop=True)
        te = d[d["row"].isin(te_rows)].reset_index(drop=True)
        ytr, yte = tr["wage"].to_numpy(), te["wage"].to_numpy()
        sc = StandardScaler().fit(tr[num].to_numpy(float))
        ctr, cte = one_hot(tr, te, cat)
        Atr = np.hstack([sc.transform(tr[num].to_numpy(float)), ctr])
        Ate = np.hstack([sc.transform(te[num].to_numpy(float)), cte])
        p = np.full(len(te), ytr.mean())
        res["mean"].append({"rmse": rmse(yte, p), "mae": mean_absolute_error(yte, p)})
        p = Ridge(alpha=1.0).fit(Atr, ytr).predict(Ate)
        res["ridge"].append({"rmse": rmse(yte, p), "mae": mean_absolute_error(yte, p)})
        # the textbook model: ridge on log(wage), back-transformed with exp (no smearing)
        p = np.exp(Ridge(alpha=1.0).fit(Atr, np.log(ytr)).predict(Ate))
        res["ridge_logwage"].append({"rmse": rmse(yte, p), "mae": mean_absolute_error(yte, p)})
        m = xgb.XGBRegressor(**xgb_params(seed, "reg:squarederror")).fit(Atr, ytr)
        p = m.predict(Ate)
        res["xgb"].append({"rmse": rmse(yte, p), "mae": mean_absolute_error(yte, p)})
    info = {"rows": int(len(d)), "test_rows": len(splits["0"])}
    return res, splits, info


# ---------------------------------------------------------------- tabular, multiclass: penguins
def run_penguins():
    """Rows split 30% to test, stratified on the species; the training class shares, the multinomial
    logistic regression (scikit-learn's default, C = 1) on the standardized numbers (train-mean
    filled) plus one-hot text columns (a missing level: all zeros), and xgboost (multi:softprob) on
    the raw numbers (NaN left to xgboost) plus the same one-hot columns."""
    d = pd.read_csv(os.path.join(DATA, "penguins.csv"))
    num, cat = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"], ["island", "sex"]
    classes = sorted(d["species"].unique())
    rows, y = d["row"].to_numpy(), d["species"].map({c: k for k, c in enumerate(classes)}).to_numpy()
    labels = list(range(len(classes)))
    splits, res = {}, {"class_rates": [], "logreg": [], "xgb": []}

    def scores(yte, p):
        return {"accuracy": float((p.argmax(1) == yte).mean()), "logloss": log_loss(yte, np.clip(p, EPS, 1), labels=labels)}

    for seed in SEEDS:
        tr_rows, te_rows = train_test_split(rows, test_size=0.3, random_state=seed, stratify=y)
        splits[str(seed)] = sorted(int(r) for r in te_rows)
        tr = d[d["row"].isin(tr_rows)].reset_index(drop=True)
        te = d[d["row"].isin(te_rows)].reset_index(drop=True)
        ytr, yte = y[tr["row"].to_numpy() - 1], y[te["row"].to_numpy() - 1]
        shares = np.bincount(ytr, minlength=len(classes)) / len(ytr)
        res["class_rates"].append(scores(yte, np.tile(shares, (len(te), 1))))
        mu = tr[num].mean()
        sc = StandardScaler().fit(tr[num].fillna(mu).to_numpy(float))
        ctr, cte = one_hot(tr, te, cat)
        Atr = np.hstack([sc.transform(tr[num].fillna(mu).to_numpy(float)), ctr])
        Ate = np.hstack([sc.transform(te[num].fillna(mu).to_numpy(float)), cte])
        m = LogisticRegression(C=1.0, max_iter=10000).fit(Atr, ytr)
        res["logreg"].append(scores(yte, m.predict_proba(Ate)))
        Xtr, Xte = np.hstack([tr[num].to_numpy(float), ctr]), np.hstack([te[num].to_numpy(float), cte])
        m = xgb.XGBClassifier(**xgb_params(seed, "multi:softprob")).fit(Xtr, ytr)
        res["xgb"].append(scores(yte, m.predict_proba(Xte)))
    info = {"rows": int(len(d)), "test_rows": len(splits["0"]), "classes": classes}
    return res, splits, info


# ---------------------------------------------------------------- tabular, clinical: flchain
def run_flchain():
    """Split by subject (30% to test, stratified on the target); base rate, logistic regression on the
    standardized numbers (creatinine mean-filled, with and without an indicator that it was measured)
    plus one-hot text columns, and xgboost on the raw numbers (NaN left to xgboost)."""
    d = pd.read_csv(os.path.join(DATA, "flchain.csv"))
    num, cat = ["age", "sample_yr", "kappa", "lambda", "creatinine"], ["sex", "mgus"]
    rows, y = d["row"].to_numpy(), d["died_within_5y"].to_numpy()
    splits, res = {}, {"base_rate": [], "logreg": [], "logreg_plain": [], "xgb": []}
    for seed in SEEDS:
        tr_rows, te_rows = train_test_split(rows, test_size=0.3, random_state=seed, stratify=y)
        splits[str(seed)] = sorted(int(r) for r in te_rows)
        tr = d[d["row"].isin(tr_rows)].reset_index(drop=True)
        te = d[d["row"].isin(te_rows)].reset_index(drop=True)
        ytr, yte = tr["died_within_5y"].to_numpy(), te["died_within_5y"].to_numpy()
        p0 = np.full(len(te), ytr.mean())
        res["base_rate"].append({"auc": 0.5, "logloss": log_loss(yte, clip(p0), labels=[0, 1])})
        mu = tr[num].mean()
        Xtr, Xte = tr[num].fillna(mu).to_numpy(float), te[num].fillna(mu).to_numpy(float)
        sc = StandardScaler().fit(Xtr)
        ctr, cte = one_hot(tr, te, cat)
        itr, ite = tr[["creatinine"]].notna().to_numpy(float), te[["creatinine"]].notna().to_numpy(float)
        for key, extra in (("logreg", True), ("logreg_plain", False)):
            Atr = np.hstack([sc.transform(Xtr), ctr] + ([itr] if extra else []))
            Ate = np.hstack([sc.transform(Xte), cte] + ([ite] if extra else []))
            p = LogisticRegression(C=1.0, max_iter=2000).fit(Atr, ytr).predict_proba(Ate)[:, 1]
            res[key].append({"auc": roc_auc_score(yte, p), "logloss": log_loss(yte, clip(p))})
        Btr = np.hstack([tr[num].to_numpy(float), ctr])
        Bte = np.hstack([te[num].to_numpy(float), cte])
        m = xgb.XGBClassifier(**xgb_params(seed, "binary:logistic")).fit(Btr, ytr)
        p = m.predict_proba(Bte)[:, 1]
        res["xgb"].append({"auc": roc_auc_score(yte, p), "logloss": log_loss(yte, clip(p))})
    info = {"rows": int(len(d)), "positives": int(y.sum()), "test_rows": len(splits["0"]),
            "empty_creatinine": int(d["creatinine"].isna().sum())}
    return res, splits, info


# ---------------------------------------------------------------- series: chicago
WINDOW = 14
HORIZON = 1


def run_chicago():
    d = pd.read_csv(os.path.join(DATA, "chicago.csv"))
    target = "ridership"
    cov = ["temp_min", "temp", "temp_max", "percip", "weather_rain", "weather_snow", "weather_cloud",
           "weather_storm", "Bulls_Home", "Bears_Home", "Blackhawks_Home", "WhiteSox_Home", "Cubs_Home"]
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    wd = np.stack([(d["weekday"] == v).to_numpy(float) for v in days], 1)
    num = d[[target] + cov].to_numpy(float)
    step = np.hstack([num, wd])            # one step's features (the target column included)
    n = len(d)
    # sample t: window rows t-WINDOW+1..t, target at t+HORIZON
    ts = np.arange(WINDOW - 1, n - HORIZON)
    y = d[target].to_numpy(float)[ts + HORIZON]
    n_test = int(round(0.2 * n))
    first_test_row = n - n_test            # the last 20% of days are test targets
    is_test = ts + HORIZON >= first_test_row
    # training samples' targets lie strictly before the first test day
    X_last = step[ts]
    X_lag = np.hstack([step[ts - k] for k in range(WINDOW)])
    # the same time split for every seed: a sample is a test sample when its target's date is on or
    # after first_test_date; the seeds vary only the models' randomness (xgboost's row/column sampling)
    splits = {str(s): {"first_test_date": str(d["date"].iloc[first_test_row]),
                       "last_test_date": str(d["date"].iloc[-1]),
                       "rule": "test sample <=> date of its target >= first_test_date",
                       "window": WINDOW, "horizon": HORIZON} for s in SEEDS}
    res = {"persistence": [], "seasonal_naive_7": [], "ridge_last_step": [], "xgb_lags": []}
    ytr, yte = y[~is_test], y[is_test]
    for seed in SEEDS:
        p = d[target].to_numpy(float)[ts[is_test]]
        res["persistence"].append({"rmse": rmse(yte, p), "mae": mean_absolute_error(yte, p)})
        p = d[target].to_numpy(float)[ts[is_test] + HORIZON - 7]
        res["seasonal_naive_7"].append({"rmse": rmse(yte, p), "mae": mean_absolute_error(yte, p)})
        sc = StandardScaler().fit(X_last[~is_test])
        r = Ridge(alpha=1.0).fit(sc.transform(X_last[~is_test]), ytr)
        p = r.predict(sc.transform(X_last[is_test]))
        res["ridge_last_step"].append({"rmse": rmse(yte, p), "mae": mean_absolute_error(yte, p)})
        m = xgb.XGBRegressor(**xgb_params(seed, "reg:squarederror")).fit(X_lag[~is_test], ytr)
        p = m.predict(X_lag[is_test])
        res["xgb_lags"].append({"rmse": rmse(yte, p), "mae": mean_absolute_error(yte, p)})
    info = {"rows": int(n), "train_samples": int((~is_test).sum()), "test_samples": int(is_test.sum()),
            "window": WINDOW, "horizon": HORIZON,
            "first_test_date": str(d["date"].iloc[first_test_row])}
    return res, splits, info


# ---------------------------------------------------------------- small series: ozone
OZ_WINDOW = 7
OZ_TRAIN_DAYS = 153      # each origin trains on the 153 days before it
OZ_TEST_DAYS = 30        # and tests on the 30 days after it
OZ_FIRST_ORIGIN = 153    # origins at days 153, 183, ..., one per seed


def run_ozone():
    """Rolling origin on a small daily series with empty cells: seed s trains on the 153 days before
    day 153 + 30 s and tests on the 30 days from it. A sample is the window of 7 days ending at day t,
    its target the ozone of day t + 1; samples whose target is missing are left out."""
    d = pd.read_csv(os.path.join(DATA, "ozone.csv"))
    target = "ozone"
    num_cols = ["ozone", "height_500mb", "wind", "humidity", "temp_sandburg", "temp_elmonte",
                "inversion_height", "pressure_gradient", "inversion_temp", "visibility"]
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    wd = np.stack([(d["weekday"] == v).to_numpy(float) for v in days], 1)
    raw = d[num_cols].to_numpy(float)
    carried = d[num_cols].ffill().to_numpy(float)   # the last value seen by each day (NaN before the first)
    y_all = d[target].to_numpy(float)
    n = len(d)
    res = {"training_mean": [], "persistence": [], "ridge_last_step": [], "xgb_lags": []}
    splits = {}
    for seed in SEEDS:
        origin = OZ_FIRST_ORIGIN + OZ_TEST_DAYS * seed
        lo = origin - OZ_TRAIN_DAYS
        ts = np.arange(OZ_WINDOW - 1, n - 1)
        tr = (ts - OZ_WINDOW + 1 >= lo) & (ts + 1 < origin) & ~np.isnan(y_all[ts + 1])
        te = (ts + 1 >= origin) & (ts + 1 < origin + OZ_TEST_DAYS) & ~np.isnan(y_all[ts + 1])
        ytr, yte = y_all[ts[tr] + 1], y_all[ts[te] + 1]
        fill = np.nanmean(raw[lo:origin], 0)         # training-period means for never-seen values
        last = np.where(np.isnan(carried), fill, carried)
        x_last = np.hstack([last, ~np.isnan(raw), wd])
        x_lag = np.hstack([np.hstack([raw[ts - k], wd[ts - k]]) for k in range(OZ_WINDOW)])
        p = np.full(len(yte), ytr.mean())
        res["training_mean"].append({"rmse": rmse(yte, p), "mae": mean_absolute_error(yte, p)})
        p = last[ts[te], 0]
        res["persistence"].append({"rmse": rmse(yte, p), "mae": mean_absolute_error(yte, p)})
        sc = StandardScaler().fit(x_last[ts[tr]])
        r = Ridge(alpha=1.0).fit(np.nan_to_num(sc.transform(x_last[ts[tr]])), ytr)
        p = r.predict(np.nan_to_num(sc.transform(x_last[ts[te]])))
        res["ridge_last_step"].append({"rmse": rmse(yte, p), "mae": mean_absolute_error(yte, p)})
        m = xgb.XGBRegressor(**xgb_params(seed, "reg:squarederror")).fit(x_lag[tr], ytr)   # x_lag: one row per sample
        p = m.predict(x_lag[te])
        res["xgb_lags"].append({"rmse": rmse(yte, p), "mae": mean_absolute_error(yte, p)})
        splits[str(seed)] = {"first_train_date": str(d["date"].iloc[lo]), "first_test_date": str(d["date"].iloc[origin]),
                             "last_test_date": str(d["date"].iloc[origin + OZ_TEST_DAYS - 1]),
                             "rule": "train on rows first_train_date <= date < first_test_date; "
                                     "test samples: target date in [first_test_date, last_test_date], target known",
                             "window": OZ_WINDOW, "horizon": 1, "train_samples": int(tr.sum()), "test_samples": int(te.sum())}
    info = {"rows": int(n), "window": OZ_WINDOW, "horizon": 1, "train_days": OZ_TRAIN_DAYS, "test_days": OZ_TEST_DAYS,
            "missing_cells": int(d[num_cols].isna().sum().sum())}
    return res, splits, info


def summarize(res):
    out = {}
    for model, runs in res.items():
        out[model] = {}
        for k in runs[0]:
            v = np.array([r[k] for r in runs], float)
            out[model][k] = {"mean": float(v.mean()), "sd": float(v.std(ddof=1)), "per_seed": [float(x) for x in v]}
    return out


def main():
    t0 = time.time()
    results = {"seeds": SEEDS, "versions": {"python": sys.version.split()[0], "numpy": np.__version__,
               "pandas": pd.__version__, "sklearn": sklearn.__version__, "xgboost": xgb.__version__},
               "datasets": {}}
    lines = ["| data set | task | model | metric | mean ± sd (5 seeds) |", "|---|---|---|---|---|"]
    for name, task, fn in (("csl", "binary, panel", run_csl), ("nafld", "binary, panel", run_nafld),
                           ("cps1985", "regression, tabular", run_cps1985),
                           ("flchain", "binary, tabular", run_flchain),
                           ("penguins", "multiclass, tabular", run_penguins),
                           ("chicago", "regression, series", run_chicago),
                           ("ozone", "regression, small series with empty cells", run_ozone)):
        res, splits, info = fn()
        s = summarize(res)
        results["datasets"][name] = {"task": task, "info": info, "models": s}
        with open(os.path.join(DATA, name + ".splits.json"), "w") as f:
            # one line per seed
            f.write("{\n" + ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in sorted(splits.items())) + "\n}\n")
        for model, ms in s.items():
            for k, v in ms.items():
                lines.append(f"| {name} | {task} | {model} | {k} | {v['mean']:.4f} ± {v['sd']:.4f} |")
    with open(os.path.join(ROOT, "bench", "baselines", "results.json"), "w") as f:
        json.dump(results, f, indent=1, sort_keys=True)
        f.write("\n")
    print("\n".join(lines))
    print(f"\n({time.time() - t0:.1f} s)")


if __name__ == "__main__":
    main()
