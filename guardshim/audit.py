"""Append one JSON record per attempt to the audit log, and optionally to syslog.

Writers serialise on an exclusive lock (lockf) of a separate lock file next to the log
(`audit.jsonl.lock`). Under that lock a writer checks the log's size, rotates it
when the next line would pass the limit, then opens the log and appends the
line. Because the log is opened only after the lock is held, no writer can
append to a file that another writer has just rotated away, and records from
shims that run at the same time never interleave. Files are created with mode
0600 and the folder with mode 0700.

This module runs on every shim call, so it encodes JSON itself instead of
importing `json` (which imports `re`), uses `fastos` instead of `os`, and imports
`socket` only when a record goes to syslog.
"""

import time

from guardshim import fastos

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
    return fastos.urandom(8).hex()


def utc_timestamp(now=None):
    """Return `now` (seconds since the epoch) as UTC ISO 8601 with milliseconds."""
    now = time.time() if now is None else now
    whole = int(now)
    millis = int((now - whole) * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{millis:03d}Z"


def relevant_env_names(environ):
    """Return the sorted names of the set variables that start with ENV_PREFIXES."""
    return sorted(name for name in environ if name.startswith(ENV_PREFIXES))


# JSON escapes for the characters a JSON string cannot hold as they are. Lone
# surrogates, which stand for argv bytes that were not UTF-8, become `\\udcXX`
# escapes when the line is encoded with "backslashreplace".
_ESCAPES = {code: f"\\u{code:04x}" for code in range(0x20)}
_ESCAPES.update({ord('"'): '\\"', ord("\\"): "\\\\", 0x7F: "\\u007f"})
_ESCAPES.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})


def _encode_string(text):
    """Encode `text` as a JSON string."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return '"' + text + '"'
    return '"' + text.translate(_ESCAPES) + '"'


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
    line = (encode_record(record) + "\n").encode("utf-8", "backslashreplace")
    try:
        _ensure_folder(fastos.dirname(path))
        lock = fastos.open_descriptor(
            path + LOCK_SUFFIX, fastos.O_WRONLY | fastos.O_CREAT, 0o600
        )
    except OSError as error:
        raise AuditError(path, _describe(error)) from None
    try:
        # A POSIX record lock from the `posix` module: loading `fcntl` for flock
        # would cost a shim more than the lock itself. Every writer goes through
        # here, so all of them use the same kind of lock.
        fastos.lockf(lock, fastos.F_LOCK, 0)
        if max_bytes:
            _rotate_if_full(path, len(line), max_bytes, keep)
        _append_line(path, line)
    except OSError as error:
        raise AuditError(path, _describe(error)) from None
    finally:
        fastos.close(lock)  # also releases the lock
    return line


def _ensure_folder(folder):
    if not folder or fastos.is_folder(folder):
        return
    fastos.make_folders(folder, 0o700)


def _rotate_if_full(path, incoming, max_bytes, keep):
    try:
        status = fastos.stat(path)
    except FileNotFoundError:
        return
    # A character device such as /dev/null or /dev/full is never rotated.
    if not fastos.is_file(path) or status.st_size == 0:
        return
    if status.st_size + incoming <= max_bytes:
        return
    for number in range(keep - 1, 0, -1):
        try:
            fastos.rename(f"{path}.{number}", f"{path}.{number + 1}")
        except FileNotFoundError:
            pass
    fastos.rename(path, f"{path}.1")


def _append_line(path, line):
    flags = fastos.O_WRONLY | fastos.O_APPEND | fastos.O_CREAT
    descriptor = fastos.open_descriptor(path, flags, 0o600)
    try:
        remaining = memoryview(line)
        while remaining:
            written = fastos.write(descriptor, remaining)
            if written == 0:
                raise OSError(0, f"wrote 0 of {len(remaining)} remaining bytes")
            remaining = remaining[written:]
    finally:
        fastos.close(descriptor)


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
    header = f"<{priority}>{stamp} {SYSLOG_TAG}[{fastos.getpid()}]: ".encode("ascii")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as connection:
        connection.settimeout(SYSLOG_TIMEOUT_SECONDS)
        connection.sendto(header + line.rstrip(b"\n"), socket_path or SYSLOG_SOCKET)


def parent_process_name(pid=None):
    """Return the command name of the parent process, or None where /proc lacks it."""
    pid = fastos.getppid() if pid is None else pid
    try:
        with open(f"/proc/{pid}/comm", "rb") as stream:
            return stream.read().decode("utf-8", "replace").strip() or None
    except OSError:
        return None
