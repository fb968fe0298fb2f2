#!/usr/bin/env python3
"""Reference values for rnam's logistic-regression baselines, from scikit-learn.

Usage (from the repository root):
    /usr/bin/python3 test/golden/make_baseline_fixtures.py

Writes test/fixtures/baseline_golden.json: plain tables (a three-class and a two-class text
target, two numeric features, and a six-class target with unequal classes and six features whose
classes are nearly separable, where an undamped Newton step overshoots; a `part` column names each
row's split) and scikit-learn's
LogisticRegression(C=1) fitted on the train rows as rnam's baselines read them (each feature
standardized with the train rows' mean and population standard deviation, then stored as float32),
scored on the test rows: accuracy and log loss. Multiclass is scikit-learn's default multinomial
(softmax) model.
"""

import json
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, accuracy_score


def table(classes, seed):
    rng = np.random.default_rng(seed)
    n = 150
    labels = rng.integers(0, len(classes), n)
    x1 = rng.normal(0, 1, n) + labels * 1.2
    x2 = rng.normal(0, 1, n) - (labels == 1) * 0.8
    part = np.where(np.arange(n) < 110, 'train', 'test')
    lines = ['row,x1,x2,part,y'] + [f'r{i},{x1[i]:.3f},{x2[i]:.3f},{part[i]},{classes[labels[i]]}' for i in range(n)]
    return lines


def separable(seed, n=180, features=6):
    classes = ['ant', 'bee', 'cat', 'dog', 'eel', 'fox']
    rng = np.random.default_rng(seed)
    shares = np.array([0.3, 0.3, 0.15, 0.1, 0.1, 0.05])
    labels = rng.choice(len(classes), n, p=shares)
    centers = rng.normal(0, 2.5, (len(classes), features))
    x = centers[labels] + rng.normal(0, 1, (n, features))
    part = np.where(np.arange(n) < 140, 'train', 'test')
    head = 'row,' + ','.join(f'x{j + 1}' for j in range(features)) + ',part,y'
    return [head] + [f'r{i},' + ','.join(f'{v:.3f}' for v in x[i]) + f',{part[i]},{classes[labels[i]]}' for i in range(n)], classes


def reference(lines, classes):
    rows = [l.split(',') for l in lines[1:]]
    x = np.array([[float(v) for v in r[1:-2]] for r in rows])
    y = np.array([sorted(classes).index(r[-1]) for r in rows])
    train = np.array([r[-2] == 'train' for r in rows])
    mean, std = x[train].mean(axis=0), x[train].std(axis=0)
    z = ((x - mean) / std).astype(np.float32).astype(np.float64)
    model = LogisticRegression(C=1.0, tol=1e-12, max_iter=100000).fit(z[train], y[train])
    p = model.predict_proba(z[~train])
    if len(classes) == 2:
        p = p[:, 1]
        return {'accuracy': float(accuracy_score(y[~train], p > 0.5)), 'logLoss': float(log_loss(y[~train], p))}
    return {'accuracy': float(accuracy_score(y[~train], p.argmax(axis=1))), 'logLoss': float(log_loss(y[~train], p))}


out = {}
for name, classes, seed in [('multiclass', ['ant', 'bee', 'cat'], 1), ('binary', ['no', 'yes'], 2)]:
    lines = table(classes, seed)
    out[name] = {'task': name, 'csv': '\n'.join(lines) + '\n', 'expected': reference(lines, classes)}
lines, classes = separable(2)
out['multiclass, nearly separable'] = {'task': 'multiclass', 'csv': '\n'.join(lines) + '\n', 'expected': reference(lines, classes)}
with open('test/fixtures/baseline_golden.json', 'w') as f:
    json.dump(out, f, indent=1)
    f.write('\n')
print(json.dumps({k: v['expected'] for k, v in out.items()}))
