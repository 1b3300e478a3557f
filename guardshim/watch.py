"""The Unix socket between a waiting shim and the `guardshim watch` console.

The console listens on `<runtime_dir>/watch.sock` (folder mode 0700, socket mode
0600). A shim that needs approval opens one connection per request, and every
message is one line of JSON:

1. shim to console: `{"type": "request", "version": 1, "id", "digest", "tool",
   "argv", "cwd", "timeout", ...}`, where `argv` is already masked and `digest`
   is `request_digest(tool, argv, cwd)`.
2. console to shim: `{"type": "received", "id"}` at once, so a shim whose
   console does not reply gives up after ACK_SECONDS.
3. console to shim: `{"type": "decision", "id", "digest", "decision"}`, where
   `decision` is "approve" or "deny" and the digest is computed by the console
   from the fields it showed to the person.

The shim approves only a decision whose id and digest both match its own
request and that arrives before its deadline. Closing the connection ends the
request on either side: a shim that exits withdraws it, and a console that
quits refuses every request it holds. A socket path that exists with nobody
listening counts as no console.
"""

import contextlib
import hashlib
import json
import os
import select
import socket
import stat
import time

from guardshim.approval import WATCH_SOCKET
from guardshim.prompt import (
    APPROVED,
    NO_TERMINAL,
    REFUSED,
    TIMED_OUT,
    Interrupted,
    catch_stop_signals,
    restore_signals,
)

PROTOCOL_VERSION = 1
SOCKET_NAME = WATCH_SOCKET
LOCK_NAME = "watch.lock"
APPROVE = "approve"
DENY = "deny"
# A console acknowledges a request in well under a second. One that takes longer
# is stopped or hung, so the shim stops waiting on it.
ACK_SECONDS = 5.0
MAX_MESSAGE_BYTES = 256 * 1024
# sockaddr_un.sun_path has 108 bytes on Linux, the terminating NUL included.
_MAX_SOCKET_PATH = 107


class NoConsole(Exception):
    """No usable watch console, with the reason as the message."""


class ConnectionClosed(Exception):
    """The other side closed the connection before a complete message."""


def socket_path(runtime_dir):
    return os.path.join(runtime_dir, SOCKET_NAME)


def request_digest(tool, argv, cwd):
    """Return the SHA-256 hex digest of the masked command and working folder."""
    canonical = json.dumps(
        {"tool": tool, "argv": list(argv), "cwd": cwd},
        sort_keys=True,
        ensure_ascii=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def encode_message(message):
    return (json.dumps(message, ensure_ascii=True) + "\n").encode("ascii")


def check_private_folder(folder):
    """Raise NoConsole unless `folder` is a directory of this user with mode 0700.

    A folder that others can enter could hold a socket served by another user,
    who would then approve this user's commands.
    """
    try:
        status = os.lstat(folder)
    except FileNotFoundError:
        raise NoConsole("no guardshim watch console is running") from None
    except OSError as error:
        raise NoConsole(f"cannot read the runtime folder {folder}: {error.strerror}")
    if not stat.S_ISDIR(status.st_mode):
        raise NoConsole(f"the runtime folder {folder} is not a directory")
    if status.st_uid != os.getuid():
        raise NoConsole(
            f"the runtime folder {folder} belongs to uid {status.st_uid}, not to "
            f"this user (uid {os.getuid()})"
        )
    if status.st_mode & 0o077:
        raise NoConsole(
            f"the runtime folder {folder} has mode "
            f"{stat.S_IMODE(status.st_mode):o}; it must be 700"
        )


def peer_uid_and_pid(connection):
    """Return (uid, pid) of the process at the other end, or (None, None) off Linux."""
    if not hasattr(socket, "SO_PEERCRED"):
        return None, None
    import struct

    size = struct.calcsize("3i")
    data = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, size)
    pid, uid, _gid = struct.unpack("3i", data)
    return uid, pid


class MessageReader:
    """Read newline-terminated JSON messages from a stream socket."""

    def __init__(self, connection):
        self.connection = connection
        self.buffer = b""
        self.closed = False

    def feed(self):
        """Read what is available; return False at end of file."""
        chunk = self.connection.recv(65536)
        if not chunk:
            self.closed = True
            return False
        self.buffer += chunk
        return True

    def next_message(self):
        """Return the next complete message, or None when none is buffered yet.

        Raises ValueError for a message that is too long or is not a JSON object.
        """
        if b"\n" not in self.buffer:
            if len(self.buffer) > MAX_MESSAGE_BYTES:
                raise ValueError(f"message longer than {MAX_MESSAGE_BYTES} bytes")
            return None
        line, self.buffer = self.buffer.split(b"\n", 1)
        message = json.loads(line.decode("utf-8"))
        if not isinstance(message, dict):
            raise ValueError("message is not a JSON object")
        return message

    def read_message(self, deadline):
        """Wait for the next message until `deadline` (time.monotonic()).

        Returns None when the deadline passes first. Raises ConnectionClosed at
        end of file and ValueError for an invalid message.
        """
        while True:
            message = self.next_message()
            if message is not None:
                return message
            if self.closed:
                raise ConnectionClosed()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self.connection], [], [], remaining)
            if ready and not self.feed():
                raise ConnectionClosed()


