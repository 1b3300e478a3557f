"""Ask a person to approve a command: on the terminal or in `guardshim watch`.

settings.approval_channel picks the channel: "tty" asks only on the
controlling terminal, "watch" only in a running watch console, and "auto" asks
on the terminal when it opens and this process is in its foreground, and in the
watch console otherwise. Without either, the shim refuses at once, so an
unattended agent never waits for nobody.
"""

import sys

from guardshim import fastos, prompt

TERMINAL = "terminal"
WATCH = "watch"
# The console's socket in the runtime folder. The shim checks that it exists
# before it imports the socket protocol, so a refusal without a console is fast.
WATCH_SOCKET = "watch.sock"


class ApprovalResult(prompt.PromptResult):
    """A PromptResult that also names the channel that was asked (`via`)."""

    __slots__ = ("via",)

    def __init__(self, outcome, detail, via=None):
        super().__init__(outcome, detail)
        self.via = via


def request_approval(lines, accepted, call_info, settings, terminal_only=False):
    """Ask for approval on the channel the settings choose; return an ApprovalResult.

    `lines` and `accepted` are the terminal question and the answers that
    approve it. `call_info` is what the watch console shows: `tool`, `argv`
    (masked), `command`, `cwd` and optional context such as `class`, `reason`,
    `target`, `parent` and `question`. With `terminal_only`, only the terminal
    is asked, whatever the channel. The outcome is one of the prompt module's:
    approved, refused, timed_out or no_terminal.
    """
    channel = settings.approval_channel
    if terminal_only:
        # A typed name or word (a rule's confirm = "target", a manual override)
        # is asked only on the command's own terminal: the watch console
        # approves with a code, which would turn that check into a plain yes.
        result = _ask_terminal(lines, accepted, settings)
        if result.outcome == prompt.NO_TERMINAL:
            result.detail += "; typing the name or word needs the command's own terminal"
        return result
    terminal_problem = None
    if channel != WATCH:
        result = _ask_terminal(lines, accepted, settings)
        if result.outcome != prompt.NO_TERMINAL or channel == "tty":
            return result
        terminal_problem = result.detail

    result = _ask_console(call_info, settings)
    if result.outcome == prompt.NO_TERMINAL and terminal_problem:
        result.detail = f"{terminal_problem}, and {result.detail}"
    return result


def _ask_terminal(lines, accepted, settings):
    lock_folder = fastos.dirname(settings.audit_path)
    result = prompt.ask(lines, accepted, settings.prompt_timeout, lock_folder)
    return ApprovalResult(result.outcome, result.detail, TERMINAL)


def _ask_console(call_info, settings):
    if not fastos.exists(fastos.join(settings.runtime_dir, WATCH_SOCKET)):
        return ApprovalResult(
            prompt.NO_TERMINAL, "no guardshim watch console is running", WATCH
        )
    from guardshim import watch

    def announce(timeout):
        _write_stderr(
            f"guardshim: `{call_info['command']}` waits up to {timeout:g} s for a "
            "person to approve it in the guardshim watch console."
        )

    outcome, detail = watch.request_decision(
        settings.runtime_dir, call_info, settings.prompt_timeout, announce
    )
    return ApprovalResult(outcome, detail, WATCH)


def _write_stderr(text):
    if sys.stderr is None:  # file descriptor 2 is closed
        return
    try:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
