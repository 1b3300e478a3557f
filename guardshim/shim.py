"""The steps of every shim call: classify, decide, ask, record, exec.

A generated shim calls `main(tool, locations)`. Only the modules this path needs
are imported here: click and rich never, and the TOML and YAML parsers only when
a config, kubeconfig or kuberc file changed since a shim last parsed it.
"""

import sys
import time

from guardshim import __version__, audit, fastos, realbin
from guardshim.classify import classify
from guardshim.config import ConfigError, load_settings
from guardshim.mask import mask_argv, mask_hints, mask_values
from guardshim.policy import ALLOW, PROMPT, Facts, decide

EXIT_REFUSED = 77  # EX_NOPERM
EXIT_CONFIG = 78  # EX_CONFIG
EXIT_INTERNAL = 70  # EX_SOFTWARE
EXIT_LOOP = 126
EXIT_NOT_FOUND = 127

OVERRIDE_VARIABLE = "GUARDSHIM_OVERRIDE"
SESSION_VARIABLE = "GUARDSHIM_SESSION"
DEPTH_VARIABLE = "GUARDSHIM_DEPTH"
# Legitimate nesting exists (a kubectl plugin that calls kubectl), so the guard
# only stops a chain deeper than any real use.
MAX_DEPTH = 8

_WHERE_CHANGES_BELONG = {
    "write": "Changes like this belong in the CI/CD pipeline or a GitOps workflow.",
    "secret": "Secret values are kept out of agent sessions.",
}
_MAX_SHOWN_COMMAND = 400
_YES_ANSWERS = ("y", "yes", "Y", "YES", "Yes")


def main(tool, locations, argv=None, environ=None):
    """Run the shim for `tool`; return an exit status when the real tool does not run."""
    argv = sys.argv if argv is None else argv
    environ = fastos.environ_strings() if environ is None else environ
    try:
        return _run(tool, locations, argv, environ)
    except KeyboardInterrupt:
        _say("interrupted; nothing ran.")
        return 130
    except _AuditRequired as refusal:
        _say(str(refusal))
        return EXIT_REFUSED
    except Exception as error:  # noqa: BLE001 - the guard fails closed on any error
        _report_crash(tool, locations, error)
        return EXIT_INTERNAL


def _report_crash(tool, locations, error):
    """Say on stderr that nothing ran, write a crash report, and record the attempt.

    Neither stderr nor the report contains the exception's message or any local
    value, because either could quote argv, and argv may carry secrets. The
    report has the traceback's file, line and code.
    """
    import traceback

    frames = traceback.extract_tb(error.__traceback__)
    where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    folder = fastos.dirname(locations.get("audit_path") or "")
    report = fastos.join(folder, f"crash-{int(time.time())}-{fastos.getpid()}.txt")
    lines = [f"guardshim {__version__} {tool} shim: {type(error).__name__}{where}"]
    lines.extend(traceback.format_list(frames))
    try:
        fastos.make_folders(folder, 0o700)
        flags = fastos.O_WRONLY | fastos.O_CREAT | fastos.O_EXCL
        descriptor = fastos.open_descriptor(report, flags, 0o600)
        try:
            fastos.write(descriptor, "\n".join(lines).encode("utf-8", "replace"))
        finally:
            fastos.close(descriptor)
        saved = f"a crash report is in {report}"
    except OSError as failure:
        saved = f"no crash report could be written to {folder or '?'}: {failure.strerror}"
    _say(
        f"internal error ({type(error).__name__}{where}); nothing ran.\n"
        f"hint: {saved}; please report it."
    )
    try:
        audit.append_record(
            locations["audit_path"],
            {
                "time": audit.utc_timestamp(),
                "event": audit.new_event_id(),
                "tool": tool,
                "outcome": "error",
                "detail": f"{type(error).__name__}{where}",
                "pid": fastos.getpid(),
            },
        )
    except Exception:  # noqa: BLE001 - the crash is already reported on stderr
        pass


