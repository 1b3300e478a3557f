"""`guardshim log`: show, filter and follow the audit records."""

import json
import os
import time
from datetime import datetime, timedelta, timezone

import click

from guardshim.classes import CLASSES
from guardshim.classify import TOOLS
from guardshim.cli.output import GuardshimError, console
from guardshim.config import ConfigError, default_locations, load_settings
from guardshim.policy import DECISIONS
from guardshim.shim import EXIT_CONFIG, quote

OUTCOMES = (
    "ran",
    "approved",
    "refused",
    "timed_out",
    "no_terminal",
    "override",
    "pending",
    "not_found",
    "error",
)
FOLLOW_INTERVAL_SECONDS = 0.25
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_MAX_SHOWN_COMMAND = 300


@click.command(name="log")
@click.option("--tool", type=click.Choice(TOOLS), help="Only records of this tool.")
@click.option(
    "--class", "klass", type=click.Choice(CLASSES), help="Only commands of this class."
)
@click.option("--decision", type=click.Choice(DECISIONS), help="Only this decision.")
@click.option("--outcome", type=click.Choice(OUTCOMES), help="Only this outcome.")
@click.option(
    "--since",
    metavar="WHEN",
    help="Only records from this time on: a duration back from now (30m, 1h, 2d) "
    "or a local date or time (2024-05-01, 2024-05-01T14:30, ISO 8601 with offset).",
)
@click.option("--session", help="Only records with this GUARDSHIM_SESSION value.")
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    help="Show at most this many of the latest matching records; 0 shows all.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the raw JSON lines.")
@click.option(
    "--follow", "-f", is_flag=True, help="Keep printing new records as they arrive."
)
def log(tool, klass, decision, outcome, since, session, limit, as_json, follow):
    """Show the latest audit records, oldest first.

    Reads the audit log that the shims write and its rotated files. A `pending`
    record, written before a prompt, is shown only when no outcome followed it
    (for example because the shim was killed during the prompt).
    """
    path = _audit_path()
    record_filter = RecordFilter(
        tool=tool,
        klass=klass,
        decision=decision,
        outcome=outcome,
        since=parse_since(since) if since else None,
        session=session,
    )
    files = log_files(path)
    if not files and not follow:
        _warn(f"no audit log yet at {path}: no shim call has been recorded.")
        return

    printer = RecordPrinter(as_json)
    reader = None
    newest_lines = []
    if follow:
        # Open the log to follow before reading the history, and read the
        # history of that same file through it, so no record written in between
        # is missed or shown twice.
        reader = _FollowedFile(path, from_end=False)
        files = _files_between(path, None, reader.identity())
        newest_lines = reader.read_new_lines()
    latest = latest_records(files, record_filter, limit, newest_lines)
    if latest:
        printer.print_all(latest)
    elif files or newest_lines:
        _warn(f"no records in {path} match the filters.")
    if follow:
        if not files and not newest_lines:
            _warn(f"no audit log yet at {path}; waiting for records.")
        try:
            follow_log(path, record_filter, printer.print_one, reader=reader)
        except KeyboardInterrupt:
            pass


def _audit_path():
    try:
        settings = load_settings(default_locations())
    except ConfigError as error:
        raise GuardshimError(
            f"invalid config: {error}", hint=f"{error.hint}.", exit_code=EXIT_CONFIG
        ) from None
    return settings.audit_path


def _warn(text):
    click.echo(f"guardshim: {text}", err=True)


def parse_since(text, now=None):
    """Return the UTC timestamp string of `text`, comparable with record times.

    `text` is a duration back from `now` (`90s`, `30m`, `1h`, `2d`, `1w`), a
    date, or an ISO 8601 time; a date or time without an offset is local time.
    """
    now = datetime.now(timezone.utc) if now is None else now
    moment = _parse_duration(text, now) or _parse_moment(text)
    if moment is None:
        raise GuardshimError(
            f"invalid --since value {text!r}",
            hint="give a duration back from now such as 30m, 1h or 2d, or a date "
            "or time such as 2024-05-01 or 2024-05-01T14:30",
            exit_code=2,
        )
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _parse_duration(text, now):
    number, unit = text[:-1], text[-1:].lower()
    if unit not in _DURATION_UNITS or not number.isdigit():
        return None
    return now - timedelta(seconds=int(number) * _DURATION_UNITS[unit])


