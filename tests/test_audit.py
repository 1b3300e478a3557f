"""The audit log writer."""

import json
import os
import stat
import subprocess
import sys

import pytest

from guardshim.audit import AuditError, append_record, encode_record, utc_timestamp


@pytest.mark.parametrize(
    "record",
    [
        {"tool": "kubectl", "argv": ["get", "pods"], "pid": 12, "ok": True},
        {"text": 'quote " backslash \\ newline \n tab \t', "none": None},
        {"unicode": "Grüße ✓", "nested": {"list": [1, 2.5, False]}},
        {"control": "\x00\x1b[31m"},
    ],
)
def test_encode_record_is_json(record):
    assert json.loads(encode_record(record)) == record


def test_record_surrogates_round_trip(tmp_path):
    # argv bytes that are not UTF-8 arrive as lone surrogates (surrogateescape)
    # and must come back from the log as the same string.
    text = b"caf\xe9".decode("utf-8", "surrogateescape")
    path = tmp_path / "audit.jsonl"
    append_record(str(path), {"argv": [text]})
    assert json.loads(path.read_text(encoding="utf-8"))["argv"] == [text]


def test_utc_timestamp_format():
    assert utc_timestamp(0.25) == "1970-01-01T00:00:00.250Z"


def test_append_record_creates_private_file(tmp_path):
    path = tmp_path / "state" / "guardshim" / "audit.jsonl"
    append_record(str(path), {"n": 1})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_append_record_creates_private_folder(tmp_path):
    path = tmp_path / "state" / "guardshim" / "audit.jsonl"
    append_record(str(path), {"n": 1})
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_append_record_appends_lines(tmp_path):
    path = tmp_path / "audit.jsonl"
    append_record(str(path), {"n": 1})
    append_record(str(path), {"n": 2})
    lines = path.read_text().splitlines()
    assert [json.loads(line)["n"] for line in lines] == [1, 2]


def test_append_record_folder_is_file(tmp_path):
    blocker = tmp_path / "state"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(AuditError) as caught:
        append_record(str(blocker / "audit.jsonl"), {"n": 1})
    assert caught.value.path == str(blocker / "audit.jsonl")


def test_append_record_path_is_folder(tmp_path):
    with pytest.raises(AuditError) as caught:
        append_record(str(tmp_path), {"n": 1})
    assert caught.value.path == str(tmp_path)


def test_concurrent_writers_never_interleave(tmp_path):
    path = tmp_path / "audit.jsonl"
    writer = (
        "import sys\n"
        "from guardshim.audit import append_record\n"
        "for i in range(50):\n"
        "    append_record(sys.argv[1], {'w': sys.argv[2], 'i': i, 'pad': 'x' * 9000})\n"
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", writer, str(path), str(number)])
        for number in range(8)
    ]
    for process in processes:
        assert process.wait(timeout=60) == 0
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(records) == 400


# Rotation, the lock file, full disks, syslog framing and the shim's imports.

from guardshim.audit import (  # noqa: E402
    LOCK_SUFFIX,
    relevant_env_names,
    send_to_syslog,
)