def _run(tool, locations, argv, environ):
    arguments = argv[1:]
    depth = _nesting_depth(environ)
    if depth > MAX_DEPTH:
        _say(
            f"{tool} shim reached itself {depth} times; nothing ran.\n"
            f"hint: check that PATH and the config's tools.{tool}.path lead to the "
            f"real {tool}, not to a guardshim shim."
        )
        return EXIT_LOOP

    cwd = _current_folder()
    try:
        settings = load_settings(locations, environ, cwd)
    except ConfigError as error:
        _say(f"invalid config: {error}; nothing ran.\nhint: {error.hint}.")
        return EXIT_CONFIG

    verdict = classify(tool, arguments, environ, settings.cache)
    call = _Call(tool, argv, verdict, settings, environ, cwd)
    call.syslog_socket = locations.get("syslog_socket") or audit.SYSLOG_SOCKET
    decision = call.decide()

    if decision.decision == ALLOW:
        return call.run("ran")
    overridden = environ.get(OVERRIDE_VARIABLE) == "1"
    if overridden and settings.override_mode == "pass":
        return call.run("override", via="environment")
    if decision.decision == PROMPT:
        return call.prompt_then_run()
    if overridden:
        return call.override()
    return call.refuse("refused", decision.message)


def _nesting_depth(environ):
    # A negative value from the caller must not buy a loop more rounds.
    try:
        return max(int(environ.get(DEPTH_VARIABLE) or 0), 0) + 1
    except ValueError:
        return 1


