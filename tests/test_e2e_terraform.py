"""End-to-end tests of the terraform shim with the real terraform, offline.

The configuration has only a `terraform_data` resource, which the built-in
`terraform.io/builtin/terraform` provider serves, so `init` downloads nothing.
A temporary CLI config file with `disable_checkpoint` and CHECKPOINT_DISABLE=1
keep terraform off the network and away from the real HOME.
"""

import json
import os
import shutil
import subprocess

import pytest

from tests.ptyrun import run_on_pty

REAL_TERRAFORM = shutil.which("terraform")
TIMEOUT = 120

pytestmark = pytest.mark.skipif(
    REAL_TERRAFORM is None,
    reason="terraform not found on PATH; install terraform to run its end-to-end tests",
)

_CONFIGURATION = """\
resource "terraform_data" "example" {
  input = "guardshim"
}

output "greeting" {
  value = "hello"
}
"""


@pytest.fixture
def tf_env(shims, tmp_path):
    """Return `shims.env` set up for offline, non-interactive terraform runs."""
    cli_config = tmp_path / "terraformrc"
    cli_config.write_text("disable_checkpoint = true\n", encoding="utf-8")
    env = dict(shims.env)
    env["TF_CLI_CONFIG_FILE"] = str(cli_config)
    env["CHECKPOINT_DISABLE"] = "1"
    env["TF_IN_AUTOMATION"] = "1"
    env["TF_INPUT"] = "0"
    return env


@pytest.fixture
def workdir(tmp_path):
    """Return a folder with the configuration, not initialized."""
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "main.tf").write_text(_CONFIGURATION, encoding="utf-8")
    return folder


@pytest.fixture
def initialized(workdir, tf_env):
    """Return `workdir` after `terraform init` with the real binary, bypassing the shim.

    In an initialized folder an `apply` that got through would write
    terraform.tfstate, so the refusal tests can see it.
    """
    result = subprocess.run(
        [REAL_TERRAFORM, "init", "-input=false", "-no-color"],
        cwd=workdir,
        env=tf_env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=TIMEOUT,
    )
    assert result.returncode == 0, result.stderr
    return workdir


def run_terraform(shims, env, cwd, arguments):
    """Run the terraform shim in a new session, so it has no controlling terminal."""
    return subprocess.run(
        [shims.shim("terraform"), *arguments],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        start_new_session=True,
        timeout=TIMEOUT,
    )


def test_real_apply_writes_state(initialized, tf_env):
    # Control for the refusal tests: the same apply, run directly, writes state.
    result = subprocess.run(
        [REAL_TERRAFORM, "apply", "-auto-approve", "-input=false", "-no-color"],
        cwd=initialized,
        env=tf_env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=TIMEOUT,
    )

    assert result.returncode == 0, result.stderr
    assert (initialized / "terraform.tfstate").exists()


def test_apply_refused_exit_77(shims, tf_env, initialized):
    result = run_terraform(shims, tf_env, initialized, ["apply", "-auto-approve"])

    assert result.returncode == 77


def test_apply_refused_writes_no_state(shims, tf_env, initialized):
    run_terraform(shims, tf_env, initialized, ["apply", "-auto-approve"])

    assert not (initialized / "terraform.tfstate").exists()


def test_apply_refusal_message_explains(shims, tf_env, initialized):
    result = run_terraform(shims, tf_env, initialized, ["apply", "-auto-approve"])

    lines = result.stderr.decode().splitlines()
    assert 1 <= len(lines) <= 2, lines
    assert "`terraform apply -auto-approve`" in lines[0]
    assert "write" in lines[0]
    assert "changes infrastructure" in lines[0]
    assert result.stdout == b""


def test_apply_refusal_audit_record(shims, tf_env, initialized):
    run_terraform(shims, tf_env, initialized, ["apply", "-auto-approve"])

    record = shims.records()[-1]
    assert record["outcome"] == "refused"
    assert record["class"] == "write"
    assert record["argv"] == ["apply", "-auto-approve"]


def test_init_runs_real_terraform(shims, tf_env, workdir):
    result = run_terraform(shims, tf_env, workdir, ["init", "-input=false", "-no-color"])

    assert result.returncode == 0, result.stderr
    assert b"Terraform has been successfully initialized!" in result.stdout


def test_init_audit_names_real_binary(shims, tf_env, workdir):
    run_terraform(shims, tf_env, workdir, ["init", "-input=false", "-no-color"])

    record = shims.records()[-1]
    assert record["outcome"] == "ran"
    assert os.path.realpath(record["real_binary"]) == os.path.realpath(REAL_TERRAFORM)


