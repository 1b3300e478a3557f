"""End-to-end tests of the kubectl shim with the real kubectl against a local server.

A recording HTTP server on 127.0.0.1 replaces the Kubernetes API. It serves
the legacy discovery documents that kubectl 1.37 requests (`/api`, `/apis`,
`/api/v1`), an empty PodList for any namespace, and a 404 Status for the rest.
It records every request, so a refused command can be shown to reach nothing.
"""

import http.server
import json
import os
import subprocess
import sys
import threading

import pytest

TIMEOUT = 60
_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY")

_DISCOVERY = {
    "/api": {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}
        ],
    },
    "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": []},
    "/api/v1": {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": "v1",
        "resources": [
            {
                "name": "pods",
                "singularName": "pod",
                "namespaced": True,
                "kind": "Pod",
                "verbs": ["create", "delete", "get", "list", "patch"],
                "shortNames": ["po"],
            },
            {
                "name": "secrets",
                "singularName": "secret",
                "namespaced": True,
                "kind": "Secret",
                "verbs": ["create", "delete", "get", "list", "patch"],
            },
            {
                "name": "configmaps",
                "singularName": "configmap",
                "namespaced": True,
                "kind": "ConfigMap",
                "verbs": ["create", "delete", "get", "list", "patch"],
                "shortNames": ["cm"],
            },
        ],
    },
}
_EMPTY_POD_LIST = {
    "kind": "PodList",
    "apiVersion": "v1",
    "metadata": {"resourceVersion": "1"},
    "items": [],
}
_NOT_FOUND = {
    "kind": "Status",
    "apiVersion": "v1",
    "status": "Failure",
    "reason": "NotFound",
    "code": 404,
}

_MANIFEST = b"""\
apiVersion: v1
kind: ConfigMap
metadata:
  name: piped
data:
  key: value
"""


class _RecordingHandler(http.server.BaseHTTPRequestHandler):
    """Record each request as (method, path) and respond from the tables above."""

    def _answer(self):
        self.server.requests.append((self.command, self.path))
        path = self.path.split("?", 1)[0]
        parts = path.split("/")
        if path in _DISCOVERY:
            status, body = 200, _DISCOVERY[path]
        elif self.command == "GET" and len(parts) == 6 and parts[5] == "pods":
            status, body = 200, _EMPTY_POD_LIST
        else:
            status, body = 404, _NOT_FOUND
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    def log_message(self, format, *args):
        pass


@pytest.fixture
def api_server():
    """Start the recording server on a free port of 127.0.0.1."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RecordingHandler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def kube_env(shims, api_server):
    """Return `shims.env` with a kubeconfig in the tmp HOME pointing at the server."""
    port = api_server.server_address[1]
    kube_folder = shims.home / ".kube"
    kube_folder.mkdir()
    (kube_folder / "config").write_text(
        f"""\
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: http://127.0.0.1:{port}
contexts:
- name: local
  context:
    cluster: local
    user: anonymous
current-context: local
users:
- name: anonymous
  user: {{}}
""",
        encoding="utf-8",
    )
    env = dict(shims.env)
    for name in _PROXY_VARIABLES:
        env.pop(name, None)
        env.pop(name.lower(), None)
    return env


def run_kubectl(shims, env, arguments, stdin=b""):
    """Run the kubectl shim in a new session, so it has no controlling terminal."""
    return subprocess.run(
        [shims.shim("kubectl"), *arguments],
        env=env,
        input=stdin,
        capture_output=True,
        start_new_session=True,
        timeout=TIMEOUT,
    )


def request_paths(server):
    """Return the recorded request paths without their query strings."""
    return [path.split("?", 1)[0] for _, path in server.requests]


def test_get_pods_reaches_server(shims, kube_env, api_server):
    result = run_kubectl(shims, kube_env, ["get", "pods"])

    assert result.returncode == 0, result.stderr
    assert "/api/v1/namespaces/default/pods" in request_paths(api_server)
    assert result.stderr == b"No resources found in default namespace.\n"


def test_get_pods_audit_ran(shims, kube_env, api_server):
    run_kubectl(shims, kube_env, ["get", "pods"])

    record = shims.records()[-1]
    assert record["outcome"] == "ran"
    assert record["class"] == "read"


def test_delete_pod_refused(shims, kube_env, api_server):
    result = run_kubectl(shims, kube_env, ["delete", "pod", "x"])

    assert result.returncode == 77
    assert b"`kubectl delete pod x`" in result.stderr
    assert b"write" in result.stderr


def test_delete_pod_sends_nothing(shims, kube_env, api_server):
    run_kubectl(shims, kube_env, ["delete", "pod", "x"])

    assert api_server.requests == []


def test_namespace_apply_is_get(shims, kube_env, api_server):
    result = run_kubectl(shims, kube_env, ["-n", "apply", "get", "pods"])

    assert result.returncode == 0, result.stderr
    assert "/api/v1/namespaces/apply/pods" in request_paths(api_server)
    assert "/api/v1/namespaces/default/pods" not in request_paths(api_server)


def test_namespace_delete_get_refused(shims, kube_env, api_server):
    # The namespace value is "get"; the command is delete.
    result = run_kubectl(shims, kube_env, ["-n", "get", "delete", "pod", "x"])

    assert result.returncode == 77
    assert api_server.requests == []


def test_get_secret_yaml_refused(shims, kube_env, api_server):
    result = run_kubectl(shims, kube_env, ["get", "secret", "x", "-o", "yaml"])

    assert result.returncode == 77
    assert b"secret" in result.stderr


def test_get_secret_sends_nothing(shims, kube_env, api_server):
    run_kubectl(shims, kube_env, ["get", "secret", "x", "-o", "yaml"])

    assert api_server.requests == []


def test_piped_apply_without_terminal_refused(shims, kube_env, api_server):
    arguments = ["apply", "--dry-run=server", "-f", "-"]

    result = run_kubectl(shims, kube_env, arguments, stdin=_MANIFEST)

    assert result.returncode == 77
    assert b"needs approval by a person at a terminal" in result.stderr
    assert api_server.requests == []


def test_piped_yes_cannot_approve(shims, kube_env, api_server):
    arguments = ["apply", "--dry-run=server", "-f", "-"]

    result = run_kubectl(shims, kube_env, arguments, stdin=b"y\nyes\n" + _MANIFEST)

    assert result.returncode == 77
    assert api_server.requests == []


def test_piped_apply_audit_no_terminal(shims, kube_env, api_server):
    arguments = ["apply", "--dry-run=server", "-f", "-"]

    run_kubectl(shims, kube_env, arguments, stdin=_MANIFEST)

    assert shims.records()[-1]["outcome"] == "no_terminal"


def test_get_pods_runs_venv_kubectl(shims, kube_env, api_server):
    run_kubectl(shims, kube_env, ["get", "pods"])

    venv_kubectl = os.path.join(os.path.dirname(sys.executable), "kubectl")
    assert shims.records()[-1]["real_binary"] == venv_kubectl
