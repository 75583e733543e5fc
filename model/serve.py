"""
Local SageMaker endpoint for an unpacked model.tar.gz: runs the artifact's OWN
code/inference.py the way the sagemaker-scikit-learn image does, and answers both
- the container contract (SageMaker "Custom Inference Code with Hosting Services"):
  GET /ping -> 200 once the model is loaded; POST /invocations -> input_fn, predict_fn,
  output_fn with the request's Content-Type and Accept; an exception in them -> 500, as the
  image's Flask worker answers an unhandled ClientError;
- the runtime API the SDK calls (InvokeEndpoint, restJson): POST /endpoints/{name}/invocations,
  where a container answer other than 2xx becomes 424 ModelError with OriginalStatusCode and
  OriginalMessage, an unknown endpoint 400 ValidationError, a body over the limit 413.

Usage: serve.py (--artifact model.tar.gz | --model-dir DIR) [--port 0] [--endpoint-name NAME] [--limit-bytes N]
A tarball is unpacked to a temporary directory the way SageMaker unpacks it into /opt/ml/model.
Prints `listening <port>` on stdout when ready. Started by scripts/lib/local-endpoint.ts.
"""
import argparse
import importlib
import json
import os
import re
import shutil
import sys
import tarfile
import tempfile
import threading
import traceback
import types
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Content types the image hands to input_fn as text (sagemaker_containers _content_types.UTF8_TYPES).
UTF8_TYPES = ("application/json", "text/csv")
DEFAULT_ACCEPT = os.environ.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", "application/json")
RUNTIME_ROUTE = re.compile(r"^/endpoints/([^/]+)/invocations$")


class Response(object):
    """Stand-in for sagemaker_containers.beta.framework.worker.Response (a flask.Response)."""

    def __init__(self, response=None, accept=None, status=200, headers=None, mimetype=None, direct_passthrough=False):
        body = response if response is not None else b""
        self.body = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        self.status = int(status)
        self.mimetype = mimetype or "application/json"


def install_framework_shim():
    """Makes `from sagemaker_containers.beta.framework import worker` resolve as in the image."""
    names = ["sagemaker_containers", "sagemaker_containers.beta", "sagemaker_containers.beta.framework"]
    modules = [types.ModuleType(n) for n in names]
    worker = types.ModuleType("sagemaker_containers.beta.framework.worker")
    worker.Response = Response
    for parent, child in zip(modules, modules[1:] + [worker]):
        setattr(parent, child.__name__.rsplit(".", 1)[1], child)
    for module in modules + [worker]:
        sys.modules[module.__name__] = module


def unpack(artifact):
    """model.tar.gz -> a new directory; refuses members that are not plain files or directories inside it."""
    target = tempfile.mkdtemp(prefix="mdetect-model-")
    with tarfile.open(artifact, "r:gz") as tar:
        for member in tar.getmembers():
            parts = member.name.split("/")
            if member.name.startswith("/") or ".." in parts or not (member.isfile() or member.isdir()):
                raise SystemExit("serve: %s: refusing archive member %r" % (artifact, member.name))
        tar.extractall(target)
    return target


def load_user_module(model_dir):
    """SAGEMAKER_SUBMIT_DIRECTORY=<model>/code and SAGEMAKER_PROGRAM=inference.py, as infra/inference.ts sets them."""
    code_dir = os.path.join(model_dir, "code")
    program = os.environ.get("SAGEMAKER_PROGRAM", "inference.py")
    if not os.path.isfile(os.path.join(code_dir, program)):
        raise SystemExit("serve: %s has no code/%s" % (model_dir, program))
    # Only the artifact's own code: never model/inference.py beside this script.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [code_dir] + [p for p in sys.path if os.path.abspath(p or ".") != here]
    return importlib.import_module(program[:-3] if program.endswith(".py") else program)


