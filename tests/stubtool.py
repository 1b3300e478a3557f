"""A recording stub that replaces terraform, helm and kubectl in tests.

Each call appends one JSON line to the file named by STUB_LOG: the tool name,
argv as hex of its bytes, the pid and a SHA-256 digest of the environment.
STUB_MODE picks what the stub does next:

- unset: exit with STUB_EXIT (default 0);
- `cat`: copy stdin to stdout, write `stderr_payload()` to stderr, exit;
- `sleep`: record `ready`, then sleep; SIGTERM is recorded and ends it with 143,
  and SIGINT keeps the disposition it inherited, as in a C program;
- `tty`: record whether stdin and stdout are terminals and the window size,
  then wait for SIGWINCH and record the new size;
- `kill`: end the process with SIGKILL.
"""

import json
import os
import sys
from pathlib import Path

TOOLS = ("terraform", "helm", "kubectl")

_STUB_SOURCE = """\
#!{interpreter} -I
import hashlib
import json
import os
import signal
import sys
import time

# Python turns SIGINT into KeyboardInterrupt; a C program keeps the default, or
# the SIG_IGN it inherited, which Python leaves in place.
if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def record(**fields):
    fields["tool"] = os.path.basename(sys.argv[0])
    fields["pid"] = os.getpid()
    with open(os.environ["STUB_LOG"], "a", encoding="utf-8") as stream:
        stream.write(json.dumps(fields) + "\\n")


def environment_digest():
    items = sorted(
        (key, value)
        for key, value in os.environb.items()
        if key != b"GUARDSHIM_DEPTH"
    )
    return hashlib.sha256(repr(items).encode()).hexdigest()


def terminal_size():
    import fcntl
    import struct
    import termios

    packed = fcntl.ioctl(0, termios.TIOCGWINSZ, b"\\0" * 8)
    rows, columns, _, _ = struct.unpack("HHHH", packed)
    return [rows, columns]


record(
    event="start",
    argv=[os.fsencode(word).hex() for word in sys.argv[1:]],
    environment=environment_digest(),
)
mode = os.environ.get("STUB_MODE", "")
if mode == "cat":
    while True:
        chunk = sys.stdin.buffer.read1(65536)
        if not chunk:
            break
        sys.stdout.buffer.write(chunk)
    sys.stdout.flush()
    sys.stderr.buffer.write({payload!r} * {payload_repeat})
    sys.stderr.flush()
elif mode == "sleep":
    def on_term(number, frame):
        record(event="SIGTERM")
        sys.exit(143)

    signal.signal(signal.SIGTERM, on_term)
    record(event="ready")
    time.sleep(30)
elif mode == "tty":
    import termios

    resized = []
    signal.signal(signal.SIGWINCH, lambda number, frame: resized.append(True))
    record(
        event="ready",
        stdin_tty=os.isatty(0),
        stdout_tty=os.isatty(1),
        size=terminal_size(),
        attributes=termios.tcgetattr(0)[:6],
    )
    deadline = time.monotonic() + 20
    while not resized and time.monotonic() < deadline:
        time.sleep(0.01)
    record(event="resized" if resized else "no-resize", size=terminal_size())
elif mode == "kill":
    os.kill(os.getpid(), signal.SIGKILL)
sys.exit(int(os.environ.get("STUB_EXIT", "0")))
"""

_PAYLOAD = bytes(range(256))
_PAYLOAD_REPEAT = 8192


def stderr_payload():
    """Return the bytes the stub writes to stderr in `cat` mode: 2 MiB, every byte value."""
    return _PAYLOAD * _PAYLOAD_REPEAT


def install_stubs(folder, tools=TOOLS):
    """Write the stub as `folder/<tool>` for each of `tools`; return the paths."""
    text = _STUB_SOURCE.format(
        interpreter=sys.executable, payload=_PAYLOAD, payload_repeat=_PAYLOAD_REPEAT
    )
    paths = []
    for tool in tools:
        path = Path(folder) / tool
        path.write_text(text, encoding="utf-8")
        path.chmod(0o755)
        paths.append(path)
    return paths


def read_calls(log_path, event="start"):
    """Return the stub's records of `event`, with argv decoded to bytes."""
    if not os.path.exists(log_path):
        return []
    calls = []
    with open(log_path, encoding="utf-8") as stream:
        for line in stream:
            record = json.loads(line)
            if record["event"] != event:
                continue
            if "argv" in record:
                record["argv"] = [bytes.fromhex(word) for word in record["argv"]]
            calls.append(record)
    return calls


def environment_digest(environ):
    """Return the digest the stub records for `environ` (str or bytes items)."""
    import hashlib

    items = sorted(
        (os.fsencode(key), os.fsencode(value))
        for key, value in environ.items()
        if os.fsencode(key) != b"GUARDSHIM_DEPTH"
    )
    return hashlib.sha256(repr(items).encode()).hexdigest()
