"""Approval through the `guardshim watch` console, end to end and at the socket.

The console runs as `python -m guardshim watch` on a pseudo-terminal of its own.
Shims run like an agent runs them: a new session (no controlling terminal) and
piped stdio. `helm template r ./c` is a preview, prompted by the default
policy; a stub helm in `shims.bin_dir` records whether it ran.
"""

import fcntl
import json
import os
import re
import select
import signal
import socket
import stat
import subprocess
import sys
import termios
import threading
import time

import pytest

from guardshim import watch as protocol
from guardshim.prompt import APPROVED, NO_TERMINAL, REFUSED, TIMED_OUT
from tests.test_e2e_helm import install_helm_stub, read_stub_call

TIMEOUT = 20
CODE_PATTERN = rb"Type ([a-z0-9]{6}) to approve it"
_ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


class WatchConsole:
    """`guardshim watch` running on a new pty, with its terminal output collected."""

    def __init__(self, env):
        self.master, slave = os.openpty()
        self.output = b""
        self.searched = 0
        env = dict(env, COLUMNS="200", LINES="50")

        def become_terminal_owner():
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

        self.process = subprocess.Popen(
            [sys.executable, "-m", "guardshim", "watch"],
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            preexec_fn=become_terminal_owner,
            pass_fds=(slave,),
        )
        os.close(slave)

    def text(self):
        """Return the output so far with terminal styling removed."""
        return _ANSI.sub(b"", self.output)

    def wait_for(self, pattern, timeout=TIMEOUT):
        """Return the first match of `pattern` after the previous match."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while True:
            match = regex.search(self.text(), self.searched)
            if match:
                self.searched = match.end()
                return match
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._read(remaining):
                raise AssertionError(
                    f"console never showed {pattern!r}; output: {self.text()!r}"
                )

    def next_code(self):
        return self.wait_for(CODE_PATTERN).group(1).decode("ascii")

    def type(self, text):
        os.write(self.master, text.encode("utf-8"))

    def wait(self, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            self._read(0.1)
        return self.process.wait(timeout=max(deadline - time.monotonic(), 0.1))

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        os.close(self.master)

    def _read(self, seconds):
        ready, _, _ = select.select([self.master], [], [], min(seconds, 0.5))
        if ready:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return self.process.poll() is None
            self.output += chunk
        return bool(ready) or self.process.poll() is None


@pytest.fixture
def stub(shims, tmp_path):
    install_helm_stub(shims.bin_dir)
    return tmp_path


@pytest.fixture
def console(shims):
    """A running console; waits until it listens and kills it after the test."""
    started = WatchConsole(shims.env)
    try:
        started.wait_for(rb"waiting for approval requests")
        # The help line ends the start-up text; later output belongs to requests.
        started.wait_for(rb"refused\)")
        yield started
    finally:
        started.stop()


def start_shim(shims, record, arguments=("template", "r", "./c"), env=None):
    """Start the helm shim as an agent does: no terminal, piped stdio."""
    environment = dict(shims.env if env is None else env, STUB_RECORD=str(record))
    return subprocess.Popen(
        [shims.shim("helm"), *arguments],
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def finish(process, timeout=TIMEOUT):
    """Wait for a shim; return (exit status, stderr as text)."""
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate(timeout=10)
        raise
    return process.returncode, stderr.decode("utf-8", "replace")


def write_config(shims, text):
    shims.config_path.parent.mkdir(parents=True, exist_ok=True)
    shims.config_path.write_text(text, encoding="utf-8")


def runtime_dir(shims):
    from guardshim.config import default_locations

    return default_locations(shims.env)["runtime_dir"]


# No console running.


def test_no_console_refuses_at_once(shims, stub):
    started = time.monotonic()
    status, stderr = finish(start_shim(shims, stub / "call.json"))

    assert status == 77
    assert time.monotonic() - started < 2
    assert "no guardshim watch console is running" in stderr
    assert read_stub_call(stub / "call.json") is None
    assert shims.records()[-1]["outcome"] == "no_terminal"


def test_stale_socket_counts_as_no_console(shims, stub):
    folder = runtime_dir(shims)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with protocol.short_socket_address(protocol.socket_path(folder)) as address:
        stale.bind(address)
    stale.close()

    started = time.monotonic()
    status, stderr = finish(start_shim(shims, stub / "call.json"))

    assert status == 77
    assert time.monotonic() - started < 2
    assert "stale" in stderr


def test_watch_without_terminal_refuses(shims):
    result = subprocess.run(
        [sys.executable, "-m", "guardshim", "watch"],
        env=shims.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        timeout=TIMEOUT,
    )

    assert result.returncode != 0
    assert b"guardshim watch needs a terminal" in result.stderr
    assert not os.path.exists(protocol.socket_path(runtime_dir(shims)))


# The console, end to end.


def test_console_approval_runs_tool(shims, stub, console):
    shim = start_shim(shims, stub / "call.json")
    console.type(console.next_code() + "\n")
    status, stderr = finish(shim)

    assert status == 0, stderr
    assert read_stub_call(stub / "call.json")["argv"] == [b"template", b"r", b"./c"]
    assert "waits up to 120 s for a person to approve it" in stderr


def test_console_approval_audit_via_watch(shims, stub, console):
    shim = start_shim(shims, stub / "call.json")
    console.type(console.next_code() + "\n")
    finish(shim)

    records = shims.records()
    assert [record["outcome"] for record in records] == ["pending", "approved"]
    assert records[-1]["via"] == "watch"


def test_console_shows_request(shims, stub, console):
    shim = start_shim(shims, stub / "call.json")
    console.next_code()
    text = console.text()
    console.type("q\n")
    finish(shim)

    assert b"helm template r ./c" in text
    assert b"preview" in text
    assert os.getcwd().encode() in text
    assert f"pid {shim.pid}".encode() in text


def test_console_rings_bell(shims, stub, console):
    shim = start_shim(shims, stub / "call.json")
    console.next_code()
    console.type("q\n")
    finish(shim)

    assert b"\x07" in console.output


def test_wrong_code_approves_nothing(shims, stub, console):
    shim = start_shim(shims, stub / "call.json")
    code = console.next_code()
    wrong = "zzzzzz" if code != "zzzzzz" else "yyyyyy"
    console.type(wrong + "\n")
    console.wait_for(rb"no waiting request has the code " + wrong.encode())
    still_waiting = shim.poll() is None
    console.type(f"d {code}\n")
    status, _ = finish(shim)

    assert still_waiting
    assert status == 77
    assert read_stub_call(stub / "call.json") is None


@pytest.mark.parametrize("word", ["d", "n", "deny"])
def test_deny_refuses(shims, stub, console, word):
    shim = start_shim(shims, stub / "call.json")
    console.type(f"{word} {console.next_code()}\n")
    status, stderr = finish(shim)

    assert status == 77
    assert "denied in guardshim watch" in stderr
    assert read_stub_call(stub / "call.json") is None


def test_deny_audit_outcome(shims, stub, console):
    shim = start_shim(shims, stub / "call.json")
    console.type(f"d {console.next_code()}\n")
    finish(shim)

    record = shims.records()[-1]
    assert record["outcome"] == "refused"
    assert "denied in guardshim watch" in record["detail"]


def test_timeout_refuses(shims, stub):
    write_config(shims, "[prompt]\ntimeout = 2\n")
    console = WatchConsole(shims.env)
    try:
        console.wait_for(rb"waiting for approval requests")
        started = time.monotonic()
        shim = start_shim(shims, stub / "call.json")
        code = console.next_code()
        status, stderr = finish(shim)
        elapsed = time.monotonic() - started
        console.wait_for(code.encode() + rb": expired after 2 s")
        console.type(code + "\n")
        console.wait_for(rb"no waiting request has the code " + code.encode())
    finally:
        console.stop()

    assert status == 77
    assert 1.5 < elapsed < 10
    assert "no decision within 2 seconds" in stderr
    assert shims.records()[-1]["outcome"] == "timed_out"
    assert read_stub_call(stub / "call.json") is None


def test_several_requests_at_once(shims, stub, console):
    shims_and_codes = []
    for name in ("r1", "r2", "r3"):
        shim = start_shim(shims, stub / f"{name}.json", ("template", name, "./c"))
        code = console.next_code()
        shims_and_codes.append((name, shim, code))
    console.type(f"{shims_and_codes[2][2]}\n")
    console.type(f"d {shims_and_codes[1][2]}\n")
    console.type(f"{shims_and_codes[0][2]}\n")
    statuses = {name: finish(shim)[0] for name, shim, _ in shims_and_codes}

    assert statuses == {"r1": 0, "r2": 77, "r3": 0}
    assert read_stub_call(stub / "r1.json")["argv"][1] == b"r1"
    assert read_stub_call(stub / "r2.json") is None
    assert read_stub_call(stub / "r3.json")["argv"][1] == b"r3"


def test_killed_shim_is_dropped(shims, stub, console):
    shim = start_shim(shims, stub / "call.json")
    code = console.next_code()
    os.killpg(shim.pid, signal.SIGKILL)
    finish(shim)
    console.wait_for(code.encode() + rb": withdrawn")
    console.type(code + "\n")
    console.wait_for(rb"no waiting request has the code " + code.encode())

    assert read_stub_call(stub / "call.json") is None


def test_console_quit_refuses_waiting(shims, stub, console):
    first = start_shim(shims, stub / "first.json")
    console.next_code()
    second = start_shim(shims, stub / "second.json", ("template", "r2", "./c"))
    console.next_code()
    started = time.monotonic()
    console.type("q\n")
    results = [finish(first), finish(second)]
    elapsed = time.monotonic() - started

    assert [status for status, _ in results] == [77, 77]
    assert all("closed before a decision" in stderr for _, stderr in results)
    assert elapsed < 2
    assert console.wait() == 0
    assert not os.path.exists(protocol.socket_path(runtime_dir(shims)))


def test_console_sigterm_refuses_waiting(shims, stub, console):
    shim = start_shim(shims, stub / "call.json")
    console.next_code()
    console.process.send_signal(signal.SIGTERM)
    status, stderr = finish(shim)

    assert status == 77
    assert "closed before a decision" in stderr
    assert read_stub_call(stub / "call.json") is None


def test_second_console_refuses(shims, console):
    second = WatchConsole(shims.env)
    try:
        status = second.wait()
    finally:
        second.stop()

    assert status != 0
    assert b"another guardshim watch console is running" in second.text()


def test_runtime_folder_and_socket_private(shims, console):
    folder = runtime_dir(shims)
    folder_mode = stat.S_IMODE(os.stat(folder).st_mode)
    socket_mode = stat.S_IMODE(os.stat(protocol.socket_path(folder)).st_mode)

    assert folder_mode == 0o700
    assert socket_mode == 0o600


def test_control_characters_shown_escaped(shims, stub, console):
    shim = start_shim(shims, stub / "call.json", ("template", "r\x1b[2Jx", "./c"))
    console.next_code()
    console.type("q\n")
    finish(shim)

    assert b"\x1b[2J" not in console.output
    assert b"r\\x1b[2Jx" in console.text()


def test_override_skips_console(shims, stub, console):
    # The override needs the subcommand word typed on the command's own
    # terminal; a console code must not stand in for it.
    env = dict(shims.env, GUARDSHIM_OVERRIDE="1")
    started = time.monotonic()
    status, stderr = finish(start_shim(shims, stub / "call.json", ("install", "r", "./c"), env=env))

    assert status == 77
    assert time.monotonic() - started < 2
    assert "needs the command's own terminal" in stderr
    assert not (stub / "call.json").exists()
    assert b"Type " not in console.text()[console.searched :]


def test_target_confirmation_skips_console(shims, stub, console):
    write_config(
        shims,
        "[[rules]]\ntool = 'helm'\nclass = 'preview'\ndecision = 'prompt'\n"
        "confirm = 'target'\n",
    )
    env = dict(shims.env, HELM_KUBECONTEXT="prod-eu")
    status, stderr = finish(start_shim(shims, stub / "call.json", env=env))

    assert status == 77
    assert not (stub / "call.json").exists()


# Desktop notification.

_NOTIFY_STUB = """\
#!{interpreter} -I
import json, os, sys
with open(os.environ["NOTIFY_RECORD"], "a", encoding="utf-8") as stream:
    stream.write(json.dumps(sys.argv[1:]) + "\\n")
