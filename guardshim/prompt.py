"""Ask a person on the controlling terminal, never on stdin or stdout.

The question is written to and the answer read from `/dev/tty`, so a manifest
piped into `kubectl apply -f -` can never answer it and `terraform plan -json >
plan.json` gets no prompt text in its output. Prompts of several shims on one
terminal take turns under an exclusive lock keyed by the terminal's device.
"""

import time

import _signal

from guardshim import fastos

APPROVED = "approved"
REFUSED = "refused"
TIMED_OUT = "timed_out"
NO_TERMINAL = "no_terminal"

_TERMINAL = "/dev/tty"
_LOCK_POLL_SECONDS = 0.05
_MAX_ANSWER_BYTES = 4096
_CTRL_C = b"\x03"


class Interrupted(Exception):
    """SIGINT, SIGTERM or SIGHUP arrived while the prompt waited."""


class PromptResult:
    __slots__ = ("outcome", "detail")

    def __init__(self, outcome, detail):
        self.outcome = outcome
        self.detail = detail


def ask(lines, accepted, timeout, lock_folder):
    """Show `lines` on the terminal and wait up to `timeout` seconds for an answer.

    The answer approves only when, stripped of surrounding blanks, it is one of
    `accepted` (compared exactly, so pass lowercase and uppercase forms where
    both should count). Returns a PromptResult whose outcome is APPROVED,
    REFUSED, TIMED_OUT or NO_TERMINAL, and whose detail says why in words.
    """
    try:
        descriptor = fastos.open_descriptor(_TERMINAL, fastos.O_RDWR | fastos.O_NOCTTY)
    except OSError as error:
        return PromptResult(NO_TERMINAL, f"cannot open {_TERMINAL}: {error.strerror}")
    try:
        if not _is_foreground(descriptor):
            return PromptResult(
                NO_TERMINAL, "the command runs in the background of its terminal"
            )
        deadline = time.monotonic() + timeout
        lock = _acquire_terminal_lock(descriptor, lock_folder, deadline)
        if lock is None:
            return PromptResult(TIMED_OUT, "another prompt held the terminal")
        try:
            return _ask_on(descriptor, lines, accepted, deadline, timeout)
        finally:
            fastos.close(lock)
    finally:
        fastos.close(descriptor)


def _is_foreground(descriptor):
    """Return True when this process group owns the terminal's foreground.

    A background job that reads the terminal is stopped by SIGTTIN and would
    compete with the foreground job for keys, so it does not prompt.
    """
    try:
        return fastos.tcgetpgrp(descriptor) == fastos.getpgrp()
    except OSError:
        return False


def _acquire_terminal_lock(descriptor, lock_folder, deadline):
    import fcntl

    try:
        device = fastos.fstat(descriptor).st_rdev
        fastos.make_folders(lock_folder, 0o700)
        lock_path = fastos.join(lock_folder, f"prompt-{device:x}.lock")
        lock = fastos.open_descriptor(lock_path, fastos.O_RDWR | fastos.O_CREAT, 0o600)
    except OSError:
        # Without a lock file the prompt still works; prompts may then overlap.
        return fastos.dup(descriptor)
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return lock
        except BlockingIOError:
            if time.monotonic() >= deadline:
                fastos.close(lock)
                return None
            time.sleep(_LOCK_POLL_SECONDS)


