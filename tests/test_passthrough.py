"""After an allow or an approval the caller gets exactly the real tool.

Each behaviour is compared with the stub run directly, without the shim. The
tests cover the exit status, death by a signal, signals sent while it runs,
inherited signal dispositions and file descriptors, the terminal and its
window size, and the bytes of stdin, stdout and stderr.
"""

import fcntl
import os
import random
import select
import signal
import struct
import subprocess
import termios
import time

import pytest

from tests.stubtool import TOOLS, install_stubs, read_calls, stderr_payload

TIMEOUT = 30
QUESTION = b"Run it? [y/N]"


@pytest.fixture
def stub_log(shims, tmp_path):
    """Install the stubs and point STUB_LOG in `shims.env` at a fresh file."""
    install_stubs(shims.bin_dir)
    log = tmp_path / "stub-calls.jsonl"
    shims.env["STUB_LOG"] = str(log)
    return log


def run_program(program, arguments, env, **options):
    """Run `program` in a new session with no terminal and return the result."""
    if "input" not in options:
        options.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run(
        [str(program), *arguments],
        env=env,
        capture_output=True,
        start_new_session=True,
        timeout=TIMEOUT,
        **options,
    )


def run_bash(script, env):
    """Run `script` with bash -c in a new session and return the result."""
    return run_program("bash", ["-c", script], env)


def wait_for_event(log, event, process):
    """Wait until the stub records `event`; fail if the process ends first."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        calls = read_calls(log, event)
        if calls:
            return calls[-1]
        assert process.poll() is None, "the process ended before the stub got ready"
        time.sleep(0.02)
    raise AssertionError(f"the stub did not record {event!r} within {TIMEOUT} s")


# Exit status.


@pytest.mark.parametrize("status", [0, 1, 2, 100, 255])
@pytest.mark.parametrize("tool", TOOLS)
def test_exit_status_is_tools(shims, stub_log, tool, status):
    shims.env["STUB_EXIT"] = str(status)

    result = run_program(shims.shim(tool), ["version"], shims.env)

    assert result.returncode == status, result.stderr
    assert len(read_calls(stub_log)) == 1


def test_death_by_signal_is_tools(shims, stub_log):
    shims.env["STUB_MODE"] = "kill"

    direct = run_program(shims.bin_dir / "helm", ["list"], shims.env)
    shimmed = run_program(shims.shim("helm"), ["list"], shims.env)

    assert direct.returncode == -signal.SIGKILL
    assert shimmed.returncode == direct.returncode


# Signals while the tool runs.


def interrupted_status(shims, stub_log, program):
    """Run `program list` from bash, SIGINT it once it runs; return bash's report."""
    shims.env["STUB_MODE"] = "sleep"
    process = subprocess.Popen(
        ["bash", "-c", f'"{program}" list; echo "status=$?"'],
        env=shims.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        ready = wait_for_event(stub_log, "ready", process)
        os.kill(ready["pid"], signal.SIGINT)
        stdout, _ = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=TIMEOUT)
    stub_log.unlink()
    return stdout


def test_sigint_ends_tool_130(shims, stub_log):
    direct = interrupted_status(shims, stub_log, shims.bin_dir / "helm")
    shimmed = interrupted_status(shims, stub_log, "helm")

    assert direct == b"status=130\n"
    assert shimmed == direct


def test_sigint_pid_is_tools(shims, stub_log):
    # The shim replaced itself with the tool, so the pid that gets the signal
    # is the one the audit record names.
    interrupted_status(shims, stub_log, "helm")

    assert shims.records()[-1]["outcome"] == "ran"


def test_sigterm_reaches_tool(shims, stub_log):
    shims.env["STUB_MODE"] = "sleep"
    process = subprocess.Popen(
        [shims.shim("helm"), "list"],
        env=shims.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        ready = wait_for_event(stub_log, "ready", process)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=TIMEOUT)

    assert ready["pid"] == process.pid
    assert process.returncode == 143
    assert len(read_calls(stub_log, "SIGTERM")) == 1


# What the process inherits.

# Only shell built-ins run here: while sh waits for a child it blocks every
# signal and may hold pipe descriptors, which a child such as grep would see.
_INHERITANCE_STUB = """\
#!/bin/sh
while IFS= read -r line; do
    case $line in Sig[IB]*) echo "$line" ;; esac
done < /proc/$$/status
for descriptor in /proc/$$/fd/*; do printf '%s ' "${descriptor##*/}"; done
echo
"""


