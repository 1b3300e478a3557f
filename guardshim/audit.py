"""Append one JSON record per attempt to the audit log, and optionally to syslog.

Writers serialise on an exclusive `flock` of a separate lock file next to the log
(`audit.jsonl.lock`). Under that lock a writer checks the log's size, rotates it
when the next line would pass the limit, then opens the log and appends the
line. Because the log is opened only after the lock is held, no writer can
append to a file that another writer has just rotated away, and records from
shims that run at the same time never interleave. Files are created with mode
0600 and the folder with mode 0700.

This module runs on every shim call, so it encodes JSON with the C string encoder
of the standard library's `_json` instead of importing `json` (which imports `re`),
and it imports `socket` only when a record goes to syslog.
"""

import errno
import os
import stat
import time

from _json import encode_basestring_ascii as _encode_string

LOCK_SUFFIX = ".lock"

# The local syslog socket of rsyslog, syslog-ng and journald on Linux.
SYSLOG_SOCKET = "/dev/log"
SYSLOG_TAG = "guardshim"
# A full syslog queue must not hold up the command for longer than this.
SYSLOG_TIMEOUT_SECONDS = 0.5
_FACILITY_AUTHPRIV = 10
_SEVERITY_NOTICE = 5
_SEVERITY_INFO = 6
# Outcomes logged at `info`; every other outcome (refused, override, ...) is `notice`.
_ROUTINE_OUTCOMES = frozenset({"ran", "approved", "pending"})
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
           "Nov", "Dec")

# Variables that change what a guarded tool does or which credentials it uses.
# Records list the names of those that are set, never their values.
ENV_PREFIXES = (
    "TF_",
    "KUBE",
    "HELM_",
    "AWS_",
    "GOOGLE_",
    "CLOUDSDK_",
    "ARM_",
    "AZURE_",
    "VAULT_",
    "GUARDSHIM_",
)


class AuditError(Exception):
    """The audit log could not be written."""

    def __init__(self, path, error):
        self.path = path
        self.error = error
        super().__init__(f"{path}: {error}")


def new_event_id():
    """Return a random 16-hex-digit id shared by the records of one attempt."""
    return os.urandom(8).hex()


def utc_timestamp(now=None):
    """Return `now` (seconds since the epoch) as UTC ISO 8601 with milliseconds."""
    now = time.time() if now is None else now
    whole = int(now)
    millis = int((now - whole) * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{millis:03d}Z"


def relevant_env_names(environ):
    """Return the sorted names of the set variables that start with ENV_PREFIXES."""
    return sorted(name for name in environ if name.startswith(ENV_PREFIXES))


def encode_record(record):
    """Encode a dict of str, int, float, bool, None, list and dict values as JSON."""
    return _encode_value(record)


def _encode_value(value):
    if isinstance(value, str):
        return _encode_string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        items = (
            f"{_encode_string(str(key))}:{_encode_value(item)}"
            for key, item in value.items()
        )
        return "{" + ",".join(items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_encode_value(item) for item in value) + "]"
    return _encode_string(str(value))


def append_record(path, record, max_bytes=None, keep=5):
    """Append `record` as one JSON line to the log at `path`; return the line.

    When `max_bytes` is given and the line would make a non-empty log larger,
    the log is first renamed to `path.1` (`path.1` to `path.2`, and so on), and
    `path.<keep>` is overwritten. Raises AuditError when the folder, the lock
    file or the log cannot be created, rotated or written.
    """
    line = (encode_record(record) + "\n").encode("ascii")
    try:
        _ensure_folder(os.path.dirname(path))
        lock = os.open(path + LOCK_SUFFIX, os.O_WRONLY | os.O_CREAT, 0o600)
    except OSError as error:
        raise AuditError(path, _describe(error)) from None
    try:
        import fcntl

        fcntl.flock(lock, fcntl.LOCK_EX)
        if max_bytes:
            _rotate_if_full(path, len(line), max_bytes, keep)
        _append_line(path, line)
    except OSError as error:
        raise AuditError(path, _describe(error)) from None
    finally:
        os.close(lock)  # also releases the flock
    return line


def _ensure_folder(folder):
    if not folder or os.path.isdir(folder):
        return
    if os.path.lexists(folder):
        # makedirs would report "File exists", which hides what is wrong.
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), folder)
    os.makedirs(folder, mode=0o700, exist_ok=True)


def _rotate_if_full(path, incoming, max_bytes, keep):
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return
    # A character device such as /dev/null or /dev/full is never rotated.
    if not stat.S_ISREG(status.st_mode) or status.st_size == 0:
        return
    if status.st_size + incoming <= max_bytes:
        return
    for number in range(keep - 1, 0, -1):
        try:
            os.replace(f"{path}.{number}", f"{path}.{number + 1}")
        except FileNotFoundError:
            pass
    os.replace(path, f"{path}.1")


def _append_line(path, line):
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        remaining = memoryview(line)
        while remaining:
            written = os.write(descriptor, remaining)
            if written == 0:
                raise OSError(0, f"wrote 0 of {len(remaining)} remaining bytes")
            remaining = remaining[written:]
    finally:
        os.close(descriptor)


def _describe(error):
    return error.strerror or str(error)


def send_to_syslog(line, outcome, socket_path=None, now=None):
    """Send one audit line to the local syslog socket as an RFC 3164 message.

    The message has facility authpriv, severity info for routine outcomes and
    notice for the others, and the tag `guardshim[<pid>]`, framed as glibc's
    syslog(3) frames it for /dev/log. Raises OSError when the socket is missing,
    refuses the message, or stays full for SYSLOG_TIMEOUT_SECONDS.
    """
    import socket

    severity = _SEVERITY_INFO if outcome in _ROUTINE_OUTCOMES else _SEVERITY_NOTICE
    priority = _FACILITY_AUTHPRIV * 8 + severity
    local = time.localtime(now)
    stamp = (
        f"{_MONTHS[local.tm_mon - 1]} {local.tm_mday:2d} "
        f"{local.tm_hour:02d}:{local.tm_min:02d}:{local.tm_sec:02d}"
    )
    header = f"<{priority}>{stamp} {SYSLOG_TAG}[{os.getpid()}]: ".encode("ascii")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as connection:
        connection.settimeout(SYSLOG_TIMEOUT_SECONDS)
        connection.sendto(header + line.rstrip(b"\n"), socket_path or SYSLOG_SOCKET)


def parent_process_name(pid=None):
    """Return the command name of the parent process, or None where /proc lacks it."""
    pid = os.getppid() if pid is None else pid
    try:
        with open(f"/proc/{pid}/comm", "rb") as stream:
            return stream.read().decode("utf-8", "replace").strip() or None
    except OSError:
        return None
