"""A user config with prod and dev contexts, end to end through the helm shim."""

import subprocess

import pytest

from tests.ptyrun import run_on_pty
from tests.test_e2e_helm import install_helm_stub, read_stub_call

CONFIG = """
[[rules]]
context = "prod-*"
class = ["write", "secret"]
decision = "deny"
message = "Production changes go through the deploy pipeline."

[[rules]]
context = "prod-*"
class = "preview"
decision = "prompt"
confirm = "target"

[[rules]]
context = "dev-*"
class = "write"
decision = "prompt"
"""

KUBECONFIG = """
apiVersion: v1
kind: Config
current-context: dev-anna
contexts:
- name: dev-anna
  context: {cluster: dev, user: anna, namespace: team-a}
- name: prod-eu
  context: {cluster: prod, user: anna}
"""


@pytest.fixture
def setup(shims, tmp_path):
    shims.config_path.parent.mkdir(parents=True, exist_ok=True)
    shims.config_path.write_text(CONFIG)
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(KUBECONFIG)
    shims.env["KUBECONFIG"] = str(kubeconfig)
    install_helm_stub(shims.bin_dir)
    record = tmp_path / "stub-call.json"
    shims.env["STUB_RECORD"] = str(record)
    return shims, record


def run_helm(shims, *arguments):
    return subprocess.run(
        [shims.shim("helm"), *arguments], env=shims.env, capture_output=True,
        text=True, timeout=30, stdin=subprocess.DEVNULL, start_new_session=True,
    )


def test_prod_install_refused(setup):
    shims, record = setup
    result = run_helm(shims, "--kube-context", "prod-eu", "install", "r", "./c")
    assert result.returncode == 77
    assert read_stub_call(record) is None


def test_prod_refusal_shows_rule_message(setup):
    shims, _ = setup
    result = run_helm(shims, "--kube-context", "prod-eu", "install", "r", "./c")
    assert "Production changes go through the deploy pipeline." in result.stderr


def test_prod_refusal_records_rule(setup):
    shims, _ = setup
    run_helm(shims, "--kube-context", "prod-eu", "install", "r", "./c")
    record = shims.records()[-1]
    assert record["rule"] == f"{shims.config_path}: rules[1]"
    assert record["target"]["context"] == "prod-eu"


def test_prod_from_environment_refused(setup):
    shims, _ = setup
    shims.env["HELM_KUBECONTEXT"] = "prod-eu"
    assert run_helm(shims, "upgrade", "r", "./c").returncode == 77


def test_dev_install_prompts_without_terminal(setup):
    shims, _ = setup
    result = run_helm(shims, "install", "r", "./c")
    assert result.returncode == 77
    assert "needs approval by a person at a terminal" in result.stderr


def test_dev_install_runs_after_yes(setup):
    shims, record = setup
    result = run_on_pty(
        [shims.shim("helm"), "install", "r", "./c"], env=shims.env,
        responses=[(b"Run it? [y/N]", b"y\n")], timeout=30,
    )
    assert result.returncode == 0
    assert read_stub_call(record) is not None


def test_prod_preview_needs_context_name(setup):
    shims, record = setup
    result = run_on_pty(
        [shims.shim("helm"), "--kube-context", "prod-eu", "template", "r", "./c"],
        env=shims.env, responses=[(b"(prod-eu) to run it:", b"prod-eu\n")], timeout=30,
    )
    assert result.returncode == 0
    assert read_stub_call(record) is not None


def test_prod_preview_yes_not_enough(setup):
    shims, record = setup
    result = run_on_pty(
        [shims.shim("helm"), "--kube-context", "prod-eu", "template", "r", "./c"],
        env=shims.env, responses=[(b"(prod-eu) to run it:", b"y\n")], timeout=30,
    )
    assert result.returncode == 77
    assert read_stub_call(record) is None


def test_invalid_config_runs_nothing(setup):
    shims, record = setup
    shims.config_path.write_text("[[rules]]\ncontext = 'prod-[x'\ndecision = 'deny'\n")
    result = run_helm(shims, "list")
    assert result.returncode == 78
    assert read_stub_call(record) is None
    assert "rules[1].context" in result.stderr


def test_project_file_tightens_shim(setup, tmp_path):
    shims, record = setup
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".guardshim.toml").write_text("[tools.helm.policy]\nread = 'deny'\n")
    result = subprocess.run(
        [shims.shim("helm"), "list"], env=shims.env, cwd=repo, capture_output=True,
        text=True, timeout=30, stdin=subprocess.DEVNULL, start_new_session=True,
    )
    assert result.returncode == 77
    assert read_stub_call(record) is None


def test_project_file_cannot_loosen_shim(setup, tmp_path):
    shims, record = setup
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".guardshim.toml").write_text("[policy]\nwrite = 'allow'\n")
    result = subprocess.run(
        [shims.shim("helm"), "install", "r", "./c"], env=shims.env, cwd=repo,
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    assert result.returncode == 78
    assert read_stub_call(record) is None
