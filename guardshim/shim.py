"""What a shim does on every call: classify, decide, ask, record, exec.

A generated shim calls `main(tool, locations)`. Only the modules this path needs
are imported here; click, rich and the TOML parser stay out of it unless a
config file exists.
"""

import os
import sys

from guardshim import audit, realbin
from guardshim.classify import classify
from guardshim.config import ConfigError, load_settings
from guardshim.mask import mask_argv
from guardshim.policy import ALLOW, PROMPT, decide

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


def main(tool, locations, argv=None, environ=None):
    """Run the shim for `tool`; return an exit status when the real tool does not run."""
    argv = sys.argv if argv is None else argv
    environ = os.environ if environ is None else environ
    try:
        return _run(tool, locations, argv, environ)
    except KeyboardInterrupt:
        _say("interrupted; nothing ran.")
        return 130
    except Exception as error:  # noqa: BLE001 - the guard fails closed on any error
        _say(f"internal error ({type(error).__name__}: {error}); nothing ran.")
        return EXIT_INTERNAL


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

    try:
        settings = load_settings(locations)
    except ConfigError as error:
        _say(f"invalid config: {error}; nothing ran.\nhint: {error.hint}.")
        return EXIT_CONFIG

    verdict = classify(tool, arguments, environ)
    decision = decide(verdict, settings)
    call = _Call(tool, argv, verdict, decision, settings, environ)

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
    try:
        return int(environ.get(DEPTH_VARIABLE) or 0) + 1
    except ValueError:
        return 1


class _Call:
    """One attempt to run the real tool, with what the audit record needs."""

    def __init__(self, tool, argv, verdict, decision, settings, environ):
        self.tool = tool
        self.argv = argv
        self.verdict = verdict
        self.decision = decision
        self.settings = settings
        self.environ = environ
        self.masked = mask_argv(tool, argv[1:])
        self.cwd = _current_folder()
        self.event_id = audit.new_event_id()
        self.target = None
        self.real_binary = None
        self.audit_failed = False

    def run(self, outcome, via=None):
        real = self._find_real_binary()
        if real is None:
            return EXIT_NOT_FOUND
        self._record(outcome, via=via)
        environment = dict(self.environ)
        environment[DEPTH_VARIABLE] = str(_nesting_depth(self.environ))
        try:
            os.execve(real, [self.argv[0], *self.argv[1:]], environment)
        except OSError as error:
            _say(f"cannot run {real}: {error.strerror}.")
            return 126
        return EXIT_INTERNAL  # not reached: execve replaces the process

    def prompt_then_run(self):
        if self._find_real_binary() is None:
            return EXIT_NOT_FOUND
        result = self._ask(("y", "yes", "Y", "YES", "Yes"), "Run it? [y/N]")
        if result.outcome == "approved":
            return self.run("approved", via="terminal")
        return self._refuse_after_prompt(result)

    def override(self):
        """Ask the person to type the subcommand word to run a denied command."""
        if self._find_real_binary() is None:
            return EXIT_NOT_FOUND
        word = self.verdict.command[-1] if self.verdict.command else self.tool
        result = self._ask((word,), f"Manual override: type {word!r} to run it:")
        if result.outcome == "approved":
            return self.run("override", via="terminal")
        return self._refuse_after_prompt(result)

    def refuse(self, outcome, message=None, detail=None):
        self._record(outcome, detail=detail)
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
            detail = f"not approved ({result.detail})"
        return self.refuse(result.outcome, self.decision.message, detail)

    def _ask(self, accepted, question):
        from guardshim import prompt
        from guardshim.target import describe_target

        target = self._resolve_target()
        lines = [
            f"guardshim: {self.tool} needs approval",
            f"  command: {self._shown_command()}",
            f"  class:   {self.verdict.klass} ({self.verdict.reason})",
        ]
        if target:
            lines.append(f"  target:  {describe_target(target)}")
        lines.append(f"  folder:  {self.cwd}")
        lines.append(question)
        self._record("pending")
        lock_folder = os.path.dirname(self.settings.audit_path)
        return prompt.ask(lines, accepted, self.settings.prompt_timeout, lock_folder)

    def _resolve_target(self):
        if self.target is None:
            from guardshim.target import resolve_target

            try:
                self.target = resolve_target(self.verdict, self.environ, self.cwd)
            except Exception as error:  # noqa: BLE001 - the target is informative only
                self.target = {"error": f"{type(error).__name__}: {error}"}
        return self.target

    def _find_real_binary(self):
        if self.real_binary is None:
            configured = self.settings.tool_paths.get(self.tool)
            shim_dirs = [self.settings.shim_dir, os.path.dirname(self.argv[0])]
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
        verdict = self.verdict
        record = {
            "time": audit.utc_timestamp(),
            "event": self.event_id,
            "tool": self.tool,
            "argv": self.masked,
            "command": list(verdict.command),
            "class": verdict.klass,
            "decision": self.decision.decision,
            "outcome": outcome,
            "rule": self.decision.rule,
            "class_rule": verdict.rule,
            "reason": verdict.reason,
            "cwd": self.cwd,
            "target": self.target if self.target is not None else verdict.hints,
            "real_binary": self.real_binary,
            "pid": os.getpid(),
            "parent": audit.parent_process_name(),
            "session": self.environ.get(SESSION_VARIABLE) or None,
        }
        if via:
            record["via"] = via
        if detail:
            record["detail"] = detail
        try:
            audit.append_record(self.settings.audit_path, record)
        except audit.AuditError as error:
            if not self.audit_failed:
                _say(f"cannot write the audit log {error.path}: {error.error}.")
            self.audit_failed = True


def _current_folder():
    try:
        return os.getcwd()
    except OSError:
        return os.environ.get("PWD") or "?"


_SAFE_CHARACTERS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_"
)


def quote(word):
    """Quote `word` for display as a POSIX shell would need it."""
    if word and all(character in _SAFE_CHARACTERS for character in word):
        return word
    return "'" + word.replace("'", "'\"'\"'") + "'"


def _say(text):
    """Write a guardshim message to stderr, each line prefixed with `guardshim: `."""
    lines = text.split("\n")
    prefixed = "\n".join(
        line if line.startswith("hint: ") else f"guardshim: {line}" for line in lines
    )
    try:
        sys.stderr.write(prefixed + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