def request_decision(runtime_dir, fields, timeout, announce):
    """Send one approval request to the watch console and wait for the decision.

    `fields` contains at least `tool`, `argv` (masked) and `cwd`; every other
    key is shown to the person as context. `announce(timeout)` is called once
    the console has acknowledged the request. Returns `(outcome, detail)` with
    an outcome of the prompt module: APPROVED only for a matching, timely
    decision to approve; NO_TERMINAL when no console accepted the request.
    """
    try:
        connection = _connect(runtime_dir)
    except NoConsole as error:
        return NO_TERMINAL, str(error)
    request = dict(fields)
    request.update(
        type="request",
        version=PROTOCOL_VERSION,
        id=os.urandom(16).hex(),
        digest=request_digest(fields["tool"], fields["argv"], fields["cwd"]),
        timeout=timeout,
    )
    saved_handlers = catch_stop_signals()
    try:
        with connection:
            return _exchange(connection, request, timeout, announce)
    except Interrupted as interruption:
        return REFUSED, f"interrupted by {interruption}"
    except KeyboardInterrupt:
        return REFUSED, "interrupted by SIGINT"
    finally:
        restore_signals(saved_handlers)


def _exchange(connection, request, timeout, announce):
    deadline = time.monotonic() + timeout
    reader = MessageReader(connection)
    try:
        connection.sendall(encode_message(request))
        acknowledgement = reader.read_message(
            min(time.monotonic() + ACK_SECONDS, deadline)
        )
    except (OSError, ValueError, ConnectionClosed):
        acknowledgement = None
    if not _is_reply(acknowledgement, "received", request["id"]):
        return NO_TERMINAL, "the guardshim watch console did not accept the request"

    announce(timeout)
    try:
        reply = reader.read_message(deadline)
    except ConnectionClosed:
        return REFUSED, "the guardshim watch console closed before a decision"
    except (OSError, ValueError) as error:
        return REFUSED, f"reading the watch console's decision failed: {error}"
    if reply is None or time.monotonic() >= deadline:
        return TIMED_OUT, f"no decision within {timeout:g} seconds in guardshim watch"
    return _judge(reply, request)


def _judge(reply, request):
    if not _is_reply(reply, "decision", None):
        return REFUSED, "the guardshim watch console sent an invalid reply"
    if reply.get("id") != request["id"]:
        return REFUSED, "the watch console's decision names another request"
    if reply.get("digest") != request["digest"]:
        return REFUSED, "the watch console's decision is for another command or folder"
    if reply.get("decision") == APPROVE:
        return APPROVED, "approved in guardshim watch"
    if reply.get("decision") == DENY:
        return REFUSED, "denied in guardshim watch"
    return REFUSED, "the guardshim watch console sent an invalid decision"


_MAX_TIMEOUT_SECONDS = 24 * 3600
_CONTEXT_FIELDS = ("command", "class", "reason", "decision", "target", "parent",
                   "question")


def validate_request(message):
    """Return `message` as a checked request; raise ValueError naming the problem.

    The digest must match the tool, argv and folder in the message, so a
    console that shows these fields approves exactly what it showed.
    """
    if message.get("type") != "request":
        raise ValueError(f"unexpected message type {message.get('type')!r}")
    if message.get("version") != PROTOCOL_VERSION:
        raise ValueError(f"unsupported protocol version {message.get('version')!r}")
    request_id = message.get("id")
    if not isinstance(request_id, str) or not 8 <= len(request_id) <= 64:
        raise ValueError("invalid request id")
    for key in ("tool", "cwd", "digest"):
        if not isinstance(message.get(key), str):
            raise ValueError(f"missing or invalid {key!r}")
    argv = message.get("argv")
    if not isinstance(argv, list) or not all(isinstance(word, str) for word in argv):
        raise ValueError("missing or invalid 'argv'")
    timeout = message.get("timeout")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise ValueError("missing or invalid 'timeout'")
    if not 0 < timeout <= _MAX_TIMEOUT_SECONDS:
        raise ValueError(f"timeout {timeout!r} out of range")
    for key in _CONTEXT_FIELDS:
        if not isinstance(message.get(key), (str, type(None))):
            raise ValueError(f"invalid {key!r}")
    if message["digest"] != request_digest(message["tool"], argv, message["cwd"]):
        raise ValueError("digest does not match the command and folder")
    return message


