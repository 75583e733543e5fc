"""
Fits the example anomaly model on generated telemetry and writes model.joblib.

Not mDetect's production model (that one is pre-trained; bring it with `mdetect model package`):
an example with the same contract, so the real artifact path can be built and served end to end.
Readings are generated like the detectors report them, in schema/features.json order; about 5 %
are labelled anomalous (label 1): coincidence bursts, muon excess or deficit for the depth, and
dead-time spikes. The estimator is a HistGradientBoostingClassifier (predict_proba; fast to fit
and to score a 4 MB chunk).

Usage: train.py --out model.joblib [--rows 20000] [--seed 7]
"""
import argparse
import json
import os

import joblib
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

FEATURES_JSON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "schema", "features.json")
EXPECTED_FEATURES = ["muon_count", "coincidence_count", "live_time_s", "zenith_deg", "azimuth_deg", "pressure_hpa", "temperature_c", "depth_m"]
ANOMALY_FRACTION = 0.05
#: Surface rate of a detector panel (muons per second) and the attenuation length of rock (m).
SURFACE_RATE = 150.0
ATTENUATION_M = 400.0


def generate(rows, seed):
    """(X, y): X in schema/features.json order, y = 1 for an anomalous reading."""
    rng = np.random.default_rng(seed)
    depth = rng.uniform(0, 1000, rows)
    live = rng.uniform(0.95, 1.0, rows)
    rate = SURFACE_RATE * np.exp(-depth / ATTENUATION_M) * live
    muons = rng.poisson(rate).astype(np.float64)
    coincidences = rng.poisson(0.05 * muons + 0.5).astype(np.float64)
    y = (rng.random(rows) < ANOMALY_FRACTION).astype(np.int64)
    kind = rng.integers(0, 3, rows)
    burst = (y == 1) & (kind == 0)
    coincidences[burst] = np.round(muons[burst] * rng.uniform(0.4, 0.9, burst.sum()) + rng.uniform(20, 60, burst.sum()))
    shift = (y == 1) & (kind == 1)
    factor = np.where(rng.random(shift.sum()) < 0.5, rng.uniform(0.1, 0.4, shift.sum()), rng.uniform(2.5, 4.0, shift.sum()))
    muons[shift] = rng.poisson(rate[shift] * factor + 5).astype(np.float64)
    dead = (y == 1) & (kind == 2)
    live[dead] = rng.uniform(0.1, 0.6, dead.sum())
    X = np.column_stack([
        muons, coincidences, live,
        rng.uniform(0, 90, rows), rng.uniform(0, 360, rows),
        rng.normal(1013.25, 8, rows), rng.normal(20, 5, rows), depth,
    ])
    return X, y


def main():
    parser = argparse.ArgumentParser(description="fit the example anomaly model on generated telemetry")
    parser.add_argument("--out", required=True)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with open(FEATURES_JSON) as f:
        features = json.load(f)["features"]
    if features != EXPECTED_FEATURES:
        raise SystemExit("train: schema/features.json lists %s; update generate() to that order first" % features)
    X, y = generate(args.rows, args.seed)
    model = HistGradientBoostingClassifier(max_iter=60, random_state=args.seed).fit(X, y)
    joblib.dump(model, args.out)
    X_test, y_test = generate(max(args.rows // 4, 1000), args.seed + 1)
    accuracy = float((model.predict(X_test) == y_test).mean())
    print(json.dumps({"out": args.out, "rows": args.rows, "anomalies": int(y.sum()), "heldOutAccuracy": round(accuracy, 4)}))


if __name__ == "__main__":
    main()
