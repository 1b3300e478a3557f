"""Run a command with a pseudo-terminal as its controlling terminal.

The child starts a new session and takes the pty slave as its controlling
terminal, so its process group is the terminal's foreground group and
`/dev/tty` opens as it would in an interactive shell. stdout and stderr are
separate pipes, so a test can tell what went to the terminal from what went to
the output streams. Every wait has a deadline: a child that outlives it is
killed with its process group and PtyTimeout is raised, so no test can hang.
"""

import fcntl
import os
import select
import signal
import subprocess
import termios
import threading
import time

DEFAULT_TIMEOUT = 30.0
_DRAIN_SECONDS = 0.2
_READ_SIZE = 65536


class PtyTimeout(AssertionError):
    """The child did not finish, or a prompt did not appear, before the deadline."""


class PtyResult:
    """What one run produced: exit status, terminal text, pipes and terminal settings.

    `terminal` contains everything written to the terminal, echo of the keys
    sent included. `stdout` is None when the caller passed its own stdout file.
    `attributes_before` and `attributes_after` are `termios.tcgetattr` lists of
    the slave side, taken before the child starts and after it exits.
    """

    def __init__(self):
        self.returncode = None
        self.terminal = b""
        self.stdout = b""
        self.stderr = b""
        self.attributes_before = None
        self.attributes_after = None
        self.keys_sent = 0
        self.elapsed = 0.0


def run_on_pty(
    argv,
    env,
    cwd=None,
    responses=(),
    stdin=None,
    stdout_file=None,
    timeout=DEFAULT_TIMEOUT,
    attributes=None,
):
    """Run `argv` on a new pty and return a PtyResult.

    `responses` is a sequence of `(expected, keys)` byte pairs, or of
    `(expected, keys, delay)` triples: once `expected` appears in the terminal
    output after the previous response, and `delay` seconds later, `keys` is
    written to the terminal as if typed. `stdin` is None to read from the pty,
    or bytes to feed through a pipe that is then closed. `stdout_file` is an
    open binary file that receives stdout in place of a pipe. `attributes`, a
    `termios.tcgetattr` list, is applied to the pty before the child starts.
    """
    master, slave = os.openpty()
    result = PtyResult()
    try:
        if attributes is not None:
            termios.tcsetattr(slave, termios.TCSANOW, attributes)
        result.attributes_before = termios.tcgetattr(slave)
        process = _spawn(argv, env, cwd, slave, stdin, stdout_file)
        try:
            _communicate(process, master, stdin, responses, timeout, result)
        finally:
            _kill_if_running(process)
        result.attributes_after = termios.tcgetattr(slave)
    finally:
        os.close(master)
        os.close(slave)
    return result


def _spawn(argv, env, cwd, slave, stdin, stdout_file):
    def become_terminal_owner():
        # A new session has no controlling terminal until TIOCSCTTY sets one,
        # and the session leader's group becomes the foreground group.
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    return subprocess.Popen(
        argv,
        env=env,
        cwd=cwd,
        stdin=slave if stdin is None else subprocess.PIPE,
        stdout=subprocess.PIPE if stdout_file is None else stdout_file,
        stderr=subprocess.PIPE,
        preexec_fn=become_terminal_owner,
        pass_fds=(slave,),
    )


def _communicate(process, master, stdin, responses, timeout, result):
    started = time.monotonic()
    deadline = started + timeout
    if stdin is not None:
        _feed_stdin(process.stdin, stdin)

    streams = {master: "terminal", process.stderr.fileno(): "stderr"}
    if process.stdout is not None:
        streams[process.stdout.fileno()] = "stdout"
    pending = list(responses)
    searched_from = 0

    while streams:
        _check_deadline(deadline, result, pending)
        if process.poll() is not None and master in streams:
            # The slave stays open in this process, so the master never reports
            # end of file. Read what is left and stop watching it.
            _drain_terminal(master, result)
            del streams[master]
            continue
        ready, _, _ = select.select(list(streams), [], [], 0.05)
        for descriptor in ready:
            chunk = _read(descriptor)
            name = streams[descriptor]
            if name != "terminal" and not chunk:
                del streams[descriptor]
                continue
            setattr(result, name, getattr(result, name) + chunk)
        while pending and pending[0][0] in result.terminal[searched_from:]:
            expected, keys, *delay = pending.pop(0)
            searched_from = result.terminal.index(expected, searched_from) + len(expected)
            if delay:
                time.sleep(delay[0])
            os.write(master, keys)
            result.keys_sent += 1

    result.returncode = process.wait(timeout=max(deadline - time.monotonic(), 0.1))
    result.elapsed = time.monotonic() - started


def _feed_stdin(pipe, data):
    def write_and_close():
        try:
            pipe.write(data)
        except BrokenPipeError:
            pass
        finally:
            try:
                pipe.close()
            except BrokenPipeError:
                pass

    threading.Thread(target=write_and_close, daemon=True).start()


def _read(descriptor):
    try:
        return os.read(descriptor, _READ_SIZE)
    except OSError:
        return b""


def _drain_terminal(master, result):
    while True:
        ready, _, _ = select.select([master], [], [], _DRAIN_SECONDS)
        if not ready:
            return
        chunk = _read(master)
        if not chunk:
            return
        result.terminal += chunk


def _check_deadline(deadline, result, pending):
    if time.monotonic() < deadline:
        return
    waiting = f"; still waiting for {pending[0][0]!r}" if pending else ""
    raise PtyTimeout(
        f"timed out{waiting}\nterminal: {result.terminal!r}\n"
        f"stdout: {result.stdout!r}\nstderr: {result.stderr!r}"
    )


def _kill_if_running(process):
    if process.poll() is None:
        # The child leads its own session, so its process group id is its pid.
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)
    for pipe in (process.stdout, process.stderr):
        if pipe is not None:
            pipe.close()