def _ask_on(descriptor, lines, accepted, deadline, timeout):
    import select
    import termios

    saved_attributes = _line_mode(descriptor, termios)
    saved_handlers = catch_stop_signals()
    # A signal that arrives after the last check for pending signals but before
    # select() starts would not interrupt select(). The C handler's write to
    # this pipe wakes it up, and the Python handler then runs.
    wakeup_read, wakeup_write = fastos.pipe()
    fastos.set_blocking(wakeup_write, False)
    saved_wakeup = _signal.set_wakeup_fd(wakeup_write)
    try:
        _write(descriptor, "\n".join(lines) + " ")
        answer = _read_line(descriptor, deadline, select, wakeup_read)
    except Interrupted as interruption:
        _write(descriptor, "\n")
        return PromptResult(REFUSED, f"interrupted by {interruption}")
    except KeyboardInterrupt:
        _write(descriptor, "\n")
        return PromptResult(REFUSED, "interrupted by Ctrl-C or SIGINT")
    except OSError as error:
        return PromptResult(REFUSED, f"reading the answer failed: {error.strerror}")
    finally:
        _signal.set_wakeup_fd(saved_wakeup)
        fastos.close(wakeup_read)
        fastos.close(wakeup_write)
        restore_signals(saved_handlers)
        if saved_attributes is not None:
            try:
                termios.tcsetattr(descriptor, termios.TCSADRAIN, saved_attributes)
            except termios.error:
                pass
    if answer is None:
        _write(descriptor, "\n")
        return PromptResult(TIMED_OUT, f"no answer within {timeout:g} seconds")
    if answer.strip() in accepted:
        return PromptResult(APPROVED, "approved on the terminal")
    if answer == "":
        _write(descriptor, "\n")
        return PromptResult(REFUSED, "end of input on the terminal")
    if not answer.strip():
        return PromptResult(REFUSED, "empty answer")
    return PromptResult(REFUSED, "not approved")


def _line_mode(descriptor, termios):
    """Switch the terminal to line mode with echo; return the previous settings.

    Signal keys are turned off: the terminal may belong to an agent's interface
    whose process group would receive the SIGINT of a Ctrl-C too. Ctrl-C is made
    an end-of-line character instead, so it ends the answer at once and the
    answer then refuses.
    """
    try:
        saved = termios.tcgetattr(descriptor)
    except termios.error:
        return None
    wanted = termios.tcgetattr(descriptor)
    wanted[0] |= termios.ICRNL
    wanted[3] |= termios.ICANON | termios.ECHO
    wanted[3] &= ~termios.ISIG
    wanted[6][termios.VEOL] = _CTRL_C
    try:
        termios.tcsetattr(descriptor, termios.TCSADRAIN, wanted)
    except termios.error:
        return None
    return saved


def catch_stop_signals():
    """Make SIGTERM and SIGHUP raise Interrupted; return the previous handlers."""

    def interrupt(number, frame):
        names = {_signal.SIGTERM: "SIGTERM", _signal.SIGHUP: "SIGHUP"}
        raise Interrupted(names.get(number, f"signal {number}"))

    saved = {}
    for number in (_signal.SIGTERM, _signal.SIGHUP):
        saved[number] = _signal.signal(number, interrupt)
    return saved


def restore_signals(saved):
    for number, handler in saved.items():
        _signal.signal(number, handler)


def _read_line(descriptor, deadline, select, wakeup):
    """Return one line typed on the terminal with its newline.

    Returns "" at end of input and None when the deadline passes first.
    `wakeup` is the read end of the signal wake-up pipe.
    """
    received = b""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        ready, _, _ = select.select([descriptor, wakeup], [], [], remaining)
        if wakeup in ready:
            # The signal's Python handler runs at the next bytecode and raises;
            # drain the pipe in case the signal was one that does not.
            fastos.read(wakeup, 512)
            continue
        if not ready:
            return None
        chunk = fastos.read(descriptor, 1024)
        if not chunk:
            return received.decode("utf-8", "replace")
        received += chunk
        if _CTRL_C in received:
            raise KeyboardInterrupt
        if b"\n" in received or len(received) > _MAX_ANSWER_BYTES:
            line = received.split(b"\n", 1)[0]
            return line.decode("utf-8", "replace") + "\n"


def _write(descriptor, text):
    data = text.encode("utf-8", "replace")
    while data:
        written = fastos.write(descriptor, data)
        data = data[written:]
