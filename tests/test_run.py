"""guardshim run end to end with real child processes, and the agent env in the block."""

import json
import os
import signal
import subprocess
import sys

import pytest

from guardshim.cli import main
from guardshim.profile import render_block

TIMEOUT = 60
REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PRINT_ENVIRONMENT = "import json, os; print(json.dumps(dict(os.environ)))"


@pytest.fixture
def home(isolated_home, monkeypatch):
    monkeypatch.setenv("SHELL", "/bin/bash")
    return isolated_home


@pytest.fixture
def installed(home, capsys):
    config = home / ".config" / "guardshim" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        '[agent.env]\nAWS_PROFILE = "agent-readonly"\n'
        'KUBECONFIG = "~/.kube/agent"\n'
    )
    assert main(["install"]) == 0
    capsys.readouterr()
    return home


def shim_dir(home):
    return home / ".local" / "share" / "guardshim" / "shims"


def guardshim_run(*command):
    return subprocess.run(
        [sys.executable, "-m", "guardshim", "run", "--", *command],
        env=dict(os.environ),
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def child_environment():
    result = guardshim_run(sys.executable, "-c", PRINT_ENVIRONMENT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_run_passes_exit_status(installed):
    result = guardshim_run(sys.executable, "-c", "raise SystemExit(7)")
    assert result.returncode == 7


def test_run_passes_zero_status(installed):
    assert guardshim_run("true").returncode == 0


def test_run_passes_signal(installed):
    code = "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"
    result = guardshim_run(sys.executable, "-c", code)
    assert result.returncode == -signal.SIGTERM


def test_run_replaces_itself(installed):
    process = subprocess.Popen(
        [sys.executable, "-m", "guardshim", "run", "--", sys.executable, "-c",
         "import os; print(os.getpid())"],
        env=dict(os.environ),
        cwd=REPOSITORY,
        stdout=subprocess.PIPE,
        text=True,
    )
    output, _ = process.communicate(timeout=TIMEOUT)
    assert int(output) == process.pid


def test_run_puts_shims_first(installed):
    path = child_environment()["PATH"].split(os.pathsep)
    assert path[0] == str(shim_dir(installed))


def test_run_keeps_shims_once(installed, monkeypatch):
    monkeypatch.setenv("PATH", f"/usr/bin:{shim_dir(installed)}:/bin")
    path = child_environment()["PATH"].split(os.pathsep)
    assert path.count(str(shim_dir(installed))) == 1


def test_run_kubectl_resolves_to_shim(installed):
    result = guardshim_run("sh", "-c", "command -v kubectl")
    assert result.stdout.strip() == str(shim_dir(installed) / "kubectl")


def test_run_sets_session_id(installed):
    session = child_environment()["GUARDSHIM_SESSION"]
    assert len(session) == 32
    assert int(session, 16) >= 0


def test_run_session_fresh_each_time(installed):
    first = child_environment()["GUARDSHIM_SESSION"]
    second = child_environment()["GUARDSHIM_SESSION"]
    assert first != second


def test_run_replaces_inherited_session(installed, monkeypatch):
    monkeypatch.setenv("GUARDSHIM_SESSION", "old-session")
    assert child_environment()["GUARDSHIM_SESSION"] != "old-session"


def test_run_sets_agent_env(installed):
    assert child_environment()["AWS_PROFILE"] == "agent-readonly"


def test_run_expands_tilde(installed):
    expected = str(installed / ".kube" / "agent")
    assert child_environment()["KUBECONFIG"] == expected


def test_run_leaves_profile_alone(installed):
    profile = installed / ".bashrc"
    before = profile.read_bytes()
    child_environment()
    assert profile.read_bytes() == before


def test_run_passes_arguments_verbatim(installed):
    code = "import json, sys; print(json.dumps(sys.argv[1:]))"
    arguments = ["a b", "--", "-x=1", "", "$HOME"]
    result = guardshim_run(sys.executable, "-c", code, *arguments)
    assert json.loads(result.stdout) == arguments


def test_run_without_install_refused(home):
    result = guardshim_run("true")
    assert result.returncode == 69
    assert "guardshim install" in result.stderr


def test_run_stale_shim_refused(installed):
    shim = shim_dir(installed) / "helm"
    shim.write_text(shim.read_text() + "# edited\n")
    result = guardshim_run("true")
    assert result.returncode == 69
    assert "helm" in result.stderr


def test_run_invalid_config_refused(installed):
    (installed / ".config" / "guardshim" / "config.toml").write_text("[agent\n")
    assert guardshim_run("true").returncode == 78


def test_run_command_not_found(installed):
    result = guardshim_run("no-such-command-guardshim")
    assert result.returncode == 127
    assert "no-such-command-guardshim" in result.stderr


def test_run_not_executable(installed):
    script = installed / "script.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o644)
    assert guardshim_run(str(script)).returncode == 126


def test_run_requires_command(installed, capsys):
    assert main(["run"]) == 2


# --- the agent env in the profile block ----------------------------------------


def source_block(lines, variable):
    script = "\n".join([*lines, f'printf %s "${variable}"'])
    result = subprocess.run(
        ["sh", "-c", script], capture_output=True, text=True, timeout=TIMEOUT
    )
    return result.stdout


def test_block_exports_agent_env():
    lines = render_block("/shims", agent_env={"AWS_PROFILE": "agent-readonly"})
    assert source_block(lines, "AWS_PROFILE") == "agent-readonly"


def test_block_quotes_awkward_value():
    value = "it's $HOME `id` \"x\" \\ ;"
    lines = render_block("/shims", agent_env={"ODD": value})
    assert source_block(lines, "ODD") == value


def test_block_exports_before_path():
    lines = render_block("/shims", agent_env={"PATH": "/usr/bin"})
    assert source_block(lines, "PATH").split(":")[0] == "/shims"


def test_block_fish_syntax():
    lines = render_block("/shims", fish=True, agent_env={"AWS_PROFILE": "it's"})
    assert "set -gx AWS_PROFILE 'it\\'s'" in lines


def test_block_rejects_line_break():
    with pytest.raises(ValueError):
        render_block("/shims", agent_env={"BAD": "a\n# <<< guardshim <<<"})


def test_install_rejects_line_break(home, capsys):
    config = home / ".config" / "guardshim" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[agent.env]\nBAD = "a\\nb"\n')
    assert main(["install"]) == 1
    assert not (home / ".bashrc").exists()
