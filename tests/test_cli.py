"""The guardshim command line: --version, --help and explain."""

import json
import subprocess
import sys

import pytest

from guardshim import __version__
from guardshim.cli import main

REQUIRED_KEYS = {"tool", "argv", "command", "class", "decision", "reason", "rule"}


def explain_json(*argv, env=None):
    result = subprocess.run(
        [sys.executable, "-m", "guardshim", "explain", "--json", "--", *argv],
        capture_output=True, text=True, env=env, timeout=30,
    )
    return result


def test_version_prints_version(capsys):
    assert main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out


def test_help_lists_commands(capsys):
    assert main(["--help"]) == 0
    output = capsys.readouterr().out
    for command in ("explain", "install", "uninstall"):
        assert command in output


def test_explain_json_has_contract_keys():
    result = explain_json("kubectl", "get", "pods")
    assert REQUIRED_KEYS <= set(json.loads(result.stdout))


@pytest.mark.parametrize(
    ("argv", "klass", "decision"),
    [
        (["kubectl", "get", "pods"], "read", "allow"),
        (["terraform", "plan"], "preview", "prompt"),
        (["terraform", "state", "pull"], "secret", "deny"),
        (["helm", "install", "r", "./chart"], "write", "deny"),
        (["terraform", "init"], "local", "allow"),
        (["helm", "frobnicate"], "unknown", "prompt"),
    ],
)
def test_explain_default_policy(argv, klass, decision):
    report = json.loads(explain_json(*argv).stdout)
    assert (report["class"], report["decision"]) == (klass, decision)


def test_explain_exits_zero_on_deny():
    assert explain_json("kubectl", "delete", "pod", "x").returncode == 0


def test_explain_names_default_rule():
    report = json.loads(explain_json("kubectl", "delete", "pod", "x").stdout)
    assert report["rule"] == "default:write"


def test_explain_command_words():
    report = json.loads(explain_json("terraform", "state", "rm", "a.b").stdout)
    assert report["command"] == ["state", "rm"]


def test_explain_masks_argv():
    report = json.loads(explain_json("helm", "install", "r", "c", "--set", "p=hunter2").stdout)
    assert "hunter2" not in json.dumps(report)


def test_explain_without_double_dash():
    result = subprocess.run(
        [sys.executable, "-m", "guardshim", "explain", "--json", "kubectl", "-n", "x", "get", "pods"],
        capture_output=True, text=True, timeout=30,
    )
    assert json.loads(result.stdout)["class"] == "read"


def test_explain_unknown_tool(capsys):
    assert main(["explain", "--", "oc", "get", "pods"]) == 2
    assert "unknown tool 'oc'" in capsys.readouterr().err


def test_explain_invalid_config(isolated_home, capsys):
    config = isolated_home / ".config" / "guardshim" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[policy]\nwrite = 'sometimes'\n")
    assert main(["explain", "--", "kubectl", "get", "pods"]) == 78
    error = capsys.readouterr().err
    assert str(config) in error
    assert "policy.write" in error


def test_explain_human_output(capsys):
    assert main(["explain", "--", "terraform", "apply"]) == 0
    output = capsys.readouterr().out
    assert "write" in output
    assert "deny" in output


def test_explain_prints_markup_literally(capsys):
    main(["explain", "--", "kubectl", "--context", "[bold]prod[/bold]", "get", "pods"])
    assert "[bold]prod[/bold]" in capsys.readouterr().out


def test_explain_names_real_binary(tmp_path):
    import os

    fake = tmp_path / "helm"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    env = dict(os.environ, PATH=f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    report = json.loads(explain_json("helm", "list", env=env).stdout)
    assert report["real_binary"] == str(fake)


def test_explain_says_no_real_binary(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    main(["explain", "--", "helm", "list"])
    assert "none found on PATH" in capsys.readouterr().out
