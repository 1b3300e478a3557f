"""The shim fails closed: internal errors, loops, rewrites and odd environments.

Every test runs the real rendered shims from the `shims` fixture against the
recording stub of tests/stubtool.py, so "nothing ran" is checked by the stub's
own log rather than inferred from an exit status.
"""

import marshal
import os
import shutil
import subprocess
import sys
import threading
import time

import pytest

from guardshim import shim
from guardshim.render import write_shims
from tests.stubtool import environment_digest, install_stubs, read_calls

TIMEOUT = 30
XDG_VARIABLES = (
    "XDG_CONFIG_HOME",
    "XDG_STATE_HOME",
    "XDG_DATA_HOME",
    "XDG_CACHE_HOME",
    "XDG_RUNTIME_DIR",
)


@pytest.fixture
def stub_log(shims, tmp_path):
    """Install the stubs and point STUB_LOG in `shims.env` at a fresh file."""
    install_stubs(shims.bin_dir)
    log = tmp_path / "stub-calls.jsonl"
    shims.env["STUB_LOG"] = str(log)
    return log


def run_shim(shims, tool, arguments, env=None, **options):
    """Run a shim in a new session with no terminal and return the result."""
    return subprocess.run(
        [shims.shim(tool), *arguments],
        env=shims.env if env is None else env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        start_new_session=True,
        timeout=TIMEOUT,
        **options,
    )


def write_config(shims, text):
    shims.config_path.parent.mkdir(parents=True, exist_ok=True)
    shims.config_path.write_text(text, encoding="utf-8")


# Internal errors.


@pytest.fixture
def crashed(shims, stub_log):
    """Make decide() raise TypeError through a corrupted policy cache; run once.

    The first call parses the config and writes `policy.cache` next to the
    audit log. The cache entry keeps its format, version and file stamp, so the
    second call trusts it, but its layer's "rules" is an int, not a list.
    """
    write_config(shims, '[policy]\nread = "allow"\n')
    first = run_shim(shims, "helm", ["list"])
    assert first.returncode == 0, first.stderr
    cache_path = shims.audit_path.parent / "policy.cache"
    content = marshal.loads(cache_path.read_bytes())
    for entry in content["entries"].values():
        entry[3]["rules"] = 5
    cache_path.write_bytes(marshal.dumps(content))
    calls_before = len(read_calls(stub_log))
    result = run_shim(shims, "helm", ["list"])
    return result, calls_before


def crash_reports(shims):
    return sorted(shims.audit_path.parent.glob("crash-*.txt"))


def test_crash_exits_70(crashed):
    result, _ = crashed

    assert result.returncode == 70


def test_crash_runs_nothing(shims, stub_log, crashed):
    _, calls_before = crashed

    assert len(read_calls(stub_log)) == calls_before


def test_crash_prints_no_traceback(crashed):
    result, _ = crashed

    assert b"Traceback" not in result.stderr


def test_crash_message_names_report(shims, crashed):
    result, _ = crashed

    reports = crash_reports(shims)
    assert len(reports) == 1
    assert b"internal error (TypeError" in result.stderr
    assert str(reports[0]).encode() in result.stderr


def test_crash_report_mode_0600(shims, crashed):
    reports = crash_reports(shims)

    assert len(reports) == 1
    assert reports[0].stat().st_mode & 0o777 == 0o600


def test_crash_report_has_location(shims, crashed):
    text = crash_reports(shims)[0].read_text(encoding="utf-8")

    assert "TypeError" in text
    assert "policy.py" in text


def test_crash_audit_outcome_error(shims, crashed):
    record = shims.records()[-1]

    assert record["outcome"] == "error"
    assert record["tool"] == "helm"


def test_crash_without_report_folder(capsys, tmp_path):
    # The audit folder cannot be created below a regular file, so neither the
    # report nor the audit record can be written, and the message must report that.
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    locations = {"audit_path": str(blocker / "state" / "audit.jsonl")}

    def explode(*arguments):
        raise RuntimeError("boom")

    original = shim._run
    shim._run = explode
    try:
        status = shim.main("helm", locations, argv=["helm", "list"], environ={})
    finally:
        shim._run = original

    stderr = capsys.readouterr().err
    assert status == 70
    assert "no crash report could be written" in stderr
    assert "Traceback" not in stderr
    assert "boom" not in stderr


# Nesting and real-binary resolution.


def install_recursive_helm(shims, tmp_path):
    """Install a helm that calls `helm` again through PATH; return its depth log."""
    depth_log = tmp_path / "depths.txt"
    stub = shims.bin_dir / "helm"
    stub.write_text(
        '#!/bin/sh\necho "$GUARDSHIM_DEPTH" >> "$DEPTH_LOG"\nexec helm "$@"\n',
        encoding="utf-8",
    )
    stub.chmod(0o755)
    shims.env["DEPTH_LOG"] = str(depth_log)
    return depth_log


