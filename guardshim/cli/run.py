"""`guardshim run`: start a command with the shims first on PATH and the agent env."""

import os
import sys

import click

from guardshim.classify import TOOLS
from guardshim.cli.output import GuardshimError
from guardshim.config import ConfigError, default_locations, load_settings
from guardshim.shim import restore_default_signals

SESSION_VARIABLE = "GUARDSHIM_SESSION"
EXIT_NOT_INSTALLED = 69  # EX_UNAVAILABLE
EXIT_CONFIG = 78  # EX_CONFIG, as a shim exits for an invalid config
EXIT_CANNOT_EXECUTE = 126
EXIT_COMMAND_NOT_FOUND = 127


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False}
)
@click.argument("command", nargs=-1, type=click.UNPROCESSED, required=True)
def run(command):
    """Run COMMAND with the guardshim shims first on PATH.

    COMMAND (an agent, a script, a shell) gets the [agent.env] variables of
    the config and a new random GUARDSHIM_SESSION id that every audit record
    of the session carries. No profile is read or changed. guardshim replaces
    itself with COMMAND, so its exit status, signals and terminal are the
    command's own.

    \b
        guardshim run -- claude
        guardshim run -- bash -c 'kubectl get pods'

    Exits 69 when the shims are not installed, 78 for an invalid config, 127
    when COMMAND is not found and 126 when it cannot be run.
    """
    from guardshim.doctor import configured_agent_env, find_installation

    installation = find_installation(os.environ)
    _require_current_shims(installation)
    if installation.config_error is not None:
        error = installation.config_error
        raise GuardshimError(
            f"invalid config: {error}", hint=f"{error.hint}.", exit_code=EXIT_CONFIG
        )
    environ = session_environment(
        os.environ,
        installation.shim_dir,
        configured_agent_env(installation.settings),
    )
    _exec(list(command), environ)


def session_environment(environ, shim_dir, agent_env):
    """Return the environment of an agent session.

    The [agent.env] variables are applied first, so a PATH among them cannot
    push the shim folder back from the front.
    """
    session = dict(environ)
    session.update(agent_env)
    shim_real = os.path.realpath(shim_dir)
    others = [
        entry
        for entry in session.get("PATH", os.defpath).split(os.pathsep)
        if entry and os.path.realpath(entry) != shim_real
    ]
    session["PATH"] = os.pathsep.join([str(shim_dir), *others])
    session[SESSION_VARIABLE] = os.urandom(16).hex()
    return session


def _require_current_shims(installation):
    from guardshim import render
    from guardshim.doctor import read_shim

    missing = []
    for tool in TOOLS:
        path = os.path.join(installation.shim_dir, tool)
        parsed = read_shim(path)
        if parsed is None or not render.is_current_shim(path, tool, *parsed):
            missing.append(tool)
    if missing:
        raise GuardshimError(
            f"no current guardshim shims for {', '.join(missing)} in "
            f"{installation.shim_dir}",
            hint="run `guardshim install` first",
            exit_code=EXIT_NOT_INSTALLED,
        )


def _exec(command, environ):
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        # execvpe searches the PATH of `environ`, so a tool name resolves to its shim.
        restore_default_signals()
        os.execvpe(command[0], command, environ)
    except FileNotFoundError:
        raise GuardshimError(
            f"command not found: {command[0]}",
            hint="check the name, or give its full path",
            exit_code=EXIT_COMMAND_NOT_FOUND,
        ) from None
    except OSError as error:
        raise GuardshimError(
            f"cannot run {command[0]}: {error.strerror}",
            exit_code=EXIT_CANNOT_EXECUTE,
        ) from None
