"""`guardshim log`: the table, the filters, --json, rotated files and --follow."""

import json
import os
import select
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest

from guardshim.audit import append_record
from guardshim.config import default_locations

TIMEOUT = 30


@pytest.fixture
def audit_path(isolated_home):
    return default_locations(os.environ)["audit_path"]


def make_record(number, **fields):
    record = {
        "time": f"2024-05-01T10:00:{number:02d}.000Z",
        "event": f"event-{number}",
        "tool": "kubectl",
        "argv": ["get", "pods", f"pod-{number}"],
        "command": ["get"],
        "class": "read",
        "decision": "allow",
        "outcome": "ran",
        "target": {"context": "dev", "namespace": "web"},
        "session": None,
    }
    record.update(fields)
    return record


def run_log(*arguments, env=None):
    environment = dict(os.environ, COLUMNS="200")
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "guardshim", "log", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def json_argv(result):
    """Return the last argv word of each JSON line that `--json` printed."""
    return [json.loads(line)["argv"][-1] for line in result.stdout.splitlines()]


def test_missing_log_names_path(audit_path):
    result = run_log()
    assert f"no audit log yet at {audit_path}" in result.stderr


def test_missing_log_exits_zero(audit_path):
    assert run_log().returncode == 0


def test_table_shows_command(audit_path):
    append_record(audit_path, make_record(1))
    assert "kubectl get pods pod-1" in run_log().stdout


def test_table_shows_target(audit_path):
    append_record(audit_path, make_record(1))
    assert "dev/web" in run_log().stdout


def test_json_prints_raw_lines(audit_path):
    append_record(audit_path, make_record(1))
    with open(audit_path, encoding="utf-8") as stream:
        raw = stream.read()
    assert run_log("--json").stdout == raw


@pytest.mark.parametrize(
    ("option", "value", "fields"),
    [
        ("--tool", "helm", {"tool": "helm"}),
        ("--class", "write", {"class": "write"}),
        ("--decision", "deny", {"decision": "deny"}),
        ("--outcome", "refused", {"outcome": "refused"}),
        ("--session", "ci-7", {"session": "ci-7"}),
    ],
)
def test_filter_selects_matching(audit_path, option, value, fields):
    append_record(audit_path, make_record(1))
    append_record(audit_path, make_record(2, **fields))
    assert json_argv(run_log(option, value, "--json")) == ["pod-2"]


