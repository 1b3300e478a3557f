"""Every way a shell or a wrapper reaches a tool through PATH meets the shim.

Wrappers (`env`, `nice`, `timeout`, `xargs`, `find -exec`, `sh -c`, ...), a
leading `VAR=value`, quoting that the shell removes and chains of commands all
end in an execvp of the plain tool name. Each call must therefore be decided
exactly like the plain form. The tests run real bash with the shim folder first on PATH
and the recording stubs behind it.
"""

import shutil
import subprocess

import pytest

from tests.stubtool import TOOLS, install_stubs, read_calls

TIMEOUT = 30

WRITES = {
    "terraform": ["apply", "-auto-approve"],
    "helm": ["install", "r", "./c"],
    "kubectl": ["delete", "pod", "x"],
}
READS = {
    "terraform": ["version"],
    "helm": ["list"],
    "kubectl": ["get", "pods"],
}

# `{cmd}` is the tool and its arguments, `{tool}` the name, `{args}` the arguments.
WRAPPERS = [
    pytest.param("FOO=1 {cmd}", id="leading-assignment"),
    pytest.param("env {cmd}", id="env"),
    pytest.param("env -u HOME FOO=bar {cmd}", id="env-with-changes"),
    pytest.param("nice -n 5 {cmd}", id="nice"),
    pytest.param("timeout 20 {cmd}", id="timeout"),
    pytest.param("nohup {cmd}", id="nohup"),
    pytest.param("command {cmd}", id="command-builtin"),
    pytest.param("exec {cmd}", id="exec-builtin"),
    pytest.param("bash -c '{cmd}'", id="bash-c"),
    pytest.param("sh -c '{cmd}'", id="sh-c"),
    pytest.param("sh -c 'exec \"$0\" \"$@\"' {cmd}", id="sh-c-exec-args"),
    pytest.param("printf '%s\\n' {args} | xargs {tool}", id="xargs"),
    pytest.param("find . -maxdepth 0 -exec {cmd} \\;", id="find-exec"),
    pytest.param("'{tool}' {args}", id="single-quoted-name"),
    pytest.param('"{tool}" {args}', id="double-quoted-name"),
    pytest.param("{head}\\{tail} {args}", id="backslash-in-name"),
    pytest.param("{head}''{tail} {args}", id="empty-quotes-in-name"),
    pytest.param("$'\\x{hex}'{tail} {args}", id="ansi-c-escape"),
    pytest.param('t={tool}; "$t" {args}', id="variable-name"),
    pytest.param("$(echo {tool}) {args}", id="command-substitution"),
    pytest.param("{tool} {quoted_args}", id="quoted-arguments"),
]


@pytest.fixture
def stub_log(shims, tmp_path):
    """Install the stubs and point STUB_LOG in `shims.env` at a fresh file."""
    install_stubs(shims.bin_dir)
    log = tmp_path / "stub-calls.jsonl"
    shims.env["STUB_LOG"] = str(log)
    return log


def shell_line(template, tool, arguments):
    """Fill a WRAPPERS template for `tool` run with `arguments`."""
    args = " ".join(arguments)
    return template.format(
        cmd=f"{tool} {args}",
        tool=tool,
        args=args,
        head=tool[0],
        tail=tool[1:],
        hex=f"{ord(tool[0]):02x}",
        quoted_args=" ".join(f"'{word}'" for word in arguments),
    )


def run_bash(shims, script, cwd):
    """Run `script` with bash -c, the shim folder first on PATH, no terminal."""
    return subprocess.run(
        ["bash", "-c", script],
        env=shims.env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        start_new_session=True,
        timeout=TIMEOUT,
    )


def stub_argv(stub_log):
    return [[word.decode() for word in call["argv"]] for call in read_calls(stub_log)]


@pytest.mark.parametrize("tool", TOOLS)
@pytest.mark.parametrize("template", WRAPPERS)
def test_wrapped_write_refused(shims, stub_log, tmp_path, template, tool):
    script = shell_line(template, tool, WRITES[tool])

    run_bash(shims, script, tmp_path)

    assert stub_argv(stub_log) == []
    records = shims.records()
    assert [record["outcome"] for record in records] == ["refused"]
    assert records[0]["tool"] == tool
    assert records[0]["argv"] == WRITES[tool]


@pytest.mark.parametrize("tool", TOOLS)
@pytest.mark.parametrize("template", WRAPPERS)
def test_wrapped_read_runs_exactly(shims, stub_log, tmp_path, template, tool):
    script = shell_line(template, tool, READS[tool])

    result = run_bash(shims, script, tmp_path)

    assert result.returncode == 0, result.stderr
    assert stub_argv(stub_log) == [READS[tool]]
    assert [record["outcome"] for record in shims.records()] == ["ran"]


@pytest.mark.parametrize(
    ("template", "status"),
    [
        ("{cmd}", 77),
        ("env {cmd}", 77),
        ("timeout 20 {cmd}", 77),
        ("bash -c '{cmd}'", 77),
        ("printf '%s\\n' {args} | xargs {tool}", 123),  # xargs: a call exited 1-125
    ],
)
def test_refusal_status_reaches_shell(shims, stub_log, tmp_path, template, status):
    result = run_bash(shims, shell_line(template, "helm", WRITES["helm"]), tmp_path)

    assert result.returncode == status


def test_chain_decides_each_call(shims, stub_log, tmp_path):
    script = (
        "helm list && helm install r ./c; "
        "kubectl get pods | cat; "
        "terraform apply -auto-approve || helm list"
    )

    run_bash(shims, script, tmp_path)

    outcomes = [record["outcome"] for record in shims.records()]
    assert outcomes == ["ran", "refused", "ran", "refused", "ran"]
    assert stub_argv(stub_log) == [["list"], ["get", "pods"], ["list"]]


def test_refusal_stops_and_chain(shims, stub_log, tmp_path):
    run_bash(shims, "helm install r ./c && helm list", tmp_path)

    assert [record["outcome"] for record in shims.records()] == ["refused"]
    assert stub_argv(stub_log) == []


def test_pipeline_decides_each_side(shims, stub_log, tmp_path):
    run_bash(shims, "helm list | kubectl delete pod x | cat", tmp_path)

    outcomes = sorted(record["outcome"] for record in shims.records())
    assert outcomes == ["ran", "refused"]
    assert stub_argv(stub_log) == [["list"]]


@pytest.mark.parametrize("form", ["symlink", "copy"])
def test_renamed_shim_still_guards(shims, stub_log, tmp_path, form):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    renamed = elsewhere / "k"
    if form == "symlink":
        renamed.symlink_to(shims.shim("kubectl"))
    else:
        shutil.copy2(shims.shim("kubectl"), renamed)
    shims.env["PATH"] = f"{elsewhere}:{shims.env['PATH']}"

    result = run_bash(shims, "k delete pod x", tmp_path)

    assert result.returncode == 77
    assert stub_argv(stub_log) == []
    assert shims.records()[-1]["tool"] == "kubectl"


def test_renamed_shim_runs_its_tool(shims, stub_log, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "h").symlink_to(shims.shim("helm"))
    shims.env["PATH"] = f"{elsewhere}:{shims.env['PATH']}"

    result = run_bash(shims, "h list", tmp_path)

    assert result.returncode == 0, result.stderr
    assert read_calls(stub_log)[0]["tool"] == "helm"