class _Call:
    """One attempt to run the real tool, with what the audit record needs."""

    def __init__(self, tool, argv, verdict, settings, environ, cwd):
        self.tool = tool
        self.argv = argv
        self.verdict = verdict
        self.decision = None
        self.settings = settings
        self.environ = environ
        self.masked = mask_argv(tool, argv[1:])
        self.cwd = cwd
        self.event_id = audit.new_event_id()
        self.target = None
        self.real_binary = None
        self.audit_failed = False
        self.syslog_socket = audit.SYSLOG_SOCKET
        self.syslog_failed = False

    def decide(self):
        facts = Facts(self.verdict, self.cwd, self._resolve_target)
        self.decision = decide(self.verdict, self.settings, facts)
        return self.decision

    def run(self, outcome, via=None):
        real = self._find_real_binary()
        if real is None:
            return EXIT_NOT_FOUND
        self._record(outcome, via=via)
        environment = dict(self.environ)
        environment[DEPTH_VARIABLE] = str(_nesting_depth(self.environ))
        restore_default_signals()
        try:
            fastos.execve(real, [self.argv[0], *self.argv[1:]], environment)
        except OSError as error:
            _say(f"cannot run {real}: {error.strerror}.")
            return 126
        return EXIT_INTERNAL  # not reached: execve replaces the process

    def prompt_then_run(self):
        if self._find_real_binary() is None:
            return EXIT_NOT_FOUND
        if self.decision.confirm == "target":
            name = self._target_name()
            if name is None:
                return self.refuse(
                    "refused", self.decision.message,
                    "approval needs the target's name typed, and the target "
                    "could not be determined",
                )
            result = self._ask((name,), f"Type the target's name ({name}) to run it:")
        else:
            result = self._ask(_YES_ANSWERS, "Run it? [y/N]")
        if result.outcome == "approved":
            return self.run("approved", via=result.via)
        return self._refuse_after_prompt(result)

    def override(self):
        """Ask the person to type the subcommand word to run a denied command."""
        if self._find_real_binary() is None:
            return EXIT_NOT_FOUND
        word = self.verdict.command[-1] if self.verdict.command else self.tool
        result = self._ask((word,), f"Manual override: type {word!r} to run it:")
        if result.outcome == "approved":
            return self.run("override", via=result.via)
        return self._refuse_after_prompt(result)

    def refuse(self, outcome, message=None, detail=None, via=None):
        self._record(outcome, via=via, detail=detail)
        verdict = self.verdict
        lines = [
            f"refused `{self._shown_command()}`: {verdict.klass} "
            f"({verdict.reason})" + (f": {detail}." if detail else ".")
        ]
        if message:
            lines.append(message)
        elif verdict.klass in _WHERE_CHANGES_BELONG and detail is None:
            lines.append(_WHERE_CHANGES_BELONG[verdict.klass])
        _say("\n".join(lines))
        return EXIT_REFUSED

    def _refuse_after_prompt(self, result):
        if result.outcome == "no_terminal":
            detail = (
                "it needs approval by a person at a terminal, and none is "
                f"available ({result.detail})"
            )
        else:
            detail = result.detail
            if not detail.startswith("not approved"):
                detail = f"not approved ({detail})"
        via = getattr(result, "via", None) if result.outcome != "no_terminal" else None
        return self.refuse(result.outcome, self.decision.message, detail, via)

    def _ask(self, accepted, question):
        from guardshim.approval import request_approval
        from guardshim.target import describe_target

        target = self._resolve_target()
        shown_target = describe_target(target) if target else None
        lines = [
            f"guardshim: {self.tool} needs approval",
            f"  command: {self._shown_command()}",
            f"  class:   {self.verdict.klass} ({self.verdict.reason})",
        ]
        if shown_target:
            lines.append(f"  target:  {shown_target}")
        lines.append(f"  folder:  {self.cwd}")
        lines.append(question)
        call_info = {
            "tool": self.tool,
            "argv": self.masked,
            "command": self._shown_command(),
            "class": self.verdict.klass,
            "reason": self.verdict.reason,
            "decision": self.decision.decision,
            "target": shown_target,
            "cwd": self.cwd,
            "parent": audit.parent_process_name(),
            "question": question,
        }
        self._record("pending")
        typed_word = set(accepted) != set(_YES_ANSWERS)
        return request_approval(
            lines, accepted, call_info, self.settings, terminal_only=typed_word
        )

    def _target_name(self):
        """Return the name a person types to confirm: kube context or workspace."""
        target = self._resolve_target()
        return target.get("context") or target.get("workspace")

    def _resolve_target(self):
        if self.target is None:
            from guardshim.target import resolve_target

            # An error here propagates: rules that name a context, namespace or
            # workspace cannot be evaluated without the target, so the shim
            # fails closed instead of skipping them.
            self.target = resolve_target(
                self.verdict, self.environ, self.cwd, self.settings.cache
            )
        return self.target

    def _find_real_binary(self):
        if self.real_binary is None:
            configured = self.settings.tool_paths.get(self.tool)
            shim_dirs = [self.settings.shim_dir, fastos.dirname(self.argv[0])]
            path_variable = self.environ.get("PATH", "")
            try:
                self.real_binary = realbin.find_real_binary(
                    self.tool, path_variable, shim_dirs, configured
                )
            except realbin.RealBinaryNotFound as error:
                self._record("not_found")
                hint = (
                    f"fix tools.{self.tool}.path in the config"
                    if error.configured
                    else f"install {self.tool} or add its folder to PATH after the "
                    "guardshim shim folder"
                )
                _say(f"{error}; nothing ran.\nhint: {hint}.")
                return None
        return self.real_binary

    def _shown_command(self):
        text = " ".join(quote(word) for word in [self.tool, *self.masked])
        if len(text) > _MAX_SHOWN_COMMAND:
            text = text[:_MAX_SHOWN_COMMAND] + f"... ({len(text)} characters)"
        return text

    def _record(self, outcome, via=None, detail=None):
        """Append the audit record of `outcome`, and send it to syslog when enabled.

        A failed write is reported once per call. With audit.required set it
        raises _AuditRequired instead, so nothing runs unrecorded.
        """
        settings = self.settings
        record = self._audit_record(outcome, via, detail)
        try:
            line = audit.append_record(
                settings.audit_path,
                record,
                settings.audit_max_bytes,
                settings.audit_keep,
            )
        except audit.AuditError as error:
            line = None
            failure = error
        else:
            failure = None
        if settings.audit_syslog:
            if line is None:
                line = (audit.encode_record(record) + "\n").encode("ascii")
            self._send_to_syslog(line, outcome)
        if failure is not None:
            self._report_audit_failure(failure)

    def _audit_record(self, outcome, via, detail):
        verdict = self.verdict
        decision = self.decision
        target = mask_hints(self.tool, verdict.hints)
        if self.target is not None:
            # The resolved target adds what argv left open, and the hints keep
            # what only argv shows, such as terraform's injected words.
            target = {**target, **mask_values(self.target)}
        record = {
            "time": audit.utc_timestamp(),
            "event": self.event_id,
            "tool": self.tool,
            "argv": _capped_argv(self.masked),
            "command": list(verdict.command),
            "class": verdict.klass,
            "decision": decision.decision if decision else None,
            "outcome": outcome,
            "rule": decision.rule if decision else None,
            "class_rule": verdict.rule,
            "reason": verdict.reason,
            "cwd": self.cwd,
            "target": target,
            "real_binary": self.real_binary,
            "pid": fastos.getpid(),
            "parent": audit.parent_process_name(),
            "session": self.environ.get(SESSION_VARIABLE) or None,
            "env": audit.relevant_env_names(self.environ),
        }
        if via:
            record["via"] = via
        if detail:
            record["detail"] = detail
        return record

    def _report_audit_failure(self, error):
        if self.settings.audit_required:
            raise _AuditRequired(
                f"refused `{self._shown_command()}`: the audit log {error.path} "
                f"cannot be written ({error.error}), and audit.required is set in "
                "the config, so nothing runs until it can be.\n"
                "hint: make the log's folder writable, free disk space, or set "
                "audit.path to a writable file."
            )
        if not self.audit_failed:
            _say(f"cannot write the audit log {error.path}: {error.error}.")
        self.audit_failed = True

    def _send_to_syslog(self, line, outcome):
        try:
            audit.send_to_syslog(line, outcome, self.syslog_socket)
        except OSError as error:
            if not self.syslog_failed:
                reason = error.strerror or str(error) or type(error).__name__
                _say(
                    f"cannot send the audit record to syslog at "
                    f"{self.syslog_socket}: {reason}."
                )
            self.syslog_failed = True


