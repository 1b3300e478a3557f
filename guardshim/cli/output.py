"""Console output shared by the commands: no markup, so untrusted text prints literally."""

import click


class GuardshimError(click.ClickException):
    """An error shown as `guardshim: message` plus a `hint:` line with the fix."""

    def __init__(self, message, hint=None, exit_code=1):
        super().__init__(message)
        self.hint = hint
        self.exit_code = exit_code

    def show(self, file=None):
        click.echo(f"guardshim: {self.message}", err=True)
        if self.hint:
            click.echo(f"hint: {self.hint}", err=True)


# Width of tables written to a pipe or a file, where no terminal sets one; rich
# would otherwise fold them at 80 columns.
PIPE_WIDTH = 200


def console(stderr=False):
    """Return a rich Console that never interprets markup or highlights text."""
    import os
    import sys

    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    width = None
    if "COLUMNS" not in os.environ and not (stream and stream.isatty()):
        width = PIPE_WIDTH
    return Console(stderr=stderr, markup=False, highlight=False, emoji=False, width=width)
