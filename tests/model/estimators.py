"""
Estimators `mdetect model package` must refuse, each fitted for real and written with joblib
(tests/model/artifact.test.ts): python estimators.py OUT_DIR
- sklearn-1.3.joblib: a good classifier whose pickle records scikit-learn 1.3.2 (sklearn.base
  writes its module-level __version__ into every estimator's state as `_sklearn_version`)
- no-proba.joblib: IsolationForest (an anomaly detector without predict_proba)
- seven-features.joblib: LogisticRegression fitted on 7 columns
- three-classes.joblib: LogisticRegression with labels 0, 1, 2
- not-an-estimator.joblib: a plain dict
"""
import os
import sys

import joblib
import numpy as np
import sklearn.base
from sklearn.ensemble import IsolationForest
from sklearn.linear_model import LogisticRegression

out = sys.argv[1]
rng = np.random.default_rng(1)
X = rng.normal(size=(200, 8))
y = (X[:, 1] > 0.5).astype(int)
joblib.dump(IsolationForest(n_estimators=5, random_state=1).fit(X), os.path.join(out, "no-proba.joblib"))
joblib.dump(LogisticRegression().fit(X[:, :7], y), os.path.join(out, "seven-features.joblib"))
joblib.dump(LogisticRegression().fit(X, y + (X[:, 2] > 1).astype(int)), os.path.join(out, "three-classes.joblib"))
joblib.dump({"weights": [1, 2, 3]}, os.path.join(out, "not-an-estimator.joblib"))
joblib.dump(LogisticRegression().fit(X, y), os.path.join(out, "sklearn-1.2.joblib"))
sklearn.base.__version__ = "1.3.2"
joblib.dump(LogisticRegression().fit(X, y), os.path.join(out, "sklearn-1.3.joblib"))
