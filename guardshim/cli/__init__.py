"""The `guardshim` command: explain, install and uninstall."""

import click

from guardshim import __version__
from guardshim.cli.config import config
from guardshim.cli.doctor import doctor
from guardshim.cli.explain import explain
from guardshim.cli.install import install, uninstall
from guardshim.cli.log import log
from guardshim.cli.rbac import rbac
from guardshim.cli.run import run
from guardshim.cli.watch import watch


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


cli.add_command(config)
cli.add_command(doctor)
cli.add_command(explain)
cli.add_command(install)
cli.add_command(rbac)
cli.add_command(run)
cli.add_command(uninstall)
cli.add_command(log)
cli.add_command(watch)


def main(argv=None):
    """Run the CLI; return its exit status so tests can call it."""
    try:
        # Without standalone mode, click 8.2 and later return the status of
        # click.exceptions.Exit instead of raising it.
        status = cli.main(args=argv, prog_name="guardshim", standalone_mode=False)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return 130
    return status if isinstance(status, int) else 0
