"""
Serving functions for the prebuilt SageMaker scikit-learn image (sagemaker-scikit-learn:1.2-1).

Packaged as code/inference.py of model.tar.gz (`mdetect model package`); the image imports it
as SAGEMAKER_PROGRAM and calls, per request, output_fn(predict_fn(input_fn(body, content_type),
model), accept), with model = model_fn("/opt/ml/model") loaded once per worker
(sagemaker_containers _transformer.Transformer). Contract: schema/model-contract.md.

Why every function is written out: the image's default input_fn decodes text/csv with
np.genfromtxt, so a one-row body becomes a 1-D array that scikit-learn refuses, and its
errors all surface as HTTP 500; here a bad body is the caller's fault and answers 4xx.
"""
import io
import json
import os

import joblib
import numpy as np

# The image's serving framework (the module its own serving.py imports); the local endpoint
# (model/serve.py) provides the same Response under the same name.
from sagemaker_containers.beta.framework import worker

FEATURE_COUNT = 8
CSV = "text/csv"
JSON = "application/json"
MODEL_FILE = "model.joblib"


class BadRequest(object):
    """A request the model cannot score: carried to output_fn, answered with `status`."""

    def __init__(self, status, message):
        self.status = status
        self.message = message


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, MODEL_FILE))


def _media_type(content_type):
    return (content_type or "").split(";")[0].strip().lower()


def input_fn(request_body, request_content_type):
    """text/csv without a header, one reading per line, 8 numbers -> a 2-D float64 array (n, 8)."""
    if _media_type(request_content_type) != CSV:
        return BadRequest(415, "content type %s is not supported, send text/csv" % request_content_type)
    if isinstance(request_body, (bytes, bytearray)):
        try:
            request_body = request_body.decode("utf-8")
        except UnicodeDecodeError:
            return BadRequest(400, "body is not UTF-8 text")
    if not request_body.strip():
        return BadRequest(400, "empty body: send at least one line of %d numbers" % FEATURE_COUNT)
    try:
        # ndmin=2: a single line is still one row of 8 columns, never a 1-D vector.
        rows = np.loadtxt(io.StringIO(request_body), delimiter=",", dtype=np.float64, ndmin=2)
    except ValueError as e:
        return BadRequest(400, "body is not CSV of numbers: %s" % str(e).splitlines()[0])
    if rows.shape[1] != FEATURE_COUNT:
        return BadRequest(400, "expected %d numbers per line, got %d" % (FEATURE_COUNT, rows.shape[1]))
    if not np.isfinite(rows).all():
        line = int(np.argwhere(~np.isfinite(rows))[0][0]) + 1
        return BadRequest(400, "line %d holds a value that is not a finite number" % line)
    return rows


def predict_fn(input_data, model):
    """The anomaly probability per row: predict_proba's column for class 1 (the anomaly label)."""
    if isinstance(input_data, BadRequest):
        return input_data
    return model.predict_proba(input_data)[:, 1]


def output_fn(prediction, accept):
    """text/csv: one score per line in request order (or application/json: a list)."""
    if isinstance(prediction, BadRequest):
        return _error(prediction.status, prediction.message)
    media = _media_type(accept)
    scores = np.asarray(prediction, dtype=np.float64).tolist()
    if media == CSV:
        return worker.Response(response="".join("%r\n" % s for s in scores), status=200, mimetype=CSV)
    if media == JSON:
        return worker.Response(response=json.dumps(scores), status=200, mimetype=JSON)
    return _error(406, "accept %s is not supported, ask for text/csv" % accept)


def _error(status, message):
    return worker.Response(response=json.dumps({"error": message}), status=status, mimetype=JSON)