@pytest.fixture
def inheritance_stub(shims):
    """Install a helm that prints its ignored and blocked signals and open descriptors."""
    path = shims.bin_dir / "helm"
    path.write_text(_INHERITANCE_STUB, encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.mark.parametrize("setup", ["", "trap '' INT HUP QUIT; "], ids=["plain", "ignoring"])
def test_signal_dispositions_inherited(shims, inheritance_stub, setup):
    direct = run_bash(f'{setup}"{inheritance_stub}" list', shims.env)
    shimmed = run_bash(f"{setup}helm list", shims.env)

    assert direct.returncode == 0, direct.stderr
    assert direct.stdout.startswith(b"SigBlk:")
    assert shimmed.stdout.splitlines()[:2] == direct.stdout.splitlines()[:2]


def test_no_descriptor_leaks_to_tool(shims, inheritance_stub):
    direct = run_bash(f'"{inheritance_stub}" list', shims.env)
    shimmed = run_bash("helm list", shims.env)

    assert {b"0", b"1", b"2"} <= set(direct.stdout.splitlines()[2].split())
    assert shimmed.stdout.splitlines()[2:] == direct.stdout.splitlines()[2:]


def test_broken_pipe_as_without_shim(shims):
    # `yes` ends silently by SIGPIPE when `head` stops reading, unless it was
    # started with SIGPIPE ignored: then it reports a write error and exits 1.
    stub = shims.bin_dir / "helm"
    stub.write_text("#!/bin/sh\nexec yes\n", encoding="utf-8")
    stub.chmod(0o755)
    script = '{} list | head -n 1 >/dev/null; echo "status=${{PIPESTATUS[0]}}"'

    direct = run_bash(script.format(f'"{stub}"'), shims.env)
    shimmed = run_bash(script.format("helm"), shims.env)

    assert direct.stdout == b"status=141\n"
    assert shimmed.stdout == direct.stdout
    assert shimmed.stderr == direct.stderr


# Terminal.


def run_tty_stub(argv, env, log, responses=()):
    """Run `argv` with a new pty as its terminal, stdin and stdout.

    Types each `(expected, keys)` response once `expected` shows on the
    terminal, waits for the stub's `ready` record, resizes the window to 50x132
    and returns `(returncode, terminal bytes, attributes before)`.
    """
    master, slave = os.openpty()
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    before = termios.tcgetattr(slave)

    def become_terminal_owner():
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        argv,
        env=env,
        stdin=slave,
        stdout=slave,
        stderr=subprocess.DEVNULL,
        preexec_fn=become_terminal_owner,
        pass_fds=(slave,),
    )
    terminal = b""
    pending = list(responses)
    resized = False
    try:
        deadline = time.monotonic() + TIMEOUT
        while process.poll() is None:
            assert time.monotonic() < deadline, f"timed out; terminal: {terminal!r}"
            if select.select([master], [], [], 0.02)[0]:
                terminal += os.read(master, 65536)
            if pending and pending[0][0] in terminal:
                os.write(master, pending.pop(0)[1])
            if not resized and read_calls(log, "ready"):
                packed = struct.pack("HHHH", 50, 132, 0, 0)
                fcntl.ioctl(master, termios.TIOCSWINSZ, packed)
                resized = True
        returncode = process.wait(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=TIMEOUT)
        os.close(master)
        os.close(slave)
    return returncode, terminal, before


@pytest.fixture
def tty_run(shims, stub_log):
    """Run `kubectl get pods` on a pty through the shim; return the stub's records."""
    shims.env["STUB_MODE"] = "tty"
    returncode, _, before = run_tty_stub(
        [shims.shim("kubectl"), "get", "pods"], shims.env, stub_log
    )
    return returncode, read_calls(stub_log, "ready"), read_calls(stub_log, "resized")


def test_tty_stdin_is_terminal(tty_run):
    _, ready, _ = tty_run

    assert ready[0]["stdin_tty"] is True


def test_tty_stdout_is_terminal(tty_run):
    _, ready, _ = tty_run

    assert ready[0]["stdout_tty"] is True


def test_tty_initial_window_size(tty_run):
    _, ready, _ = tty_run

    assert ready[0]["size"] == [24, 80]


def test_tty_resize_reaches_tool(tty_run):
    returncode, _, resized = tty_run

    assert returncode == 0
    assert len(resized) == 1
    assert resized[0]["size"] == [50, 132]


def test_approval_restores_terminal_for_tool(shims, stub_log):
    # `helm template` is a preview: the shim prompts on the same terminal,
    # then the tool must find the terminal as the caller left it.
    shims.env["STUB_MODE"] = "tty"

    returncode, terminal, before = run_tty_stub(
        [shims.shim("helm"), "template", "r", "./c"],
        shims.env,
        stub_log,
        responses=[(QUESTION, b"y\n")],
    )

    assert QUESTION in terminal
    assert returncode == 0
    ready = read_calls(stub_log, "ready")[0]
    assert ready["stdin_tty"] is True
    assert ready["attributes"] == before[:6]
    assert read_calls(stub_log, "resized")[0]["size"] == [50, 132]


# Streams.


def test_large_binary_streams_untouched(shims, stub_log):
    shims.env["STUB_MODE"] = "cat"
    data = random.Random(77).randbytes(4 * 1024 * 1024)

    result = run_program(shims.shim("kubectl"), ["get", "pods"], shims.env, input=data)

    assert result.returncode == 0
    assert result.stdout == data
    assert result.stderr == stderr_payload()