# One record contains at most this much argv text, so a few calls with megabytes of
# arguments cannot rotate the history out of the kept files.
MAX_RECORDED_ARGV_CHARACTERS = 64 * 1024


def _capped_argv(masked):
    """Return `masked`, or its first words and a note when it exceeds the cap."""
    total = sum(len(word) for word in masked)
    if total <= MAX_RECORDED_ARGV_CHARACTERS:
        return masked
    kept = []
    used = 0
    for word in masked:
        if used + len(word) > MAX_RECORDED_ARGV_CHARACTERS:
            break
        kept.append(word)
        used += len(word)
    kept.append(f"... ({len(masked) - len(kept)} more arguments, {total} characters in all)")
    return kept


def restore_default_signals():
    """Undo the SIG_IGN that Python set at start-up, which execve would pass on.

    Python ignores SIGPIPE and SIGXFSZ before any code runs, and an ignored
    signal stays ignored across exec. A tool, or a wrapper script in front of
    it, would then get EPIPE write errors where it should end quietly by SIGPIPE.
    NOTE: Python keeps no record of the caller's own setting, so a tool whose
    caller ignored SIGPIPE gets the default too, as `subprocess` gives it.
    """
    import _signal  # built in and already loaded: costs no file access

    for name in ("SIGPIPE", "SIGXFSZ"):
        number = getattr(_signal, name, None)
        if number is not None:
            _signal.signal(number, _signal.SIG_DFL)


class _AuditRequired(Exception):
    """A refusal because the audit log cannot be written and the config requires it."""


def _current_folder():
    try:
        return fastos.getcwd()
    except OSError:
        return "?"


_SAFE_CHARACTERS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_"
)


def quote(word):
    """Quote `word` for display as a POSIX shell would need it.

    Control characters are shown as `$'\\x1b'` escapes (bash's ANSI-C quoting),
    so argv cannot move the cursor or rewrite a prompt on the terminal.
    """
    if word and all(character in _SAFE_CHARACTERS for character in word):
        return word
    if any(_is_control(character) for character in word):
        escaped = "".join(_escape_character(character) for character in word)
        return "$'" + escaped + "'"
    return "'" + word.replace("'", "'\"'\"'") + "'"


def _is_control(character):
    # Not printable: control characters, and Unicode format and separator
    # characters such as U+202E (right-to-left override), which can make a
    # command read differently from what runs.
    return not character.isprintable()


def _escape_character(character):
    code = ord(character)
    if 0xDC80 <= code <= 0xDCFF:
        # A byte that was not UTF-8 in argv (surrogateescape).
        return f"\\x{code - 0xDC00:02x}"
    if _is_control(character):
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    if character in "'\\":
        return "\\" + character
    return character


def _say(text):
    """Write a guardshim message to stderr, each line prefixed with `guardshim: `."""
    lines = text.split("\n")
    prefixed = "\n".join(
        line if line.startswith("hint: ") else f"guardshim: {line}" for line in lines
    )
    # With file descriptor 2 closed, Python sets sys.stderr to None.
    if sys.stderr is None:
        return
    try:
        sys.stderr.write(prefixed + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
