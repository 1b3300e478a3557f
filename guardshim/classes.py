"""The six command classes and the verdict a grammar module returns.

This module is on every shim's start-up path, so it imports nothing.
"""

READ = "read"
LOCAL = "local"
PREVIEW = "preview"
SECRET = "secret"
WRITE = "write"
UNKNOWN = "unknown"

CLASSES = (READ, LOCAL, PREVIEW, SECRET, WRITE, UNKNOWN)

# Danger order, used whenever two readings of an argv compete: the higher wins.
# `unknown` sits below `secret` and `write` because the default policy prompts for
# it, while it refuses those two.
DANGER = {READ: 0, LOCAL: 1, PREVIEW: 2, UNKNOWN: 3, SECRET: 4, WRITE: 5}


class Verdict:
    """The class of one invocation and why.

    `command` contains the resolved subcommand words (`("state", "rm")`), `rule` a
    stable id of the classification rule that matched (`"terraform.state.rm"`),
    and `hints` the target details that argv itself states, such as
    `{"context": "prod", "namespace": "web"}` or `{"chdir": "envs/prod"}`.
    """

    __slots__ = ("tool", "argv", "command", "klass", "reason", "rule", "hints")

    def __init__(self, tool, argv, command, klass, reason, rule, hints=None):
        self.tool = tool
        self.argv = list(argv)
        self.command = tuple(command)
        self.klass = klass
        self.reason = reason
        self.rule = rule
        self.hints = hints if hints is not None else {}

    def raised_to(self, klass, reason, rule):
        """Return this verdict with `klass` when that class is more dangerous."""
        if DANGER[klass] <= DANGER[self.klass]:
            return self
        return Verdict(
            self.tool, self.argv, self.command, klass, reason, rule, self.hints
        )

    def __repr__(self):
        return (
            f"Verdict({self.tool!r}, command={self.command!r}, "
            f"klass={self.klass!r}, rule={self.rule!r})"
        )