def test_since_duration_filters(audit_path):
    now = datetime.now(timezone.utc)
    old = (now - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    recent = (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    append_record(audit_path, make_record(1, time=old))
    append_record(audit_path, make_record(2, time=recent))
    assert json_argv(run_log("--since", "1h", "--json")) == ["pod-2"]


def test_since_iso_time_filters(audit_path):
    for number in range(1, 4):
        append_record(audit_path, make_record(number))
    result = run_log("--since", "2024-05-01T10:00:02Z", "--json")
    assert json_argv(result) == ["pod-2", "pod-3"]


def test_since_date_filters(audit_path):
    append_record(audit_path, make_record(1, time="2024-04-01T10:00:00.000Z"))
    append_record(audit_path, make_record(2, time="2024-06-01T10:00:00.000Z"))
    assert json_argv(run_log("--since", "2024-05-01", "--json")) == ["pod-2"]


def test_bad_since_names_value(audit_path):
    result = run_log("--since", "yesterday")
    assert "invalid --since value 'yesterday'" in result.stderr


def test_bad_since_gives_hint(audit_path):
    result = run_log("--since", "yesterday")
    assert "hint: give a duration back from now such as 30m" in result.stderr


def test_bad_since_exits_2(audit_path):
    assert run_log("--since", "yesterday").returncode == 2


def test_bad_tool_names_choices(audit_path):
    result = run_log("--tool", "kubect")
    assert "'kubect' is not one of 'terraform', 'helm', 'kubectl'" in result.stderr


def test_limit_keeps_latest(audit_path):
    for number in range(1, 6):
        append_record(audit_path, make_record(number))
    assert json_argv(run_log("--limit", "2", "--json")) == ["pod-4", "pod-5"]


def test_default_limit_is_50(audit_path):
    for number in range(60):
        append_record(audit_path, make_record(number))
    assert len(run_log("--json").stdout.splitlines()) == 50


def test_reads_rotated_files(audit_path):
    for number in range(1, 5):
        append_record(audit_path, make_record(number, pad="x" * 700), max_bytes=1024)
    assert os.path.exists(audit_path + ".3")
    assert json_argv(run_log("--json")) == ["pod-1", "pod-2", "pod-3", "pod-4"]


def test_pending_hidden_after_outcome(audit_path):
    append_record(audit_path, make_record(1, outcome="pending"))
    append_record(audit_path, make_record(2, event="event-1", outcome="approved"))
    result = run_log("--json")
    assert [json.loads(line)["outcome"] for line in result.stdout.splitlines()] == [
        "approved"
    ]


def test_pending_shown_without_outcome(audit_path):
    append_record(audit_path, make_record(1, outcome="pending"))
    assert json_argv(run_log("--outcome", "pending", "--json")) == ["pod-1"]


def test_no_match_says_so(audit_path):
    append_record(audit_path, make_record(1))
    assert "no records in" in run_log("--tool", "helm").stderr


def test_table_fits_terminal_width(audit_path):
    append_record(audit_path, make_record(1, argv=["get", "pods", "x" * 300]))
    result = run_log(env={"COLUMNS": "80"})
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_no_color_removes_colors(audit_path):
    append_record(audit_path, make_record(1))
    result = run_log(env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b[3" not in result.stdout


def test_force_color_adds_colors(audit_path):
    # The counterpart of the NO_COLOR test: without NO_COLOR the outcome is green.
    append_record(audit_path, make_record(1))
    result = run_log(env={"FORCE_COLOR": "1"})
    assert "\x1b[32m" in result.stdout


def test_markup_printed_literally(audit_path):
    append_record(audit_path, make_record(1, argv=["get", "[bold]pods[/bold]"]))
    assert "'[bold]pods[/bold]'" in run_log().stdout


def test_config_path_is_used(isolated_home, tmp_path):
    custom = tmp_path / "custom" / "audit.jsonl"
    config = isolated_home / ".config" / "guardshim" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'[audit]\npath = "{custom}"\n')
    append_record(str(custom), make_record(1))
    assert json_argv(run_log("--json")) == ["pod-1"]


def read_lines_until(stream, count, timeout=TIMEOUT):
    """Read `count` lines from a pipe within `timeout` seconds."""
    lines = []
    buffer = b""
    deadline = time.monotonic() + timeout
    while len(lines) < count:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"timed out after {lines!r}"
        ready, _, _ = select.select([stream], [], [], min(remaining, 0.2))
        if not ready:
            continue
        chunk = os.read(stream.fileno(), 65536)
        assert chunk, f"output ended after {lines!r}"
        buffer += chunk
        *complete, buffer = buffer.split(b"\n")
        lines.extend(line.decode() for line in complete)
    return lines


def test_follow_crosses_rotation(audit_path):
    append_record(audit_path, make_record(0))
    process = subprocess.Popen(
        [sys.executable, "-m", "guardshim", "log", "--follow", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert len(read_lines_until(process.stdout, 1)) == 1
        for number in range(1, 5):
            # 700 bytes of padding force a rotation before each new record.
            append_record(
                audit_path, make_record(number, pad="x" * 700), max_bytes=1024
            )
            time.sleep(0.1)
        lines = read_lines_until(process.stdout, 4)
    finally:
        process.kill()
        process.wait(timeout=TIMEOUT)
        process.stdout.close()
    assert [json.loads(line)["argv"][-1] for line in lines] == [
        "pod-1", "pod-2", "pod-3", "pod-4"
    ]
