"""`guardshim watch`: a console where a person approves requests of shims.

A shim that needs approval and has no usable terminal sends its request here
over the Unix socket of `guardshim.watch`. Each request gets a short random
code; typing the code approves that one request, and `d CODE` denies it.
"""

import os
import secrets
import select
import signal
import sys
import time

import click

from guardshim import watch as protocol
from guardshim.cli.output import GuardshimError, console
from guardshim.config import ConfigError, default_locations, load_settings
from guardshim.shim import EXIT_CONFIG, quote

CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_LENGTH = 6
# A connection that has not sent a complete request by then is dropped.
REQUEST_SECONDS = 5.0
# The shim's deadline starts before its request reaches the console, so the
# console expires a request this much earlier to never show an approval that
# the shim would ignore as late.
DEADLINE_MARGIN_SECONDS = 0.25
EXPIRED_GRACE_SECONDS = 5.0
_MAX_SHOWN_COMMAND = 2000
_MAX_NOTIFICATION_TEXT = 200
_DENY_WORDS = ("d", "deny", "n", "no")
_QUIT_WORDS = ("q", "quit", "exit")
_HELP = (
    "Type a request's code to approve it, `d CODE` to deny it, `l` to list the "
    "waiting requests, `q` to quit (waiting requests are refused)."
)


class _Stop(Exception):
    """SIGTERM or SIGHUP asked the console to quit."""


@click.command()
def watch():
    """Approve or deny commands of agents that have no terminal to ask on.

    Run it yourself in a terminal of its own, next to the agent. While it runs,
    a shim that needs approval and cannot ask on a terminal sends the request
    here and waits for the decision until the prompt timeout. Each request shows
    a short code: type it to approve that request, or `d CODE` to deny it.
    Quitting refuses every waiting request.
    """
    _require_terminal()
    settings = _load_settings()
    listener = protocol.Listener(settings.runtime_dir)
    try:
        listener.open()
    except protocol.NoConsole as error:
        if "another guardshim watch console" in str(error):
            hint = "use the console that runs, or quit it first"
        else:
            hint = f"fix the owner and mode of {settings.runtime_dir} (chmod 700)"
        raise GuardshimError(f"cannot start the watch console: {error}", hint=hint) from None
    session = _Session(listener, settings, console())
    try:
        session.run()
    finally:
        session.close()


def _require_terminal():
    """Raise GuardshimError unless stdin and stdout are a terminal a person uses.

    An agent that starts `guardshim watch` through pipes must not become the
    approver of its own requests.
    """
    hint = "run `guardshim watch` yourself in a terminal of its own, not through a pipe"
    for name, stream in (("stdin", sys.stdin), ("stdout", sys.stdout)):
        if stream is None or not stream.isatty():
            raise GuardshimError(
                f"guardshim watch needs a terminal, and its {name} is not one",
                hint=hint,
            )
    try:
        descriptor = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError as error:
        raise GuardshimError(
            f"guardshim watch needs a controlling terminal: cannot open /dev/tty: "
            f"{error.strerror}",
            hint=hint,
        ) from None
    os.close(descriptor)


def _load_settings():
    try:
        return load_settings(default_locations())
    except ConfigError as error:
        raise GuardshimError(
            f"invalid config: {error}", hint=f"{error.hint}.", exit_code=EXIT_CONFIG
        ) from None


class _Incoming:
    """A connection whose request has not fully arrived yet."""

    def __init__(self, connection, peer_pid):
        self.connection = connection
        self.reader = protocol.MessageReader(connection)
        self.peer_pid = peer_pid
        self.deadline = time.monotonic() + REQUEST_SECONDS


class _Waiting:
    """A request shown to the person, with its code and the shim's connection."""

    def __init__(self, incoming, request, code):
        self.connection = incoming.connection
        self.peer_pid = incoming.peer_pid
        self.request = request
        self.code = code
        self.received = time.time()
        self.deadline = (
            time.monotonic() + request["timeout"] - DEADLINE_MARGIN_SECONDS
        )
        self.command = _shown_command(request)