def read_records(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_append_record_creates_private_lock(tmp_path):
    path = tmp_path / "audit.jsonl"
    append_record(str(path), {"n": 1})
    lock = tmp_path / ("audit.jsonl" + LOCK_SUFFIX)
    assert stat.S_IMODE(lock.stat().st_mode) == 0o600


def test_rotation_moves_full_log(tmp_path):
    path = tmp_path / "audit.jsonl"
    for number in range(3):
        append_record(str(path), {"n": number, "pad": "x" * 600}, max_bytes=1024)
    assert [record["n"] for record in read_records(path)] == [2]


def test_rotation_shifts_older_files(tmp_path):
    path = tmp_path / "audit.jsonl"
    for number in range(3):
        append_record(str(path), {"n": number, "pad": "x" * 600}, max_bytes=1024)
    rotated = tmp_path / "audit.jsonl.2"
    assert [record["n"] for record in read_records(rotated)] == [0]


def test_rotation_drops_beyond_keep(tmp_path):
    path = tmp_path / "audit.jsonl"
    for number in range(6):
        append_record(
            str(path), {"n": number, "pad": "x" * 600}, max_bytes=1024, keep=2
        )
    names = sorted(child.name for child in tmp_path.glob("audit.jsonl*"))
    assert names == ["audit.jsonl", "audit.jsonl.1", "audit.jsonl.2", "audit.jsonl.lock"]


def test_rotation_keeps_small_log(tmp_path):
    path = tmp_path / "audit.jsonl"
    for number in range(5):
        append_record(str(path), {"n": number}, max_bytes=1024)
    assert len(read_records(path)) == 5


def test_full_disk_raises_audit_error(tmp_path):
    path = tmp_path / "audit.jsonl"
    path.symlink_to("/dev/full")
    with pytest.raises(AuditError) as caught:
        append_record(str(path), {"n": 1}, max_bytes=1024)
    assert caught.value.error == "No space left on device"


def test_character_device_never_rotated(tmp_path):
    path = tmp_path / "audit.jsonl"
    path.symlink_to("/dev/null")
    for number in range(3):
        append_record(str(path), {"n": number, "pad": "x" * 600}, max_bytes=1024)
    assert not (tmp_path / "audit.jsonl.1").exists()


def test_concurrent_rotation_loses_nothing(tmp_path):
    path = tmp_path / "audit.jsonl"
    writer = (
        "import sys\n"
        "from guardshim.audit import append_record\n"
        "for i in range(40):\n"
        "    append_record(sys.argv[1], {'w': sys.argv[2], 'i': i, 'pad': 'x' * 300},\n"
        "                  max_bytes=4096, keep=200)\n"
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", writer, str(path), str(number)])
        for number in range(8)
    ]
    for process in processes:
        assert process.wait(timeout=60) == 0
    records = []
    for file in tmp_path.glob("audit.jsonl*"):
        if not file.name.endswith(LOCK_SUFFIX):
            records.extend(read_records(file))
    assert len({(record["w"], record["i"]) for record in records}) == 320
    assert len(records) == 320


def test_env_names_lists_prefixes():
    environ = {"TF_VAR_db": "v", "AWS_PROFILE": "p", "HOME": "/h", "KUBECONFIG": "k"}
    assert relevant_env_names(environ) == ["AWS_PROFILE", "KUBECONFIG", "TF_VAR_db"]


@pytest.fixture
def syslog_server(tmp_path):
    """A Unix datagram socket standing in for /dev/log; yields it bound."""
    import socket

    path = tmp_path / "log.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(str(path))
    server.settimeout(10)
    yield server
    server.close()


def test_syslog_message_has_priority(syslog_server):
    send_to_syslog(b'{"n":1}\n', "refused", syslog_server.getsockname())
    message = syslog_server.recv(65536)
    assert message.startswith(b"<85>")  # authpriv (10) * 8 + notice (5)


def test_syslog_message_has_tag(syslog_server):
    send_to_syslog(b'{"n":1}\n', "ran", syslog_server.getsockname())
    message = syslog_server.recv(65536)
    assert f" guardshim[{os.getpid()}]: ".encode() in message


def test_syslog_message_ends_with_record(syslog_server):
    send_to_syslog(b'{"n":1}\n', "ran", syslog_server.getsockname())
    message = syslog_server.recv(65536)
    assert json.loads(message.split(b"]: ", 1)[1]) == {"n": 1}


def test_syslog_missing_socket_raises(tmp_path):
    with pytest.raises(OSError):
        send_to_syslog(b"{}\n", "ran", str(tmp_path / "missing.sock"))


PACKAGE_PATH_LINE = (
    f"import sys; sys.path.insert(0, {os.path.dirname(os.path.dirname(__file__))!r})\n"
)


def test_shim_import_stays_cheap():
    code = (
        "import sys\n"
        "import guardshim.shim\n"
        "heavy = {'json', 're', 'logging', 'datetime', 'socket'} & set(sys.modules)\n"
        "print(sorted(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", PACKAGE_PATH_LINE + code],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "[]", result.stderr


# The shims themselves: record fields, unwritable logs, audit.required, syslog.

STUB_SCRIPT = '#!/bin/sh\necho "$0" >> "$STUB_CALLS"\nexit 0\n'


@pytest.fixture
def stubs(shims, tmp_path):
    """Stub terraform, helm and kubectl in `shims.bin_dir`; return the calls file."""
    calls = tmp_path / "stub-calls"
    for tool in ("terraform", "helm", "kubectl"):
        stub = shims.bin_dir / tool
        stub.write_text(STUB_SCRIPT)
        stub.chmod(0o755)
    shims.env["STUB_CALLS"] = str(calls)
    return calls


def run_shim(shims, tool, *arguments, env=None):
    """Run a shim with no terminal and return the CompletedProcess."""
    return subprocess.run(
        [shims.shim(tool), *arguments],
        env=env or shims.env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        start_new_session=True,
    )


def write_config(shims, text):
    shims.config_path.parent.mkdir(parents=True, exist_ok=True)
    shims.config_path.write_text(text)


def test_record_has_session(shims, stubs):
    env = dict(shims.env, GUARDSHIM_SESSION="agent-42")
    run_shim(shims, "kubectl", "get", "pods", env=env)
    assert shims.records()[0]["session"] == "agent-42"


def test_record_has_parent_name(shims, stubs):
    run_shim(shims, "kubectl", "get", "pods")
    with open(f"/proc/{os.getpid()}/comm") as stream:
        own_name = stream.read().strip()
    # The shim's parent is this test process.
    assert shims.records()[0]["parent"] == own_name


def test_record_has_env_names(shims, stubs):
    env = dict(shims.env, TF_VAR_db_password="v", AWS_PROFILE="p")
    run_shim(shims, "kubectl", "get", "pods", env=env)
    names = shims.records()[0]["env"]
    assert {"TF_VAR_db_password", "AWS_PROFILE"} <= set(names)


def test_record_has_resolved_target(shims, stubs):
    run_shim(shims, "kubectl", "--context", "prod", "-n", "web", "delete", "pod", "x")
    assert shims.records()[0]["target"] == {"context": "prod", "namespace": "web"}


def test_refused_record_written_once(shims, stubs):
    run_shim(shims, "kubectl", "delete", "pod", "x")
    assert [record["outcome"] for record in shims.records()] == ["refused"]


@pytest.fixture
def blocked_log(shims, tmp_path):
    """Point audit.path under a regular file, so the log's folder cannot exist."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder is expected")
    path = blocker / "audit.jsonl"
    write_config(shims, f'[audit]\npath = "{path}"\n')
    return path


def test_unwritable_log_keeps_refusal(shims, stubs, blocked_log):
    result = run_shim(shims, "kubectl", "delete", "pod", "x")
    assert result.returncode == 77


def test_unwritable_log_refusal_skips_stub(shims, stubs, blocked_log):
    run_shim(shims, "kubectl", "delete", "pod", "x")
    assert not stubs.exists()


def test_unwritable_log_names_path(shims, stubs, blocked_log):
    result = run_shim(shims, "kubectl", "delete", "pod", "x")
    assert f"cannot write the audit log {blocked_log}: Not a directory" in result.stderr


def test_unwritable_log_allows_read(shims, stubs, blocked_log):
    result = run_shim(shims, "kubectl", "get", "pods")
    assert result.returncode == 0, result.stderr


def test_unwritable_log_reported_once(shims, stubs, blocked_log):
    # A preview prompts: the pending record and the no_terminal refusal both fail.
    result = run_shim(shims, "kubectl", "diff", "-f", "x.yaml")
    assert result.stderr.count("cannot write the audit log") == 1, result.stderr


def test_log_folder_is_directory(shims, stubs, tmp_path):
    folder = tmp_path / "audit-folder"
    folder.mkdir()
    write_config(shims, f'[audit]\npath = "{folder}"\nrequired = true\n')
    result = run_shim(shims, "kubectl", "get", "pods")
    assert result.returncode == 77


@pytest.fixture
def full_disk_log(shims, tmp_path):
    """An audit log that is a symlink to /dev/full, with audit.required set."""
    path = tmp_path / "state" / "audit.jsonl"
    path.parent.mkdir()
    path.symlink_to("/dev/full")
    write_config(shims, f'[audit]\npath = "{path}"\nrequired = true\n')
    return path


def test_required_log_refuses_read(shims, stubs, full_disk_log):
    result = run_shim(shims, "kubectl", "get", "pods")
    assert result.returncode == 77


def test_required_log_skips_stub(shims, stubs, full_disk_log):
    run_shim(shims, "kubectl", "get", "pods")
    assert not stubs.exists()


def test_required_log_message_names_error(shims, stubs, full_disk_log):
    result = run_shim(shims, "kubectl", "get", "pods")
    expected = (
        f"the audit log {full_disk_log} cannot be written (No space left on device)"
    )
    assert expected in result.stderr


def test_required_log_message_single(shims, stubs, full_disk_log):
    result = run_shim(shims, "kubectl", "delete", "pod", "x")
    assert result.stderr.count("guardshim: refused") == 1, result.stderr


def test_required_log_recovers_when_writable(shims, stubs, full_disk_log):
    full_disk_log.unlink()
    result = run_shim(shims, "kubectl", "get", "pods")
    assert result.returncode == 0, result.stderr


@pytest.fixture
def syslog_shims(shims, tmp_path, syslog_server):
    """Shims rendered with `syslog_socket` pointing at the test's socket."""
    from guardshim.config import default_locations
    from guardshim.render import write_shims

    locations = default_locations(os.environ)
    locations["shim_dir"] = str(shims.shim_dir)
    locations["syslog_socket"] = syslog_server.getsockname()
    write_shims(shims.shim_dir, locations, interpreter=sys.executable)
    write_config(shims, "[audit]\nsyslog = true\n")
    return shims


def test_syslog_receives_record(syslog_shims, stubs, syslog_server):
    run_shim(syslog_shims, "kubectl", "get", "pods")
    message = syslog_server.recv(65536)
    record = json.loads(message.split(b"]: ", 1)[1])
    assert record["event"] == syslog_shims.records()[0]["event"]


def test_syslog_failure_still_runs(syslog_shims, stubs, syslog_server):
    path = syslog_server.getsockname()
    syslog_server.close()
    os.unlink(path)
    result = run_shim(syslog_shims, "kubectl", "get", "pods")
    assert result.returncode == 0, result.stderr


def test_syslog_failure_reported_once(syslog_shims, stubs, syslog_server):
    path = syslog_server.getsockname()
    syslog_server.close()
    os.unlink(path)
    result = run_shim(syslog_shims, "kubectl", "diff", "-f", "x.yaml")
    assert result.stderr.count(f"cannot send the audit record to syslog at {path}") == 1


def test_huge_argv_capped_in_record(shims, stubs):
    from guardshim.shim import MAX_RECORDED_ARGV_CHARACTERS

    arguments = ["get", "pods"] + ["x" * 100] * 5000
    run_shim(shims, "kubectl", *arguments)
    record = shims.records()[-1]
    assert sum(len(word) for word in record["argv"]) < MAX_RECORDED_ARGV_CHARACTERS + 200
    assert "more arguments" in record["argv"][-1]
