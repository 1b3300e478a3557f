"""`guardshim doctor`: check guardshim and the layers behind it."""

import json
import os

import click

from guardshim import doctor as checks
from guardshim.cli.output import console

_STATUS_STYLES = {checks.OK: "green", checks.WARN: "yellow", checks.FAIL: "bold red"}


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--context",
    "contexts",
    multiple=True,
    metavar="NAME",
    help="Kube context to check RBAC in; repeatable "
    "[default: every context of the agent's kubeconfig, at most 10].",
)
@click.option(
    "--no-rbac",
    is_flag=True,
    help="Skip the `kubectl auth can-i` calls to the clusters.",
)
@click.option(
    "--shell-functions",
    "shell_text",
    metavar="TEXT",
    help="Output of `type terraform helm kubectl` in the shell the agent uses, "
    "to check its aliases, functions and cached paths.",
)
def doctor(as_json, contexts, no_rbac, shell_text):
    """Check that guardshim and the other layers hold in this environment.

    Checks the shims on PATH, the real binaries behind them, the profile
    block, the config, the audit log, shell functions, the [agent.env]
    variables and static cloud credentials. For each kube context the agent
    can use, it asks whether RBAC lets it create, patch or delete.

    Exits 0 when no check fails (warnings included), 1 otherwise.

    \b
    From the shell you start the agent in:
        guardshim doctor --shell-functions "$(type terraform helm kubectl 2>&1)"
    """
    rows = checks.run_checks(
        os.environ,
        shell_text=shell_text,
        contexts=list(contexts) or None,
        check_clusters=not no_rbac,
    )
    if as_json:
        click.echo(json.dumps(_report(rows), indent=2))
    else:
        _print_table(rows)
    if any(row.status == checks.FAIL for row in rows):
        raise click.exceptions.Exit(1)


def _report(rows):
    counts = {status: 0 for status in (checks.OK, checks.WARN, checks.FAIL)}
    for row in rows:
        counts[row.status] += 1
    return {"checks": [row.as_dict() for row in rows], "counts": counts}


def _print_table(rows):
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=False, expand=False)
    table.add_column("status", no_wrap=True)
    table.add_column("layer", no_wrap=True)
    table.add_column("check")
    table.add_column("detail", overflow="fold")
    table.add_column("fix", overflow="fold")
    for row in rows:
        status = Text(row.status, style=_STATUS_STYLES[row.status])
        table.add_row(status, row.section, row.name, row.detail, row.fix)
    output = console()
    output.print(table)
    counts = _report(rows)["counts"]
    output.print(
        f"{counts['ok']} ok, {counts['warn']} warn, {counts['fail']} fail. "
        "guardshim is layer 1 of several; the rows below it show whether the "
        "others hold here."
    )