def decision_message(request, decision):
    """Return the reply that approves or denies `request` (APPROVE or DENY)."""
    return {
        "type": "decision",
        "id": request["id"],
        "digest": request_digest(request["tool"], request["argv"], request["cwd"]),
        "decision": decision,
    }


def _is_reply(message, kind, request_id):
    if not isinstance(message, dict) or message.get("type") != kind:
        return False
    return request_id is None or message.get("id") == request_id


def _connect(runtime_dir):
    check_private_folder(runtime_dir)
    path = socket_path(runtime_dir)
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        with short_socket_address(path) as address:
            connection.connect(address)
        uid, _pid = peer_uid_and_pid(connection)
    except FileNotFoundError:
        connection.close()
        raise NoConsole("no guardshim watch console is running") from None
    except ConnectionRefusedError:
        connection.close()
        raise NoConsole(
            f"no guardshim watch console is running ({path} is stale)"
        ) from None
    except OSError as error:
        connection.close()
        raise NoConsole(
            f"cannot connect to the guardshim watch console at {path}: "
            f"{error.strerror or error}"
        ) from None
    if uid is not None and uid != os.getuid():
        connection.close()
        raise NoConsole(f"the watch console at {path} runs as uid {uid}, not as you")
    return connection


@contextlib.contextmanager
def short_socket_address(path):
    """Yield an address for the socket at `path` that fits in sun_path.

    A longer path is reached through `/proc/self/fd/N/` of its open folder,
    which Linux resolves for connect and bind alike.
    """
    if len(os.fsencode(path)) <= _MAX_SOCKET_PATH:
        yield path
        return
    folder, name = os.path.split(path)
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        yield f"/proc/self/fd/{descriptor}/{name}"
    finally:
        os.close(descriptor)


class Listener:
    """The console's listening socket, with a lock that allows one console per user.

    `open()` raises NoConsole with the reason when the console cannot listen.
    """

    def __init__(self, runtime_dir):
        self.runtime_dir = runtime_dir
        self.path = socket_path(runtime_dir)
        self.socket = None
        self.lock = None
        self.inode = None

    def open(self):
        self._prepare_folder()
        self._take_lock()
        try:
            self._bind()
        except BaseException:
            self.close()
            raise

    def accept(self):
        """Accept one connection; return it, or None when the peer is another user."""
        connection, _ = self.socket.accept()
        uid, _pid = peer_uid_and_pid(connection)
        if uid is not None and uid != os.getuid():
            connection.close()
            return None
        return connection

    def close(self):
        if self.socket is not None:
            self.socket.close()
            self.socket = None
            self._remove_own_socket_file()
        if self.lock is not None:
            os.close(self.lock)
            self.lock = None

    def _prepare_folder(self):
        try:
            os.makedirs(self.runtime_dir, mode=0o700, exist_ok=True)
        except OSError as error:
            raise NoConsole(
                f"cannot create the runtime folder {self.runtime_dir}: "
                f"{error.strerror}"
            ) from None
        check_private_folder(self.runtime_dir)

    def _take_lock(self):
        import fcntl

        lock_path = os.path.join(self.runtime_dir, LOCK_NAME)
        try:
            self.lock = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:
            raise NoConsole(f"cannot open {lock_path}: {error.strerror}") from None
        try:
            fcntl.flock(self.lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.lock)
            self.lock = None
            raise NoConsole(
                f"another guardshim watch console is running ({self.path})"
            ) from None

    def _bind(self):
        # The lock is ours, so a socket file left at the path is stale.
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        previous_umask = os.umask(0o177)
        try:
            with short_socket_address(self.path) as address:
                listening.bind(address)
        except OSError as error:
            listening.close()
            raise NoConsole(
                f"cannot listen on {self.path}: {error.strerror or error}"
            ) from None
        finally:
            os.umask(previous_umask)
        os.chmod(self.path, 0o600)
        listening.listen(16)
        self.socket = listening
        self.inode = os.stat(self.path).st_ino

    def _remove_own_socket_file(self):
        try:
            if os.stat(self.path).st_ino == self.inode:
                os.unlink(self.path)
        except OSError:
            pass