def test_depth_chain_stops_at_limit(shims, tmp_path):
    depth_log = install_recursive_helm(shims, tmp_path)

    result = run_shim(shims, "helm", ["list"])

    assert result.returncode == 126
    assert b"reached itself 9 times" in result.stderr
    depths = depth_log.read_text().split()
    assert depths == [str(depth) for depth in range(1, shim.MAX_DEPTH + 1)]


def test_negative_depth_cannot_extend_chain(shims, tmp_path):
    depth_log = install_recursive_helm(shims, tmp_path)
    shims.env["GUARDSHIM_DEPTH"] = "-1000"

    result = run_shim(shims, "helm", ["list"])

    assert result.returncode == 126
    assert len(depth_log.read_text().split()) == shim.MAX_DEPTH


@pytest.mark.parametrize(("depth", "status"), [("7", 0), ("8", 126), ("junk", 0)])
def test_depth_variable_boundaries(shims, stub_log, depth, status):
    shims.env["GUARDSHIM_DEPTH"] = depth

    result = run_shim(shims, "helm", ["list"])

    assert result.returncode == status, result.stderr
    assert len(read_calls(stub_log)) == (1 if status == 0 else 0)


@pytest.mark.parametrize("form", ["copy", "symlink", "shim-itself"])
def test_configured_shim_path_rejected(shims, stub_log, tmp_path, form):
    configured = tmp_path / "elsewhere" / "helm"
    configured.parent.mkdir()
    if form == "copy":
        shutil.copy2(shims.shim("helm"), configured)
    elif form == "symlink":
        configured.symlink_to(shims.shim("helm"))
    else:
        configured = shims.shim_dir / "helm"
    write_config(shims, f"[tools.helm]\npath = '{configured}'\n")

    result = run_shim(shims, "helm", ["list"])

    assert result.returncode == 127
    assert str(configured).encode() in result.stderr
    assert b"tools.helm.path" in result.stderr
    assert read_calls(stub_log) == []
    assert [record["outcome"] for record in shims.records()] == ["not_found"]


@pytest.mark.parametrize("tool", ["terraform", "helm", "kubectl"])
def test_no_real_binary_exits_127(shims, tmp_path, tool):
    link = tmp_path / "shims-link"
    link.symlink_to(shims.shim_dir, target_is_directory=True)
    env = dict(shims.env)
    entries = [str(shims.shim_dir), str(link), "shims", "", str(shims.shim_dir)]
    env["PATH"] = os.pathsep.join(entries)
    started = time.monotonic()

    result = run_shim(shims, tool, ["version"], env=env, cwd=tmp_path)

    assert result.returncode == 127, result.stderr
    assert time.monotonic() - started < 5
    assert len(shims.records()) == 1


def test_unset_path_finds_nothing(shims, stub_log):
    env = dict(shims.env)
    del env["PATH"]

    result = run_shim(shims, "helm", ["list"], env=env, cwd=shims.bin_dir.parent)

    assert result.returncode == 127
    assert read_calls(stub_log) == []


# Rendering while shims run.


def test_render_race_never_half_written(shims, stub_log, tmp_path):
    # Each round renders different text (the unused `round` key), so every
    # round replaces all three files while the calls below run.
    from guardshim.config import default_locations

    locations = default_locations(os.environ)
    locations["shim_dir"] = str(shims.shim_dir)
    stop = threading.Event()
    rounds = []

    def render_in_loop():
        while not stop.is_set():
            locations["round"] = len(rounds)
            write_shims(shims.shim_dir, locations, interpreter=sys.executable)
            rounds.append(True)

    renderer = threading.Thread(target=render_in_loop, daemon=True)
    renderer.start()
    outcomes = []
    try:
        for index in range(24):
            arguments = ["list"] if index % 2 else ["install", f"r{index}", "./c"]
            try:
                result = run_shim(shims, "helm", arguments)
                outcomes.append((arguments[0], result.returncode, result.stderr))
            except OSError as error:
                outcomes.append((arguments[0], error.errno, b""))
    finally:
        stop.set()
        renderer.join(timeout=TIMEOUT)

    expected = {"list": 0, "install": 77}
    unexpected = [item for item in outcomes if item[1] != expected[item[0]]]
    assert unexpected == []
    assert len(rounds) > 24
    stub_argv = [call["argv"][0] for call in read_calls(stub_log)]
    assert stub_argv == [b"list"] * 12