def _parse_moment(text):
    # Python < 3.11 `fromisoformat` rejects a trailing `Z`.
    normalised = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        moment = datetime.fromisoformat(normalised)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a naive time is local time
    return moment


class RecordFilter:
    """The record fields a `guardshim log` call selects on; None matches anything."""

    def __init__(self, tool, klass, decision, outcome, since, session):
        self.fields = {
            "tool": tool,
            "class": klass,
            "decision": decision,
            "outcome": outcome,
            "session": session,
        }
        self.since = since

    def matches(self, record):
        for field, expected in self.fields.items():
            if expected is not None and record.get(field) != expected:
                return False
        if self.since is not None:
            return str(record.get("time", "")) >= self.since
        return True


def log_files(path):
    """Return the existing log files, oldest first: `path.N` ... `path.1`, `path`."""
    folder, name = os.path.split(path)
    prefix = name + "."
    rotated = []
    try:
        entries = os.listdir(folder or ".")
    except OSError:
        entries = []
    for entry in entries:
        suffix = entry[len(prefix):]
        if entry.startswith(prefix) and suffix.isdigit():
            rotated.append((int(suffix), os.path.join(folder, entry)))
    files = [file for _, file in sorted(rotated, reverse=True)]
    if os.path.exists(path):
        files.append(path)
    return files


def latest_records(files, record_filter, limit, newest_lines=()):
    """Return the last `limit` matching records as (line, record) pairs, oldest first.

    `newest_lines` are lines read after every file in `files`. Lines are
    read newest first, so a `pending` record is dropped when its outcome,
    written later under the same event id, has already been seen.
    """
    chosen = []
    decided_events = set()
    batches = [list(newest_lines)] + [_read_lines(path) for path in reversed(files)]
    for lines in batches:
        for line in reversed(lines):
            record = _parse(line)
            if record is None:
                continue
            event = record.get("event")
            if record.get("outcome") != "pending":
                decided_events.add(event)
            elif event in decided_events:
                continue
            if record_filter.matches(record):
                chosen.append((line, record))
                if limit and len(chosen) >= limit:
                    return chosen[::-1]
    return chosen[::-1]


def _read_lines(path):
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError as error:
        _warn(f"cannot read {path}: {error.strerror}.")
        return []
    return data.decode("utf-8", "replace").splitlines()


def _parse(line):
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def follow_log(path, record_filter, emit, interval=FOLLOW_INTERVAL_SECONDS, reader=None):
    """Pass each complete line appended to `path` from now on to `emit`, forever.

    `reader`, when given, is the already open log to continue from.

    When the log is rotated (another file appears at `path`), the rest of the
    old file is read first, then the rotated files newer than it, then the new
    log from its start.
    """

    def emit_matching(lines):
        for line in lines:
            record = _parse(line)
            if record is not None and record_filter.matches(record):
                emit(line, record)

    if reader is None:
        reader = _FollowedFile(path, from_end=True)
    while True:
        emit_matching(reader.read_new_lines())
        if reader.was_replaced():
            emit_matching(reader.read_new_lines())
            old_identity = reader.identity()
            reader.close()
            # Open the current log before listing the rotated files, so a file
            # that a further rotation moved away in between is still listed.
            reader = _FollowedFile(path, from_end=False)
            for rotated in _files_between(path, old_identity, reader.identity()):
                emit_matching(_read_lines(rotated))
            continue
        time.sleep(interval)


def _files_between(path, older, newer):
    """Return the log files newer than identity `older` and older than `newer`.

    Oldest first. When `older` is gone (rotated past the kept count), every
    file before `newer` counts as newer than it.
    """
    files = log_files(path)
    identities = []
    for file in files:
        try:
            status = os.stat(file)
            identities.append((status.st_dev, status.st_ino))
        except FileNotFoundError:
            identities.append(None)
    start = identities.index(older) + 1 if older in identities else 0
    end = identities.index(newer) if newer in identities else len(files)
    return [file for file in files[start:end] if os.path.exists(file)]


