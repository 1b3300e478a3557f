"""Append one JSON record per attempt to the audit log.

Each record is a single `write` of one line to a file opened with O_APPEND, made
while holding an exclusive `flock` on that file, so records from shims that run
at the same time never interleave. The file is created with mode 0600 and its
folder with mode 0700.

This module runs on every shim call, so it encodes JSON with the C string encoder
of the standard library's `_json` instead of importing `json` (which imports `re`).
"""

import os
import time

from _json import encode_basestring_ascii as _encode_string


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


def append_record(path, record):
    """Append `record` as one JSON line to the log at `path`.

    Raises AuditError when the folder or the file cannot be created or written.
    """
    line = (encode_record(record) + "\n").encode("ascii")
    try:
        _ensure_folder(os.path.dirname(path))
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError as error:
        raise AuditError(path, error.strerror or str(error)) from None
    try:
        import fcntl

        fcntl.flock(descriptor, fcntl.LOCK_EX)
        written = os.write(descriptor, line)
        if written != len(line):
            raise OSError(0, f"short write: {written} of {len(line)} bytes")
    except OSError as error:
        raise AuditError(path, error.strerror or str(error)) from None
    finally:
        os.close(descriptor)


def _ensure_folder(folder):
    if folder and not os.path.isdir(folder):
        os.makedirs(folder, mode=0o700, exist_ok=True)


def parent_process_name(pid=None):
    """Return the command name of the parent process, or None where /proc lacks it."""
    pid = os.getppid() if pid is None else pid
    try:
        with open(f"/proc/{pid}/comm", "rb") as stream:
            return stream.read().decode("utf-8", "replace").strip() or None
    except OSError:
        return None