# Odd environments.


@pytest.mark.parametrize(
    "home", ["unset", "empty", "/proc", "/nonexistent/home", "relative/home"]
)
def test_odd_home_same_decisions(shims, stub_log, home):
    env = {key: value for key, value in shims.env.items() if not key.startswith("XDG_")}
    if home == "unset":
        del env["HOME"]
    else:
        env["HOME"] = "" if home == "empty" else home

    allowed = run_shim(shims, "helm", ["list"], env=env)
    refused = run_shim(shims, "helm", ["install", "r", "./c"], env=env)

    assert allowed.returncode == 0, allowed.stderr
    assert refused.returncode == 77, refused.stderr
    assert [record["outcome"] for record in shims.records()] == ["ran", "refused"]


def huge_environment(shims):
    """Return `shims.env` with about 1 MiB of extra variables, HELM_ ones included."""
    env = dict(shims.env)
    for index in range(120):
        prefix = "HELM_HUGE" if index % 4 == 0 else "HUGE"
        env[f"{prefix}_{index}"] = chr(ord("a") + index % 26) * 8192
    return env


def test_huge_environment_allowed_intact(shims, stub_log):
    env = huge_environment(shims)

    result = run_shim(shims, "helm", ["list"], env=env)

    assert result.returncode == 0, result.stderr
    assert read_calls(stub_log)[0]["environment"] == environment_digest(env)


def test_huge_environment_still_refuses(shims, stub_log):
    result = run_shim(shims, "helm", ["install", "r", "./c"], env=huge_environment(shims))

    assert result.returncode == 77
    assert read_calls(stub_log) == []
    assert "HELM_HUGE_0" in shims.records()[-1]["env"]


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("helm", [b"install", b"\xff\xfe", b"./c"]),
        ("kubectl", [b"delete", b"pod", b"caf\xe9"]),
        ("terraform", [b"apply", b"plan-\x80.bin"]),
    ],
)
def test_undecodable_argv_refused_clearly(shims, stub_log, tool, arguments):
    result = run_shim(shims, tool, [os.fsdecode(word) for word in arguments])

    assert result.returncode == 77
    assert read_calls(stub_log) == []
    assert b"Traceback" not in result.stderr
    assert b"$'" in result.stderr.splitlines()[0]
    assert shims.records()[-1]["outcome"] == "refused"


def test_undecodable_environment_reaches_tool(shims, stub_log):
    env = {os.fsencode(key): os.fsencode(value) for key, value in shims.env.items()}
    env[b"HELM_ODD_\xff"] = b"value-\xfe"
    env[b"KUBECONFIG"] = b"/nowhere/\xff"

    result = run_shim(shims, "kubectl", ["get", "pods"], env=env)

    assert result.returncode == 0, result.stderr
    assert read_calls(stub_log)[0]["environment"] == environment_digest(env)


def test_refusal_with_stderr_closed(shims, stub_log):
    result = subprocess.run(
        ["bash", "-c", 'helm install r ./c 2>&-; echo "status=$?"'],
        env=shims.env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        start_new_session=True,
        timeout=TIMEOUT,
    )

    assert result.stdout == b"status=77\n"
    assert read_calls(stub_log) == []


def test_allow_with_streams_closed(shims, stub_log):
    result = subprocess.run(
        ["bash", "-c", 'helm list <&- >&- 2>&-; echo "status=$?"'],
        env=shims.env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        start_new_session=True,
        timeout=TIMEOUT,
    )

    assert result.stdout == b"status=0\n"
    assert len(read_calls(stub_log)) == 1


# The caller's environment cannot move the config or the audit log.


@pytest.mark.parametrize("variable", ["HOME", *XDG_VARIABLES, "all"])
def test_caller_folders_cannot_loosen(shims, stub_log, tmp_path, variable):
    write_config(shims, '[policy]\nread = "deny"\n')
    elsewhere = tmp_path / "elsewhere"
    # A permissive config everywhere the moved variables could lead.
    for folder in (elsewhere / ".config", elsewhere):
        (folder / "guardshim").mkdir(parents=True, exist_ok=True)
        (folder / "guardshim" / "config.toml").write_text('[policy]\nread = "allow"\n')
    env = dict(shims.env)
    for name in ["HOME", *XDG_VARIABLES] if variable == "all" else [variable]:
        env[name] = str(elsewhere)

    result = run_shim(shims, "helm", ["list"], env=env)

    assert result.returncode == 77, result.stderr
    assert read_calls(stub_log) == []
    assert [record["outcome"] for record in shims.records()] == ["refused"]
    assert list(elsewhere.rglob("audit.jsonl*")) == []