class _Session:
    """The console's event loop: the listening socket, the shims and the keyboard."""

    def __init__(self, listener, settings, output):
        self.listener = listener
        self.settings = settings
        self.output = output
        self.incoming = {}
        self.waiting = {}
        # Connections of expired requests, kept open until the shim gives up on
        # its own, so that it reports the timeout and not a closed console.
        self.expired = {}
        self.notifiers = []
        self.typed = b""

    def run(self):
        self.output.print(
            f"guardshim watch: waiting for approval requests on {self.listener.path}"
        )
        self.output.print(_HELP)
        previous = _stop_on_signals()
        try:
            while self._step():
                pass
        except (KeyboardInterrupt, _Stop):
            pass
        finally:
            _restore_handlers(previous)

    def close(self):
        refused = len(self.waiting)
        for waiting in list(self.waiting.values()):
            waiting.connection.close()
        for incoming in list(self.incoming.values()):
            incoming.connection.close()
        for connection in self.expired:
            connection.close()
        self.waiting.clear()
        self.incoming.clear()
        self.expired.clear()
        self.listener.close()
        self._reap_notifiers()
        self.output.print(
            f"guardshim watch stopped; {refused} waiting request(s) refused."
        )

    def _step(self):
        """Wait for one round of events; return False when the person quits."""
        watched = [self.listener.socket, sys.stdin.fileno()]
        watched += [item.connection for item in self.incoming.values()]
        watched += [item.connection for item in self.waiting.values()]
        watched += list(self.expired)
        ready, _, _ = select.select(watched, [], [], self._seconds_to_next_deadline())
        for item in ready:
            if item is self.listener.socket:
                self._accept()
            elif item == sys.stdin.fileno():
                if not self._read_keyboard():
                    return False
            else:
                self._read_connection(item)
        self._expire()
        self._reap_notifiers()
        return True

    def _seconds_to_next_deadline(self):
        deadlines = [item.deadline for item in self.incoming.values()]
        deadlines += [item.deadline for item in self.waiting.values()]
        deadlines += list(self.expired.values())
        if not deadlines:
            return 1.0
        return min(max(min(deadlines) - time.monotonic(), 0.0), 1.0)

    def _accept(self):
        try:
            connection = self.listener.accept()
        except OSError:
            return
        if connection is None:
            self.output.print("rejected a connection from another user")
            return
        _uid, pid = protocol.peer_uid_and_pid(connection)
        self.incoming[connection] = _Incoming(connection, pid)

    def _read_connection(self, connection):
        if connection in self.incoming:
            self._read_request(self.incoming[connection])
            return
        if connection in self.expired:
            del self.expired[connection]
            connection.close()
            return
        waiting = self._waiting_for(connection)
        if waiting is None:
            return
        try:
            data = connection.recv(65536)
        except OSError:
            data = b""
        if not data:
            self._drop(waiting, "withdrawn: the shim stopped waiting")

    def _read_request(self, incoming):
        try:
            more = incoming.reader.feed()
            message = incoming.reader.next_message()
            if message is None and not more:
                raise ValueError("connection closed before a complete request")
            if message is None:
                return
            request = protocol.validate_request(message)
        except (OSError, ValueError) as error:
            del self.incoming[incoming.connection]
            incoming.connection.close()
            self.output.print(
                f"rejected a request from pid {incoming.peer_pid}: {error}"
            )
            return
        del self.incoming[incoming.connection]
        self._accept_request(incoming, request)

    def _accept_request(self, incoming, request):
        waiting = _Waiting(incoming, request, self._new_code())
        try:
            incoming.connection.sendall(
                protocol.encode_message({"type": "received", "id": request["id"]})
            )
        except OSError:
            incoming.connection.close()
            return
        self.waiting[waiting.code] = waiting
        self.output.bell()
        self._show(waiting)
        self._notify(waiting)

    def _new_code(self):
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code not in self.waiting:
                return code

    def _waiting_for(self, connection):
        for waiting in self.waiting.values():
            if waiting.connection is connection:
                return waiting
        return None

    def _read_keyboard(self):
        """Handle the lines typed so far; return False to quit."""
        chunk = os.read(sys.stdin.fileno(), 4096)
        if not chunk:
            return False
        self.typed += chunk
        while b"\n" in self.typed:
            line, self.typed = self.typed.split(b"\n", 1)
            if not self._handle_line(line.decode("utf-8", "replace")):
                return False
        return True

    def _handle_line(self, line):
        words = line.strip().lower().split()
        if not words:
            return True
        if len(words) == 1 and words[0] in _QUIT_WORDS:
            return False
        if len(words) == 1 and words[0] in ("l", "list"):
            self._list()
        elif len(words) == 1 and words[0] in ("h", "help", "?"):
            self.output.print(_HELP)
        elif len(words) == 2 and words[0] in _DENY_WORDS:
            self._decide(words[1], protocol.DENY)
        elif len(words) == 1:
            self._decide(words[0], protocol.APPROVE)
        else:
            self.output.print(f"not understood: {_printable(line.strip())}. {_HELP}")
        return True

    def _decide(self, code, decision):
        waiting = self.waiting.pop(code, None)
        if waiting is None:
            self.output.print(
                f"no waiting request has the code {_printable(code)}; "
                "nothing was approved or denied."
            )
            return
        message = protocol.decision_message(waiting.request, decision)
        try:
            waiting.connection.sendall(protocol.encode_message(message))
            sent = True
        except OSError:
            sent = False
        waiting.connection.close()
        if not sent:
            self.output.print(f"{code}: the shim is gone; nothing runs.")
        elif decision == protocol.APPROVE:
            self.output.print(f"{code}: approved: {waiting.command}")
        else:
            self.output.print(f"{code}: denied: {waiting.command}")

    def _expire(self):
        now = time.monotonic()
        for incoming in list(self.incoming.values()):
            if now >= incoming.deadline:
                del self.incoming[incoming.connection]
                incoming.connection.close()
        for connection, deadline in list(self.expired.items()):
            if now >= deadline:
                del self.expired[connection]
                connection.close()
        for waiting in list(self.waiting.values()):
            if now >= waiting.deadline:
                self._expire_request(waiting)

    def _expire_request(self, waiting):
        del self.waiting[waiting.code]
        self.expired[waiting.connection] = waiting.deadline + EXPIRED_GRACE_SECONDS
        timeout = waiting.request["timeout"]
        self.output.print(
            f"{waiting.code}: expired after {timeout:g} s; the shim refused it: "
            f"{waiting.command}"
        )

    def _drop(self, waiting, why):
        self.waiting.pop(waiting.code, None)
        waiting.connection.close()
        self.output.print(f"{waiting.code}: {why}: {waiting.command}")

    def _list(self):
        if not self.waiting:
            self.output.print("no requests are waiting.")
        for waiting in self.waiting.values():
            left = max(waiting.deadline - time.monotonic(), 0)
            self.output.print(f"{waiting.code}  {left:.0f} s left  {waiting.command}")

    def _show(self, waiting):
        from rich.table import Table
        from rich.text import Text

        request = waiting.request
        received = time.strftime("%H:%M:%S", time.localtime(waiting.received))
        self.output.print()
        self.output.print(
            Text(f"request {waiting.code}  received {received}", style="bold")
        )
        table = Table(show_header=False, box=None, padding=(0, 2))
        table.add_column(style="bold")
        table.add_column(overflow="fold")
        for label, value in _request_rows(waiting):
            table.add_row(label, value)
        self.output.print(table)
        self.output.print(
            f"Type {waiting.code} to approve it, or d {waiting.code} to deny it. "
            f"It expires in {request['timeout']:g} s."
        )

    def _notify(self, waiting):
        if not self.settings.approval_notify:
            return
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            return
        import shutil
        import subprocess

        program = shutil.which("notify-send")
        if program is None:
            return
        body = _notification_text(
            f"{waiting.request['tool']} {waiting.request.get('class') or ''}: "
            f"{waiting.command}"
        )
        try:
            process = subprocess.Popen(
                [program, "guardshim: approval request", body],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as error:
            self.output.print(f"notify-send failed: {error.strerror}")
            return
        self.notifiers.append(process)

    def _reap_notifiers(self):
        self.notifiers = [item for item in self.notifiers if item.poll() is None]


def _request_rows(waiting):
    request = waiting.request
    rows = [("command", waiting.command)]
    klass = request.get("class") or "?"
    if request.get("reason"):
        klass = f"{klass} ({request['reason']})"
    rows.append(("class", klass))
    if request.get("decision") == "deny":
        rows.append(
            ("policy", "deny; GUARDSHIM_OVERRIDE=1 asks to run it anyway")
        )
    if request.get("target"):
        rows.append(("target", request["target"]))
    rows.append(("folder", request["cwd"]))
    parent = request.get("parent") or "?"
    rows.append(("process", f"pid {waiting.peer_pid}, parent {parent}"))
    return [(label, _printable(value)) for label, value in rows]


def _shown_command(request):
    """Return the command as shell words, built from the fields the digest covers."""
    text = " ".join(quote(word) for word in [request["tool"], *request["argv"]])
    if len(text) > _MAX_SHOWN_COMMAND:
        text = text[:_MAX_SHOWN_COMMAND] + f"... ({len(text)} characters)"
    return _printable(text)


def _printable(text):
    """Escape control characters, so argv cannot move the cursor or fake a line."""
    if text.isprintable():
        return text
    return "".join(
        character if character.isprintable() else repr(character)[1:-1]
        for character in text
    )


def _notification_text(text):
    # Notification servers read a subset of HTML in the body.
    text = text[:_MAX_NOTIFICATION_TEXT]
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _stop_on_signals():
    def stop(number, frame):
        raise _Stop()

    previous = {}
    for number in (signal.SIGTERM, signal.SIGHUP):
        previous[number] = signal.signal(number, stop)
    return previous


def _restore_handlers(previous):
    for number, handler in previous.items():
        signal.signal(number, handler)
