"""
Checks a fitted estimator against the serving image and writes model.tar.gz in its layout:

    model.joblib          the estimator (joblib, as model_fn loads it)
    code/inference.py     model/inference.py (SAGEMAKER_PROGRAM, SAGEMAKER_SUBMIT_DIRECTORY=/opt/ml/model/code)

No code/requirements.txt: the image would pip-install it at start-up, which needs a network the
instance endpoint's isolation does not give it; inference.py needs only numpy and joblib.

Refused, one line on stderr and exit 1: a pickle from a scikit-learn other than the image's 1.2
(the `_sklearn_version` each estimator records in its pickled state), no predict_proba, a
feature count other than 8 (`n_features_in_`), or other than two classes (predict_fn returns
the probability of class 1).

Usage: package.py validate MODEL.joblib         (prints a JSON summary)
       package.py package MODEL.joblib --out model.tar.gz
"""
import argparse
import gzip
import io
import json
import os
import sys
import tarfile
import warnings

IMAGE_SKLEARN = "1.2"
FEATURE_COUNT = 8
HERE = os.path.dirname(os.path.abspath(__file__))
INFERENCE_PY = os.path.join(HERE, "inference.py")


class Refused(Exception):
    pass


def load_recording_versions(path):
    """Unpickles with the scikit-learn versions recorded in each estimator's state."""
    import joblib
    from sklearn.base import BaseEstimator

    recorded = []
    original = BaseEstimator.__setstate__

    def spy(self, state):
        if isinstance(state, dict):
            recorded.append(state.get("_sklearn_version", "pre-0.18"))
        return original(self, state)

    BaseEstimator.__setstate__ = spy
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the version warning is ours to report, plainly
            try:
                model = joblib.load(path)
            except Exception as e:  # a newer pickle may not even load; the version says why
                model = e
    finally:
        BaseEstimator.__setstate__ = original
    return model, recorded


def validate(path):
    if not os.path.isfile(path):
        raise Refused("%s: no such file" % path)
    model, versions = load_recording_versions(path)
    foreign = sorted({v for v in versions if v.split(".")[:2] != IMAGE_SKLEARN.split(".")})
    if foreign:
        raise Refused("%s was pickled with scikit-learn %s; the serving image (sagemaker-scikit-learn:1.2-1) runs %s.x: refit or re-save it with scikit-learn %s"
                      % (path, ", ".join(foreign), IMAGE_SKLEARN, IMAGE_SKLEARN))
    if isinstance(model, Exception):
        raise Refused("%s does not load as a joblib pickle (%s: %s)" % (path, type(model).__name__, (str(model).splitlines() or [""])[0]))
    if not versions:
        raise Refused("%s holds a %s, not a scikit-learn estimator" % (path, type(model).__name__))
    name = type(model).__name__
    if not hasattr(model, "predict_proba"):
        raise Refused("%s: %s has no predict_proba; the endpoint returns the anomaly probability, so fit a classifier" % (path, name))
    n_features = getattr(model, "n_features_in_", None)
    if n_features is None:
        raise Refused("%s: %s is not fitted (no n_features_in_)" % (path, name))
    if n_features != FEATURE_COUNT:
        raise Refused("%s: %s was fitted on %d features; the model contract sends %d (schema/features.json)" % (path, name, n_features, FEATURE_COUNT))
    classes = list(getattr(model, "classes_", []))
    if len(classes) != 2:
        raise Refused("%s: %s has classes %s; predict_fn needs two (normal, anomaly) and returns the second's probability" % (path, name, classes))
    return {"estimator": name, "sklearn": sorted(set(versions)), "nFeatures": int(n_features), "classes": [str(c) for c in classes]}


def _add(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    info.mtime = 0  # reproducible: the same model gives the same bytes, so the same S3 key
    tar.addfile(info, io.BytesIO(data))


def package(path, out):
    summary = validate(path)
    with open(path, "rb") as f:
        model_bytes = f.read()
    with open(INFERENCE_PY, "rb") as f:
        code = f.read()
    tmp = out + ".partial"
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz, tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
        code_dir = tarfile.TarInfo("code")
        code_dir.type, code_dir.mode, code_dir.mtime = tarfile.DIRTYPE, 0o755, 0
        _add(tar, "model.joblib", model_bytes)
        tar.addfile(code_dir)
        _add(tar, "code/inference.py", code)
    os.replace(tmp, out)
    return dict(summary, out=out, bytes=os.path.getsize(out))


def main():
    parser = argparse.ArgumentParser(description="check a fitted estimator and package it for the SageMaker scikit-learn image")
    parser.add_argument("action", choices=["validate", "package"])
    parser.add_argument("model")
    parser.add_argument("--out", default="model.tar.gz")
    args = parser.parse_args()
    try:
        result = validate(args.model) if args.action == "validate" else package(args.model, args.out)
    except Refused as e:
        sys.stderr.write("%s\n" % e)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