class Container(object):
    def __init__(self, model_dir):
        install_framework_shim()
        self.module = load_user_module(model_dir)
        for fn in ("model_fn", "input_fn", "predict_fn", "output_fn"):
            if not callable(getattr(self.module, fn, None)):
                raise SystemExit("serve: code/inference.py does not define %s" % fn)
        self.model = self.module.model_fn(model_dir)

    def invoke(self, body, content_type, accept):
        """(status, content type, body bytes) as the image's worker would answer /invocations."""
        content_type = content_type or "application/json"
        if not accept or accept == "*/*":
            accept = DEFAULT_ACCEPT
        data = body.decode("utf-8", errors="replace") if content_type in UTF8_TYPES else body
        try:
            m = self.module
            result = m.output_fn(m.predict_fn(m.input_fn(data, content_type), self.model), accept)
        except Exception:  # the image: error_wrapper -> ClientError, unhandled -> 500
            sys.stderr.write(traceback.format_exc())
            return 500, "text/html", b"<h1>Internal Server Error</h1>"
        if isinstance(result, tuple):
            payload, mimetype = result[0], result[1]
            return 200, mimetype, payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
        if isinstance(result, Response):
            return result.status, result.mimetype, result.body
        payload = result if isinstance(result, (bytes, bytearray)) else str(result).encode("utf-8")
        return 200, accept, bytes(payload)


def make_handler(container, endpoint_name, limit_bytes):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # quiet: the caller's tests and benchmark print what matters
            pass

        def _send(self, status, content_type, body, headers=None):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def _runtime_error(self, status, error_type, message, extra=None):
            body = dict({"Message": message}, **(extra or {}))
            self._send(status, "application/json", json.dumps(body).encode("utf-8"), {"x-amzn-ErrorType": error_type})

        def _body(self):
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def do_GET(self):
            if self.path == "/ping":
                return self._send(200, "text/plain", b"")
            self._send(404, "text/plain", b"not found")

        def do_POST(self):
            body = self._body()
            content_type = self.headers.get("ContentType") or self.headers.get("Content-Type")
            accept = self.headers.get("Accept")
            if self.path == "/invocations":
                return self._send(*container.invoke(body, content_type, accept))
            match = RUNTIME_ROUTE.match(self.path)
            if not match:
                return self._runtime_error(404, "UnknownOperationException", "no route POST %s" % self.path)
            name = match.group(1)
            if name != endpoint_name:
                return self._runtime_error(400, "ValidationError", "Endpoint %s not found." % name)
            if len(body) > limit_bytes:
                return self._runtime_error(413, "ValidationError", "Request payload of %d bytes exceeds %d" % (len(body), limit_bytes))
            status, mimetype, payload = container.invoke(body, content_type, accept)
            if not 200 <= status < 300:
                kind = "client" if status < 500 else "server"
                original = payload.decode("utf-8", errors="replace")[:2048]
                message = 'Received %s error (%d) from primary with message "%s".' % (kind, status, original)
                return self._runtime_error(424, "ModelError", message, {"OriginalStatusCode": status, "OriginalMessage": original})
            if len(payload) > limit_bytes:
                return self._runtime_error(413, "ValidationError", "Response payload of %d bytes exceeds %d" % (len(payload), limit_bytes))
            self._send(200, mimetype, payload, {"x-Amzn-Invoked-Production-Variant": "AllTraffic"})

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--artifact")
    source.add_argument("--model-dir")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--endpoint-name", default="mdetect-local-endpoint")
    parser.add_argument("--limit-bytes", type=int, default=6 * 1024 * 1024)
    args = parser.parse_args()
    unpacked = unpack(args.artifact) if args.artifact else None
    try:
        serve(Container(unpacked or os.path.abspath(args.model_dir)), args)
    finally:
        if unpacked:
            shutil.rmtree(unpacked, ignore_errors=True)


def serve(container, args):
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(container, args.endpoint_name, args.limit_bytes))
    server.daemon_threads = True
    print("listening %d" % server.server_address[1], flush=True)
    # Stop cleanly when the parent closes our stdin (it exits or calls stop()).
    threading.Thread(target=lambda: (sys.stdin.read(), server.shutdown()), daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