def test_validate_runs_real_terraform(shims, tf_env, initialized):
    result = run_terraform(shims, tf_env, initialized, ["validate", "-no-color"])

    assert result.returncode == 0, result.stderr
    assert result.stdout == b"Success! The configuration is valid.\n\n"


def test_validate_failure_status_passes(shims, tf_env, initialized):
    (initialized / "broken.tf").write_text('resource "terraform_data" {\n', encoding="utf-8")

    result = run_terraform(shims, tf_env, initialized, ["validate", "-no-color"])

    assert result.returncode == 1
    assert b"Error" in result.stderr


def test_plan_approved_on_terminal(shims, tf_env, initialized):
    result = run_on_pty(
        [shims.shim("terraform"), "plan", "-input=false", "-no-color"],
        env=tf_env,
        cwd=initialized,
        responses=[(b"[y/N]", b"y\n")],
        timeout=TIMEOUT,
    )

    assert result.returncode == 0, result.stderr
    assert result.keys_sent == 1
    assert b"Plan: 1 to add, 0 to change, 0 to destroy." in result.stdout


def test_plan_prompt_shows_class(shims, tf_env, initialized):
    result = run_on_pty(
        [shims.shim("terraform"), "plan", "-input=false", "-no-color"],
        env=tf_env,
        cwd=initialized,
        responses=[(b"[y/N]", b"y\n")],
        timeout=TIMEOUT,
    )

    assert b"terraform plan -input=false -no-color" in result.terminal
    assert b"preview" in result.terminal
    assert b"workspace default" in result.terminal


def test_plan_refused_on_terminal(shims, tf_env, initialized):
    result = run_on_pty(
        [shims.shim("terraform"), "plan", "-input=false", "-no-color"],
        env=tf_env,
        cwd=initialized,
        responses=[(b"[y/N]", b"n\n")],
        timeout=TIMEOUT,
    )

    assert result.returncode == 77
    assert result.stdout == b""
    assert b"not approved" in result.stderr


def test_plan_refused_audit_outcome(shims, tf_env, initialized):
    run_on_pty(
        [shims.shim("terraform"), "plan", "-input=false", "-no-color"],
        env=tf_env,
        cwd=initialized,
        responses=[(b"[y/N]", b"n\n")],
        timeout=TIMEOUT,
    )

    assert [record["outcome"] for record in shims.records()] == ["pending", "refused"]


def test_plan_json_file_has_no_prompt(shims, tf_env, initialized, tmp_path):
    plan_path = tmp_path / "plan.json"
    with open(plan_path, "wb") as plan_file:
        result = run_on_pty(
            [shims.shim("terraform"), "plan", "-input=false", "-json"],
            env=tf_env,
            cwd=initialized,
            responses=[(b"[y/N]", b"y\n")],
            stdout_file=plan_file,
            timeout=TIMEOUT,
        )

    assert result.returncode == 0, result.stderr
    assert b"[y/N]" in result.terminal
    content = plan_path.read_bytes()
    assert b"guardshim" not in content
    assert b"[y/N]" not in content
    messages = [json.loads(line) for line in content.splitlines()]
    assert messages[0]["type"] == "version"


def test_plan_without_terminal_refused(shims, tf_env, initialized):
    result = run_terraform(shims, tf_env, initialized, ["plan", "-input=false"])

    assert result.returncode == 77
    assert b"needs approval by a person at a terminal" in result.stderr


def test_output_plain_allowed(shims, tf_env, initialized):
    result = run_terraform(shims, tf_env, initialized, ["output", "-no-color"])

    assert result.returncode == 0, result.stderr
    assert shims.records()[-1]["outcome"] == "ran"


def test_output_json_injection_refused(shims, tf_env, initialized):
    env = dict(tf_env)
    env["TF_CLI_ARGS_output"] = "-json"

    result = run_terraform(shims, env, initialized, ["output"])

    assert result.returncode == 77
    assert b"secret" in result.stderr
    assert result.stdout == b""


def test_output_json_injection_audit_class(shims, tf_env, initialized):
    env = dict(tf_env)
    env["TF_CLI_ARGS_output"] = "-json"

    run_terraform(shims, env, initialized, ["output"])

    assert shims.records()[-1]["class"] == "secret"


def test_global_injection_apply_refused(shims, tf_env, initialized):
    env = dict(tf_env)
    env["TF_CLI_ARGS"] = "-auto-approve"

    result = run_terraform(shims, env, initialized, ["apply"])

    assert result.returncode == 77
    assert not (initialized / "terraform.tfstate").exists()