class _FollowedFile:
    """An open log file that yields the lines appended since the last read."""

    def __init__(self, path, from_end):
        self.path = path
        self.partial = b""
        try:
            self.stream = open(path, "rb")
        except FileNotFoundError:
            self.stream = None
            return
        if from_end:
            self.stream.seek(0, os.SEEK_END)

    def read_new_lines(self):
        if self.stream is None:
            return []
        data = self.partial + self.stream.read()
        complete, newline, self.partial = data.rpartition(b"\n")
        if not newline:
            return []
        return complete.decode("utf-8", "replace").split("\n")

    def identity(self):
        if self.stream is None:
            return None
        opened = os.fstat(self.stream.fileno())
        return (opened.st_dev, opened.st_ino)

    def was_replaced(self):
        try:
            current = os.stat(self.path)
        except FileNotFoundError:
            return False
        return (current.st_dev, current.st_ino) != self.identity()

    def close(self):
        if self.stream is not None:
            self.stream.close()


class RecordPrinter:
    """Print records as raw JSON lines, or as a table that fits the terminal."""

    _COLUMNS = ("time", "tool", "command", "class", "decision", "outcome", "target")

    def __init__(self, as_json):
        self.as_json = as_json
        self.console = None if as_json else console()

    def print_all(self, pairs):
        if self.as_json:
            for line, _ in pairs:
                click.echo(line)
            return
        table = self._table(show_header=True)
        for _, record in pairs:
            table.add_row(*display_row(record))
        self.console.print(table)

    def print_one(self, line, record):
        """Print one followed record as a line, so records line up as they come."""
        if self.as_json:
            click.echo(line)
            return
        from rich.text import Text

        cells = display_row(record)
        widths = (19, 9, None, 7, 8, 11, None)
        text = Text()
        for cell, width in zip(cells, widths):
            if width:
                cell.pad_right(max(0, width - len(cell)))
            text.append_text(cell)
            text.append("  ")
        self.console.print(text, overflow="fold")

    def _table(self, show_header):
        from rich import box
        from rich.table import Table

        # The command and target columns share the width that the fixed columns
        # leave, so a long argv wraps instead of squeezing the other columns.
        # The command and target columns wrap to fit the terminal, and the time
        # wraps after the date; the short columns keep their words whole.
        table = Table(box=box.SIMPLE_HEAD, show_header=show_header, pad_edge=False)
        for column in self._COLUMNS:
            if column in ("command", "target"):
                table.add_column(column, overflow="fold", min_width=8)
            elif column == "time":
                table.add_column(column, min_width=10)
            else:
                table.add_column(column, no_wrap=True)
        return table


_OUTCOME_STYLES = {"ran": "green", "approved": "green", "refused": "red"}


def display_row(record):
    """Return the table cells of one record as rich Text, never parsed as markup."""
    from rich.text import Text

    outcome = str(record.get("outcome") or "")
    return (
        Text(_local_time(record.get("time"))),
        Text(str(record.get("tool") or "")),
        Text(_shown_command(record)),
        Text(str(record.get("class") or "")),
        Text(str(record.get("decision") or "")),
        Text(outcome, style=_OUTCOME_STYLES.get(outcome, "yellow")),
        Text(describe_record_target(record.get("target"))),
    )


def _local_time(stamp):
    if not isinstance(stamp, str):
        return ""
    moment = _parse_moment(stamp)
    if moment is None:
        return stamp
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _shown_command(record):
    argv = record.get("argv")
    words = [str(record.get("tool") or "")]
    if isinstance(argv, list):
        words.extend(str(word) for word in argv)
    text = " ".join(quote(word) for word in words)
    if len(text) > _MAX_SHOWN_COMMAND:
        text = text[:_MAX_SHOWN_COMMAND] + f"... ({len(text)} characters)"
    return text


def describe_record_target(target):
    """Return a short text for a record's target: `context/namespace` or `workspace`."""
    if not isinstance(target, dict) or not target:
        return ""
    if "error" in target:
        return "unknown"
    if "context" in target or "namespace" in target:
        context = target.get("context") or "?"
        namespace = target.get("namespace")
        return f"{context}/{namespace}" if namespace else str(context)
    if "workspace" in target:
        folder = target.get("folder")
        return f"{target['workspace']} ({folder})" if folder else str(target["workspace"])
    return ", ".join(f"{key}={value}" for key, value in target.items())