"""


def notify_calls(shims, stub, display, config=None, expect_call=False):
    """Run one request through a console with a stub notify-send; return its calls."""
    notify = shims.bin_dir / "notify-send"
    notify.write_text(_NOTIFY_STUB.format(interpreter=sys.executable), encoding="utf-8")
    notify.chmod(0o755)
    record = stub / "notify.jsonl"
    env = dict(shims.env, NOTIFY_RECORD=str(record))
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env.update(display)
    if config:
        write_config(shims, config)
    console = WatchConsole(env)
    try:
        console.wait_for(rb"waiting for approval requests")
        shim = start_shim(shims, stub / "call.json")
        console.next_code()
        console.type("q\n")
        finish(shim)
        console.wait()
    finally:
        console.stop()
    if expect_call:
        deadline = time.monotonic() + TIMEOUT
        while not record.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    if not record.exists():
        return []
    return [json.loads(line) for line in record.read_text().splitlines()]


@pytest.mark.parametrize("display", [{"DISPLAY": ":0"}, {"WAYLAND_DISPLAY": "w-0"}])
def test_notify_send_with_display(shims, stub, display):
    calls = notify_calls(shims, stub, display, expect_call=True)

    assert len(calls) == 1
    assert calls[0][0] == "guardshim: approval request"
    assert "helm template r ./c" in calls[0][1]


def test_notify_send_needs_display(shims, stub):
    assert notify_calls(shims, stub, {}) == []


def test_notify_send_disabled_by_config(shims, stub):
    config = "[approval]\nnotify = false\n"

    assert notify_calls(shims, stub, {"DISPLAY": ":0"}, config) == []


# Channel choice.


def test_tty_channel_skips_console(shims, stub, console):
    write_config(shims, '[approval]\nchannel = "tty"\n')
    started = time.monotonic()
    status, stderr = finish(start_shim(shims, stub / "call.json"))

    assert status == 77
    assert time.monotonic() - started < 2
    assert "cannot open /dev/tty" in stderr
    assert b"Type " not in console.text()[console.searched :]


def test_watch_channel_skips_terminal(shims, stub, console):
    from tests.ptyrun import run_on_pty

    write_config(shims, '[approval]\nchannel = "watch"\n')
    shims.env["STUB_RECORD"] = str(stub / "call.json")
    results = []
    thread = threading.Thread(
        target=lambda: results.append(
            run_on_pty(
                [shims.shim("helm"), "template", "r", "./c"],
                env=shims.env,
                timeout=TIMEOUT,
            )
        )
    )
    thread.start()
    try:
        console.type(console.next_code() + "\n")
    finally:
        thread.join(TIMEOUT + 5)

    assert results[0].returncode == 0, results[0].stderr
    assert b"Run it?" not in results[0].terminal
    assert shims.records()[-1]["via"] == "watch"


# The protocol against a fake console served by the test.


class FakeConsole:
    """A listener at the watch socket that answers each request with `reply(request)`."""

    def __init__(self, folder, reply, acknowledge=True, delay=0.0):
        os.makedirs(folder, mode=0o700, exist_ok=True)
        self.listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        with protocol.short_socket_address(protocol.socket_path(folder)) as address:
            self.listening.bind(address)
        self.listening.listen(1)
        self.listening.settimeout(TIMEOUT)
        self.reply = reply
        self.acknowledge = acknowledge
        self.delay = delay
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        connection, _ = self.listening.accept()
        with connection:
            reader = protocol.MessageReader(connection)
            request = reader.read_message(time.monotonic() + TIMEOUT)
            if self.acknowledge:
                connection.sendall(
                    protocol.encode_message({"type": "received", "id": request["id"]})
                )
            time.sleep(self.delay)
            try:
                connection.sendall(protocol.encode_message(self.reply(request)))
                connection.recv(1)
            except OSError:
                pass

    def close(self):
        self.thread.join(TIMEOUT)
        self.listening.close()


FIELDS = {"tool": "helm", "argv": ["template", "r", "./c"], "cwd": "/srv/app"}


def ask_fake(tmp_path, reply, timeout=5, **options):
    folder = str(tmp_path / "run")
    fake = FakeConsole(folder, reply, **options)
    try:
        return protocol.request_decision(folder, dict(FIELDS), timeout, lambda t: None)
    finally:
        fake.close()


def test_protocol_matching_approval(tmp_path):
    outcome, _ = ask_fake(
        tmp_path, lambda request: protocol.decision_message(request, protocol.APPROVE)
    )

    assert outcome == APPROVED


def test_protocol_other_id_refused(tmp_path):
    def reply(request):
        return protocol.decision_message(dict(request, id="0" * 32), protocol.APPROVE)

    outcome, detail = ask_fake(tmp_path, reply)

    assert outcome == REFUSED
    assert "another request" in detail


def test_protocol_changed_command_refused(tmp_path):
    def reply(request):
        changed = dict(request, argv=["install", "r", "./c"])
        return protocol.decision_message(changed, protocol.APPROVE)

    outcome, detail = ask_fake(tmp_path, reply)

    assert outcome == REFUSED
    assert "another command or folder" in detail


def test_protocol_late_approval_ignored(tmp_path):
    outcome, _ = ask_fake(
        tmp_path,
        lambda request: protocol.decision_message(request, protocol.APPROVE),
        timeout=1,
        delay=1.5,
    )

    assert outcome == TIMED_OUT


def test_protocol_no_acknowledgement(tmp_path, monkeypatch):
    monkeypatch.setattr(protocol, "ACK_SECONDS", 0.5)
    started = time.monotonic()
    outcome, _ = ask_fake(
        tmp_path,
        lambda request: protocol.decision_message(request, protocol.APPROVE),
        acknowledge=False,
        delay=1.0,
    )

    assert outcome == NO_TERMINAL
    assert time.monotonic() - started < 2


def test_protocol_open_folder_refused(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)

    outcome, detail = protocol.request_decision(str(folder), FIELDS, 5, print)

    assert outcome == NO_TERMINAL
    assert "mode 755" in detail


def test_request_digest_covers_folder():
    first = protocol.request_digest("helm", ["template"], "/a")
    second = protocol.request_digest("helm", ["template"], "/b")

    assert first != second
