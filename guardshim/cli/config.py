"""`guardshim config check`: validate the config and show the effective policy."""

import os

import click

from guardshim.classes import CLASSES
from guardshim.classify import TOOLS
from guardshim.cli.output import GuardshimError, console
from guardshim.config import ConfigError, default_locations, load_settings
from guardshim.policy import strictness, table_decision
from guardshim.shim import EXIT_CONFIG

_MATCH_KEYS = (
    "tool", "command", "class", "context", "context_regex", "namespace", "workspace", "cwd"
)


@click.group()
def config():
    """Inspect guardshim's configuration."""


@config.command()
@click.argument(
    "file", required=False, type=click.Path(dir_okay=False, exists=True)
)
def check(file):
    """Validate the config files and print the effective policy.

    Without FILE, checks the files that apply in the current folder: the system
    file, the user file, a project .guardshim.toml and GUARDSHIM_CONFIG. With
    FILE, checks FILE in place of the user file, so a new config can be tried
    before it is installed.
    """
    locations = default_locations()
    if file:
        locations["config_files"] = [locations["config_files"][0], os.path.abspath(file)]
    try:
        settings = load_settings(locations, os.environ, os.getcwd())
    except ConfigError as error:
        raise GuardshimError(
            f"invalid config: {error}", hint=f"{error.hint}.", exit_code=EXIT_CONFIG
        ) from None
    _print_policy(settings)


def _print_policy(settings):
    from rich.table import Table

    out = console()
    if not settings.loaded_files:
        out.print("No config file found; the built-in default policy applies.")
    else:
        files = Table(title="Config files", title_justify="left")
        for column in ("file", "kind", "may"):
            files.add_column(column)
        tighten = {layer["path"] for layer in settings.tighten_layers}
        for path, kind in settings.loaded_files:
            files.add_row(path, kind, "tighten only" if path in tighten else "set policy")
        out.print(files)

    rules = Table(title="Rules, in the order they are tried", title_justify="left")
    for column in ("from", "matches", "decision"):
        rules.add_column(column, overflow="fold")
    for layer, rule in settings.rules():
        rules.add_row(
            f"{layer['path']}: rules[{rule['index']}]",
            _describe_match(rule),
            _describe_decision(rule),
        )
    if rules.row_count:
        out.print(rules)
    else:
        out.print("No rules; every command is decided by its class.")

    classes = Table(title="Decision by class when no rule matches", title_justify="left")
    classes.add_column("class")
    for tool in TOOLS:
        classes.add_column(tool, overflow="fold")
    for klass in CLASSES:
        row = [klass]
        for tool in TOOLS:
            decision, origin = _effective_table_decision(settings, tool, klass)
            shown = decision if origin == f"default:{klass}" else f"{decision} ({origin})"
            row.append(shown)
        classes.add_row(*row)
    out.print(classes)
    if settings.locked:
        out.print("The system file is locked: user and project files may only tighten.")


def _effective_table_decision(settings, tool, klass):
    decision, origin = table_decision(settings.layers, tool, klass)
    for layer in settings.tighten_layers:
        candidate, candidate_origin = table_decision([layer], tool, klass)
        if candidate_origin == f"default:{klass}":
            continue
        if strictness(candidate) > strictness(decision):
            decision, origin = candidate, candidate_origin
    return decision, origin


def _describe_match(rule):
    parts = []
    for key in _MATCH_KEYS:
        if key in rule:
            value = rule[key]
            shown = value if isinstance(value, str) else " | ".join(value)
            parts.append(f"{key} = {shown}")
    return ", ".join(parts)


def _describe_decision(rule):
    text = rule["decision"]
    if rule["confirm"] == "target":
        text += " (type the target's name)"
    if rule["message"]:
        text += f": {rule['message']}"
    return text
