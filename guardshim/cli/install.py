"""`guardshim install` and `guardshim uninstall`."""

import json
import os
import shutil
from pathlib import Path

import click

from guardshim import profile as profiles
from guardshim import render
from guardshim.classify import TOOLS
from guardshim.cli.output import GuardshimError
from guardshim.config import ConfigError, default_locations, load_settings

_STATE_FILE = "install.json"


def _state_path(environ):
    data_home = environ.get("XDG_DATA_HOME") or os.path.join(
        environ.get("HOME") or os.path.expanduser("~"), ".local", "share"
    )
    return Path(data_home) / "guardshim" / _STATE_FILE


def _profile_option(help_text):
    return click.option(
        "--profile",
        "profile_paths",
        multiple=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help=help_text,
    )


def _shim_dir_option(help_text):
    return click.option(
        "--shim-dir", type=click.Path(file_okay=False, path_type=Path), help=help_text
    )


@click.command()
@_profile_option(
    "Shell profile that gets the PATH block; repeat for several "
    "[default: the rc and login files of $SHELL, such as ~/.bashrc and ~/.profile]."
)
@_shim_dir_option("Folder for the shims [default: $XDG_DATA_HOME/guardshim/shims].")
def install(profile_paths, shim_dir):
    """Write the shims and put their folder first on PATH in shell profiles.

    Running it again changes nothing unless guardshim or an option changed.
    """
    environ = os.environ
    locations = default_locations(environ)
    shim_dir = (shim_dir or Path(locations["shim_dir"])).absolute()
    chosen = profile_paths or profiles.default_profiles(environ)
    profile_paths = [path.absolute() for path in chosen]
    locations["shim_dir"] = str(shim_dir)
    agent_env = _agent_env(locations)

    try:
        changed = render.write_shims(shim_dir, locations)
    except render.RenderError as error:
        raise GuardshimError(str(error)) from None
    except OSError as error:
        raise GuardshimError(
            f"cannot write shims to {shim_dir}: {error.strerror}",
            hint="choose a writable folder with --shim-dir",
        ) from None
    created_before = {
        entry["path"] for entry in state_profiles(_load_state(environ)) if entry["created"]
    }
    entries = []
    changed_profiles = []
    for profile_path in profile_paths:
        created = not profile_path.exists() or str(profile_path) in created_before
        try:
            if profiles.install_block(profile_path, shim_dir, agent_env):
                changed_profiles.append(profile_path)
        except (OSError, UnicodeDecodeError) as error:
            raise GuardshimError(
                f"cannot update the profile {profile_path}: {error}",
                hint="choose another file with --profile",
            ) from None
        entries.append({"path": str(profile_path), "created": created})
    _save_state(environ, shim_dir, entries)

    for path in changed:
        click.echo(f"wrote shim {path}")
    for path in changed_profiles:
        click.echo(f"added the guardshim PATH block to {path}")
    shown = ", ".join(str(path) for path in profile_paths)
    if not changed and not changed_profiles:
        click.echo(f"guardshim is already installed in {shim_dir} ({shown})")
    _warn_missing_tools(shim_dir, environ)
    click.echo(
        f"Audit log: {locations['audit_path']}\n"
        f"Config: {locations['config_files'][-1]} (optional)\n"
        f"New shells that read {shown} are guarded; start one, or run "
        f"`. {profile_paths[0]}` in an open shell."
    )


def _agent_env(locations):
    # The block exports [agent.env], so a config that cannot be read must stop
    # install: a block without KUBECONFIG or AWS_PROFILE would hand the agent
    # the user's own credentials.
    try:
        settings = load_settings(locations)
    except ConfigError as error:
        raise GuardshimError(
            f"invalid config: {error}", hint=f"{error.hint}, then run install again."
        ) from None
    try:
        profiles.validate_agent_env(settings.agent_env)
    except ValueError as error:
        raise GuardshimError(str(error), hint="fix [agent.env] in the config") from None
    return profiles.expand_agent_env(settings.agent_env, settings.home)


def _warn_missing_tools(shim_dir, environ):
    path_without_shims = os.pathsep.join(
        entry
        for entry in environ.get("PATH", "").split(os.pathsep)
        if entry and os.path.realpath(entry) != os.path.realpath(shim_dir)
    )
    for tool in TOOLS:
        if shutil.which(tool, path=path_without_shims) is None:
            click.echo(
                f"note: no real {tool} on PATH yet; its shim refuses to run until "
                f"one is installed",
                err=True,
            )


def _save_state(environ, shim_dir, entries):
    state_path = _state_path(environ)
    state_path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "shim_dir": str(shim_dir),
        # `profile` names the first file, for readers of older states.
        "profile": entries[0]["path"],
        "profiles": entries,
    }
    state_path.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")


def state_profiles(state):
    """Return the profiles a state names, as dicts with `path` and `created`."""
    if isinstance(state.get("profiles"), list):
        return [
            entry for entry in state["profiles"]
            if isinstance(entry, dict) and isinstance(entry.get("path"), str)
        ]
    if isinstance(state.get("profile"), str):
        return [{"path": state["profile"], "created": bool(state.get("profile_created"))}]
    return []


def load_install_state(environ):
    """Return what the last install recorded (shim_dir, profile), or {} when none."""
    return _load_state(environ)


def _load_state(environ):
    try:
        return json.loads(_state_path(environ).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


@click.command()
@_profile_option(
    "Shell profile to remove the PATH block from; repeat for several "
    "[default: the ones install used]."
)
@_shim_dir_option("Folder of the shims [default: the one install used].")
def uninstall(profile_paths, shim_dir):
    """Remove the shims and the PATH blocks; every other byte of each profile stays."""
    environ = os.environ
    state = _load_state(environ)
    shim_dir = Path(
        shim_dir or state.get("shim_dir") or default_locations(environ)["shim_dir"]
    )
    if profile_paths:
        entries = [{"path": str(path), "created": False} for path in profile_paths]
    else:
        entries = state_profiles(state) or [
            {"path": str(path), "created": False}
            for path in profiles.default_profiles(environ)
        ]

    removed = render.remove_shims(shim_dir)
    for path in removed:
        click.echo(f"removed shim {path}")
    try:
        if shim_dir.is_dir() and not any(shim_dir.iterdir()):
            shim_dir.rmdir()
    except OSError:
        pass
    any_block = False
    for entry in entries:
        profile_path = Path(entry["path"])
        if not profiles.remove_block(profile_path):
            continue
        any_block = True
        click.echo(f"removed the guardshim PATH block from {profile_path}")
        if entry["created"] and profile_path.stat().st_size == 0:
            profile_path.unlink()
            click.echo(f"removed {profile_path}, which install had created")
    if not any_block and not removed:
        click.echo("guardshim is not installed; nothing to remove")
    state_path = _state_path(environ)
    for leftover in (state_path, state_path.parent):
        try:
            leftover.unlink() if leftover.is_file() else leftover.rmdir()
        except OSError:
            pass
    click.echo("Open shells keep the old PATH until they start again or run `hash -r`.")
