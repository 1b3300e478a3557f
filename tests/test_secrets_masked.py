"""A marker secret planted in argv, injected arguments and the environment never
shows up in the audit log, on stderr, in the prompt on a terminal, or in explain.
"""

import os
import subprocess
import sys

import pytest

from tests.ptyrun import run_on_pty

MARKER = "m4rkerS3cret"
STUB_SCRIPT = "#!/bin/sh\nexit 0\n"
TIMEOUT = 60

CASES = [
    pytest.param("helm", ["install", "r", "./c", "--set", f"a={MARKER}"], {}, id="set"),
    pytest.param("helm", ["install", "r", "./c", f"--set=a={MARKER}"], {}, id="set-eq"),
    pytest.param(
        "helm", ["upgrade", "r", "./c", "--set-string", f"a={MARKER}"], {}, id="set-string"
    ),
    pytest.param(
        "helm", ["install", "r", "./c", "--set-json", f'a="{MARKER}"'], {}, id="set-json"
    ),
    pytest.param(
        "helm", ["install", "r", "./c", "--set-literal", f"a={MARKER}"], {}, id="set-literal"
    ),
    pytest.param("terraform", ["apply", "-var", f"region={MARKER}"], {}, id="var"),
    pytest.param("terraform", ["plan", f"-var=anything={MARKER}"], {}, id="var-eq"),
    pytest.param(
        "terraform", ["init", "-backend-config", f"password={MARKER}"], {}, id="backend"
    ),
    pytest.param("kubectl", ["delete", "pod", "x", "--token", MARKER], {}, id="token"),
    pytest.param("kubectl", ["get", "pods", f"--password={MARKER}"], {}, id="password"),
    pytest.param(
        "kubectl",
        ["config", "set-credentials", "u", "--client-key", MARKER],
        {},
        id="client-key",
    ),
    pytest.param(
        "kubectl",
        ["config", "set", "users.u.token", MARKER],
        {},
        id="config-set-token",
    ),
    pytest.param(
        "kubectl",
        ["create", "secret", "generic", "s", f"--from-literal=k={MARKER}"],
        {},
        id="from-literal",
    ),
    pytest.param(
        "kubectl",
        ["create", "secret", "docker-registry", "s", "--docker-password", MARKER],
        {},
        id="docker-password",
    ),
    pytest.param(
        "helm",
        ["registry", "login", "r.example", "--username", "u", "--password", MARKER],
        {},
        id="registry-password",
    ),
    pytest.param(
        "helm", ["repo", "add", "r", f"https://user:{MARKER}@charts.example/x"], {}, id="url"
    ),
    pytest.param(
        "terraform", ["plan"], {"TF_CLI_ARGS": f"-var=db={MARKER}"}, id="tf-cli-args"
    ),
    pytest.param(
        "terraform",
        ["apply"],
        {"TF_CLI_ARGS_apply": f"-var db={MARKER}"},
        id="tf-cli-args-apply",
    ),
    pytest.param(
        "terraform",
        ["plan"],
        {"TF_VAR_db_password": MARKER, "AWS_SECRET_ACCESS_KEY": MARKER},
        id="environment",
    ),
]


@pytest.fixture
def stubs(shims):
    for tool in ("terraform", "helm", "kubectl"):
        stub = shims.bin_dir / tool
        stub.write_text(STUB_SCRIPT)
        stub.chmod(0o755)
    return shims


def audit_text(shims):
    folder = shims.audit_path.parent
    return "".join(
        path.read_text(encoding="utf-8") for path in sorted(folder.glob("audit.jsonl*"))
    )


@pytest.mark.parametrize(("tool", "argv", "extra_env"), CASES)
def test_marker_absent_from_log(stubs, tool, argv, extra_env):
    env = dict(stubs.env, **extra_env)
    subprocess.run(
        [stubs.shim(tool), *argv],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=TIMEOUT,
        start_new_session=True,
    )
    text = audit_text(stubs)
    assert text, "no audit record was written"
    assert MARKER not in text


@pytest.mark.parametrize(("tool", "argv", "extra_env"), CASES)
def test_marker_absent_from_stderr(stubs, tool, argv, extra_env):
    env = dict(stubs.env, **extra_env)
    result = subprocess.run(
        [stubs.shim(tool), *argv],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        start_new_session=True,
    )
    assert MARKER not in result.stderr


@pytest.mark.parametrize(("tool", "argv", "extra_env"), CASES)
def test_marker_absent_from_explain(isolated_home, tool, argv, extra_env):
    env = dict(os.environ, **extra_env)
    outputs = []
    for json_flag in (["--json"], []):
        result = subprocess.run(
            [sys.executable, "-m", "guardshim", "explain", *json_flag, "--", tool, *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        outputs.append(result.stdout + result.stderr)
    assert MARKER not in "".join(outputs)


PROMPT_CASES = [
    pytest.param(
        "helm", ["template", "r", "./c", "--set", f"a={MARKER}"], {}, id="helm-set"
    ),
    pytest.param(
        "helm",
        ["template", "r", f"https://u:{MARKER}@charts.example/c.tgz"],
        {},
        id="helm-url",
    ),
    pytest.param("terraform", ["plan", "-var", f"x={MARKER}"], {}, id="terraform-var"),
    pytest.param(
        "terraform", ["plan"], {"TF_CLI_ARGS_plan": f"-var=x={MARKER}"}, id="tf-cli-args"
    ),
]


@pytest.mark.parametrize(("tool", "argv", "extra_env"), PROMPT_CASES)
def test_marker_absent_from_prompt(stubs, tool, argv, extra_env):
    env = dict(stubs.env, **extra_env)
    result = run_on_pty(
        [stubs.shim(tool), *argv],
        env=env,
        responses=[(b"Run it? [y/N]", b"n\n")],
        timeout=TIMEOUT,
    )
    assert result.keys_sent == 1, result.stderr
    assert MARKER.encode() not in result.terminal + result.stderr
    assert MARKER not in audit_text(stubs)


@pytest.mark.parametrize(
    "argv",
    [
        ["kubectl", "--server", f"https://bob:{MARKER}@127.0.0.1:1", "delete", "pod", "x"],
        ["kubectl", f"-shttps://bob:{MARKER}@127.0.0.1:1", "get", "pods"],
        ["helm", "--kube-apiserver", f"https://u:{MARKER}@127.0.0.1:1", "list"],
    ],
    ids=["kubectl-server", "kubectl-glued-server", "helm-apiserver"],
)
def test_server_url_password_masked(argv):
    result = subprocess.run(
        [sys.executable, "-m", "guardshim", "explain", "--json", "--", *argv],
        capture_output=True, text=True, timeout=30,
    )
    assert MARKER not in result.stdout
    assert MARKER not in result.stderr


def test_server_password_absent_from_record(shims):
    import shutil

    shutil.copy("/bin/true", shims.bin_dir / "kubectl")
    argv = ["--server", f"https://bob:{MARKER}@127.0.0.1:1", "get", "pods"]
    result = subprocess.run(
        [shims.shim("kubectl"), *argv], env=shims.env, capture_output=True,
        text=True, timeout=30, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0
    assert MARKER not in shims.audit_path.read_text()
