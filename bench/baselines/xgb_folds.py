#!/usr/bin/python3
"""xgboost on the folds `rnam cv` used, for a plain table (one sample per row, no --id, no --time).

    /usr/bin/python3 bench/baselines/xgb_folds.py DATA.csv OOF.csv TARGET TASK [DEPTH]

OOF.csv is rnam cv's oof.csv: its `fold` and `id` (the sample's line in DATA.csv, the header being
line 1) give each row's fold. Per fold, xgboost (baselines.py's fixed settings; DEPTH 1 makes it an
additive model, one feature per tree) trains on the other folds' rows and scores this fold's. Text
columns are one-hot with the training rows' levels; empty cells stay missing. Prints the task's
metric as `mean ± sd` over the folds, as rnam cv does.
"""
import sys

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.metrics import log_loss, roc_auc_score

from baselines import clip, rmse, xgb_params

data_path, oof_path, target, task = sys.argv[1:5]
depth = int(sys.argv[5]) if len(sys.argv) > 5 else None

data = pd.read_csv(data_path)
oof = pd.read_csv(oof_path, usecols=["fold", "id"])
data = data.iloc[oof["id"].to_numpy() - 2].reset_index(drop=True)   # line 2 is row 0
folds = oof["fold"].to_numpy()
y_text = data.pop(target).astype(str)
text = [c for c in data.columns if data[c].dtype == object]


def design(train, test):
    cols = [train.drop(columns=text).to_numpy(float)], [test.drop(columns=text).to_numpy(float)]
    for c in text:
        levels = sorted(train[c].dropna().unique())
        cols[0].append(np.stack([(train[c] == v).to_numpy(float) for v in levels], 1))
        cols[1].append(np.stack([(test[c] == v).to_numpy(float) for v in levels], 1))
    return np.hstack(cols[0]), np.hstack(cols[1])


classes = sorted(y_text.unique())
scores = []
for f in sorted(set(folds)):
    tr, te = folds != f, folds == f
    Xtr, Xte = design(data[tr], data[te])
    if task == "regression":
        params = xgb_params(0, "reg:squarederror")
    else:
        params = xgb_params(0, "binary:logistic" if task == "binary" else "multi:softprob")
    if depth is not None:
        params["max_depth"] = depth
    if task == "regression":
        y = y_text.astype(float).to_numpy()
        m = xgb.XGBRegressor(**params).fit(Xtr, y[tr])
        scores.append(rmse(y[te], m.predict(Xte)))
    else:
        # Binary: the positive class is the last label in rnam's order for two text labels (sorted).
        y = np.array([classes.index(v) for v in y_text])
        m = xgb.XGBClassifier(**params).fit(Xtr, y[tr])
        p = m.predict_proba(Xte)
        scores.append(roc_auc_score(y[te], p[:, 1]) if task == "binary" else log_loss(y[te], clip(p), labels=range(len(classes))))
print(f"{np.mean(scores):.3f} ± {np.std(scores, ddof=1):.3f}")
