"""The terminal prompt under an agent-like parent that keeps its terminal raw.

The parent below plays a full-screen agent interface: it owns a pseudo-terminal
as its controlling terminal, puts it in raw mode with `tty.setraw`, and starts
the helm shim with piped stdin, stdout and stderr. It prints, as JSON, the
shim's exit status and stderr and the terminal settings before and after.
"""

import json
import sys
import time

import pytest

from tests.ptyrun import run_on_pty
from tests.test_e2e_helm import install_helm_stub, read_stub_call
from tests.test_watch import WatchConsole

QUESTION = b"Run it? [y/N]"
TIMEOUT = 30

AGENT_PARENT = """\
import json, os, signal, subprocess, sys, termios, tty


def settings():
    # The control characters are bytes, which JSON cannot hold.
    attributes = termios.tcgetattr(0)
    attributes[6] = [c.hex() if isinstance(c, bytes) else c for c in attributes[6]]
    return attributes


# Ctrl-C at the prompt signals the whole foreground group, this parent too. A
# handler, unlike SIG_IGN, is not inherited by the shim.
signal.signal(signal.SIGINT, lambda number, frame: None)
tty.setraw(0)
before = settings()
background = sys.argv[1] == "background"
shim = subprocess.run(
    sys.argv[2:],
    stdin=subprocess.PIPE,
    stdout=subprocess.PIPE,
    stderr=subprocess.PIPE,
    preexec_fn=os.setpgrp if background else None,
    timeout=60,
)
after = settings()
json.dump(
    {
        "status": shim.returncode,
        "stderr": shim.stderr.decode("utf-8", "replace"),
        "before": before,
        "after": after,
    },
    sys.stdout,
)
"""


@pytest.fixture
def stub(shims, tmp_path):
    install_helm_stub(shims.bin_dir)
    shims.env["STUB_RECORD"] = str(tmp_path / "call.json")
    return tmp_path / "call.json"


def run_under_agent(shims, keys, group="foreground"):
    """Run `helm template r ./c` from the raw-mode parent; return (PtyResult, report)."""
    responses = [] if keys is None else [(QUESTION, keys)]
    result = run_on_pty(
        [sys.executable, "-c", AGENT_PARENT, group, shims.shim("helm"),
         "template", "r", "./c"],
        env=shims.env,
        responses=responses,
        timeout=TIMEOUT,
    )
    assert result.returncode == 0, result.stderr
    return result, json.loads(result.stdout)


def test_raw_terminal_prompt_approves(shims, stub):
    result, report = run_under_agent(shims, b"y\r")

    assert QUESTION in result.terminal
    assert report["status"] == 0, report["stderr"]
    assert read_stub_call(stub) is not None


def test_raw_terminal_approval_via_terminal(shims, stub):
    run_under_agent(shims, b"y\r")

    assert shims.records()[-1]["via"] == "terminal"


@pytest.mark.parametrize("keys", [b"y\r", b"n\r", b"\x03", b"\x04"])
def test_raw_terminal_settings_restored(shims, stub, keys):
    _, report = run_under_agent(shims, keys)

    assert report["after"] == report["before"]


def test_raw_terminal_refusal_runs_nothing(shims, stub):
    _, report = run_under_agent(shims, b"n\r")

    assert report["status"] == 77
    assert read_stub_call(stub) is None


def test_background_group_refuses_at_once(shims, stub):
    started = time.monotonic()
    result, report = run_under_agent(shims, None, group="background")

    assert report["status"] == 77
    assert time.monotonic() - started < 5
    assert "runs in the background of its terminal" in report["stderr"]
    assert QUESTION not in result.terminal
    assert report["after"] == report["before"]


def test_background_group_uses_console(shims, stub):
    console = WatchConsole(shims.env)
    try:
        console.wait_for(rb"waiting for approval requests")
        import threading

        outcome = []
        thread = threading.Thread(
            target=lambda: outcome.append(
                run_under_agent(shims, None, group="background")
            )
        )
        thread.start()
        try:
            console.type(console.next_code() + "\n")
        finally:
            thread.join(TIMEOUT + 5)
    finally:
        console.stop()

    result, report = outcome[0]
    assert report["status"] == 0, report["stderr"]
    assert QUESTION not in result.terminal
    assert read_stub_call(stub) is not None
    assert shims.records()[-1]["via"] == "watch"
