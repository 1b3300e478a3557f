"""The `guardshim` command: explain, install and uninstall."""

import click

from guardshim import __version__
from guardshim.cli.explain import explain
from guardshim.cli.install import install, uninstall


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="guardshim")
def cli():
    """Guard terraform, helm and kubectl for coding agents.

    guardshim puts shims named like the tools ahead of the real binaries on
    PATH. Each call is classified (read, local, preview, secret, write,
    unknown), then allowed, asked about on the terminal, or refused, and
    recorded in an audit log. It is a guardrail against accidents, not a
    security boundary: read-only credentials and RBAC must still hold.
    """


cli.add_command(explain)
cli.add_command(install)
cli.add_command(uninstall)


def main(argv=None):
    """Run the CLI; return its exit status so tests can call it."""
    try:
        cli.main(args=argv, prog_name="guardshim", standalone_mode=False)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return 130
    return 0
