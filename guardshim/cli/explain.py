"""`guardshim explain`: classify and decide like a shim, without running anything."""

import json
import os

import click

from guardshim.classify import TOOLS, classify
from guardshim.cli.output import GuardshimError, console
from guardshim.config import ConfigError, default_locations, load_settings
from guardshim.mask import mask_argv, mask_hints, mask_values
from guardshim.policy import Facts, decide
from guardshim.target import resolve_target
from guardshim.shim import EXIT_CONFIG


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False}
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.argument("command", nargs=-1, type=click.UNPROCESSED, required=True)
def explain(as_json, command):
    """Show how a shim would classify and decide COMMAND.

    COMMAND is the tool name and its arguments, after `--`:

        guardshim explain --json -- kubectl delete pod web-0

    Exits 0 whatever the decision; nothing is run.
    """
    tool, arguments = command[0], list(command[1:])
    if tool not in TOOLS:
        raise GuardshimError(
            f"unknown tool {tool!r}",
            hint=f"name one of {', '.join(TOOLS)} first, for example "
            "`guardshim explain -- kubectl get pods`",
            exit_code=2,
        )
    cwd = os.getcwd()
    try:
        settings = load_settings(default_locations(), os.environ, cwd)
    except ConfigError as error:
        raise GuardshimError(
            f"invalid config: {error}", hint=f"{error.hint}.", exit_code=EXIT_CONFIG
        ) from None

    verdict = classify(tool, arguments, os.environ, settings.cache)
    facts = Facts(
        verdict, cwd, lambda: resolve_target(verdict, os.environ, cwd, settings.cache)
    )
    decision = decide(verdict, settings, facts)
    report = {
        "tool": tool,
        "argv": mask_argv(tool, arguments),
        "command": list(verdict.command),
        "class": verdict.klass,
        "decision": decision.decision,
        "reason": verdict.reason,
        "rule": decision.rule,
        "class_rule": verdict.rule,
        "hints": mask_hints(tool, verdict.hints),
        "target": mask_values(facts.target) if facts.target_resolved else None,
        "real_binary": _real_binary(tool, settings),
    }
    if as_json:
        click.echo(json.dumps(report))
    else:
        _print_report(report)


def _real_binary(tool, settings):
    """Return the path a shim would run for `tool`, or None when none is found."""
    from guardshim.realbin import RealBinaryNotFound, find_real_binary

    try:
        return find_real_binary(
            tool, os.environ.get("PATH", ""), [settings.shim_dir],
            settings.tool_paths.get(tool),
        )
    except RealBinaryNotFound:
        return None


def _print_report(report):
    from rich.table import Table

    from guardshim.shim import quote

    table = Table(show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    shown = " ".join(quote(word) for word in [report["tool"], *report["argv"]])
    table.add_row("command", shown)
    table.add_row("subcommand", " ".join(report["command"]) or "(none)")
    table.add_row("class", report["class"])
    table.add_row("decision", report["decision"])
    table.add_row("reason", report["reason"])
    table.add_row("decided by", report["rule"])
    table.add_row("class rule", report["class_rule"])
    if report["target"]:
        target = ", ".join(f"{key} {value}" for key, value in report["target"].items())
        table.add_row("target", target)
    if report["hints"]:
        hints = ", ".join(f"{key} {value}" for key, value in report["hints"].items())
        table.add_row("from argv", hints)
    if report["real_binary"]:
        table.add_row("real binary", report["real_binary"])
    else:
        table.add_row(
            "real binary",
            f"none found on PATH: a shim would exit 127 before running {report['tool']}",
        )
    console().print(table)
