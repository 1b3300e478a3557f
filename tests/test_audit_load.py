"""The audit log under many concurrent shims, and a shim killed during a prompt.

Every shim here is a real generated shim from the `shims` fixture, running a
stub tool from `shims.bin_dir` that exits at once.
"""

import fcntl
import json
import os
import select
import signal
import subprocess
import termios
import time

import pytest

STUB_SCRIPT = "#!/bin/sh\nexit 0\n"
TIMEOUT = 120


@pytest.fixture
def kubectl_stub(shims):
    stub = shims.bin_dir / "kubectl"
    stub.write_text(STUB_SCRIPT)
    stub.chmod(0o755)
    return stub


def start_all(shims, count, arguments_of):
    """Start `count` kubectl shims at once; return their Popen objects."""
    return [
        subprocess.Popen(
            [shims.shim("kubectl"), *arguments_of(number)],
            env=shims.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for number in range(count)
    ]


def wait_all(processes):
    """Wait for every process within one shared deadline; return the exit statuses."""
    deadline = time.monotonic() + TIMEOUT
    return [
        process.wait(timeout=max(deadline - time.monotonic(), 1))
        for process in processes
    ]


def audit_lines(folder):
    """Return every line of the log and its rotated files."""
    lines = []
    for path in sorted(folder.glob("audit.jsonl*")):
        if not path.name.endswith(".lock"):
            lines.extend(path.read_text(encoding="utf-8").splitlines())
    return lines


def large_arguments(number):
    # About 10 KB: `get pods` with 100 label selectors of ~100 characters each.
    selectors = [f"-l=app{number}-{index}={'v' * 90}" for index in range(100)]
    return ["get", "pods", *selectors]


def test_200_shims_write_every_record(shims, kubectl_stub):
    statuses = wait_all(start_all(shims, 200, large_arguments))
    assert statuses == [0] * 200
    lines = audit_lines(shims.audit_path.parent)
    records = [json.loads(line) for line in lines]
    assert len(records) == 200
    assert len({record["pid"] for record in records}) == 200
    assert all(len(record["argv"]) == 102 for record in records)


def test_concurrent_shims_rotate_losslessly(shims, kubectl_stub):
    shims.config_path.parent.mkdir(parents=True)
    shims.config_path.write_text("[audit]\nmax_bytes = 4096\nkeep = 100\n")
    count = 60
    statuses = wait_all(
        start_all(shims, count, lambda number: ["get", "pods", f"-l=n={number}"])
    )
    assert statuses == [0] * count
    records = [json.loads(line) for line in audit_lines(shims.audit_path.parent)]
    selectors = sorted(record["argv"][-1] for record in records)
    assert selectors == sorted(f"-l=n={number}" for number in range(count))
    assert (shims.audit_path.parent / "audit.jsonl.2").exists()


QUESTION = b"Run it? [y/N]"


def start_on_pty(argv, env):
    """Start `argv` with a new pty as its controlling terminal; return (process, master)."""
    master, slave = os.openpty()

    def take_terminal():
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        argv,
        env=env,
        stdin=slave,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=take_terminal,
        pass_fds=(slave,),
    )
    os.close(slave)
    return process, master


def wait_for_output(master, expected, timeout=30):
    """Read the pty until `expected` appears; fail after `timeout` seconds."""
    seen = b""
    deadline = time.monotonic() + timeout
    while expected not in seen:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"timed out waiting for {expected!r}; saw {seen!r}"
        ready, _, _ = select.select([master], [], [], min(remaining, 0.2))
        if ready:
            try:
                seen += os.read(master, 65536)
            except OSError:
                break
    return seen


def test_killed_prompt_leaves_pending(shims):
    stub = shims.bin_dir / "helm"
    stub.write_text(STUB_SCRIPT)
    stub.chmod(0o755)
    process, master = start_on_pty([shims.shim("helm"), "template", "r", "./c"], shims.env)
    try:
        wait_for_output(master, QUESTION)
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        os.close(master)
    assert [record["outcome"] for record in shims.records()] == ["pending"]
