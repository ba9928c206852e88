"""The spacekg command line: a thin Click layer.

Each command parses its options, calls one library function, renders the result and sets the
exit code. Library modules never import click. Errors are one line on stderr; ``--debug`` keeps
the traceback. Library imports happen inside the commands, so ``spacekg query run`` does not pay
for rdflib when it does not need it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from spacekg.cli.options import STARTED  # noqa: F401  (the clock starts with the command)
from spacekg.errors import EXIT_INTERNAL, SpacekgError

if TYPE_CHECKING:
    pass


class SpacekgGroup(click.Group):
    """Turns library errors into one line on stderr and a documented exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        from spacekg.cli.interrupt import install_watchdog
        from spacekg.netguard import armed
        from spacekg.rdfio_limits import quiet_rdflib

        install_watchdog()
        try:
            _refuse_undecodable_args()
            quiet_rdflib()  # an ill-typed literal is accepted without rdflib's logged traceback
            with armed():  # the network rule: nothing fetched unless asked
                return super().invoke(ctx)
        except SpacekgError as err:
            if ctx.obj and ctx.obj.get("debug"):
                import traceback

                traceback.print_exc()
            click.echo(f"spacekg: error: {err}", err=True)
            sys.exit(err.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            from spacekg.cli.options import silence_stdout

            silence_stdout()
            click.echo("spacekg: interrupted", err=True)
            sys.exit(130)
        except Exception as err:  # an internal error: a bug
            if ctx.obj and ctx.obj.get("debug"):
                import traceback

                traceback.print_exc()
            click.echo(
                f"spacekg: internal error: {type(err).__name__}: {err} "
                "(rerun with --debug for the traceback and report it)",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)


def _refuse_undecodable_args() -> None:
    """Arguments that are not UTF-8 (Python keeps the bytes as surrogates): bad input, exit 3."""
    from spacekg.errors import InputError

    for arg in sys.argv[1:]:
        if any("\udc80" <= c <= "\udcff" for c in arg):
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            raise InputError(f"the argument {shown!r} is not valid UTF-8 (rename the file)")


@click.group(cls=SpacekgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show the traceback on errors.")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=str),
    default=None,
    metavar="DIR",
    help="The graph to act on [default: SPACEKG_HOME, else the nearest spacekg.toml at or "
    "above this folder, else the bundled graph, read-only].",
)
@click.version_option(package_name="spacekg")
@click.pass_context
def main(ctx: click.Context, debug: bool, root: str | None) -> None:
    """spacekg: a knowledge graph of space diplomacy, and the tools to use it.

    Every command acts on one graph, the workspace: `spacekg --root DIR`, else SPACEKG_HOME,
    else the nearest folder at or above this one holding spacekg.toml (as git finds .git), else
    the graph bundled with spacekg, read-only. `spacekg init DIR` makes a workspace of your own;
    `spacekg status` says which graph is in use.

    \b
    Example:
      spacekg init kg && cd kg && spacekg check
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    ctx.obj["root"] = root
    if ctx.invoked_subcommand == "init":
        return  # init makes a workspace; it does not act on one
    from spacekg.cli.options import use_root

    use_root(ctx, root)


def _register() -> None:
    from spacekg.cli.curate import (
        diff_cmd,
        excerpt_cmd,
        source_group,
        support_cmd,
        validate_cmd,
    )
    from spacekg.cli.graph import check_cmd, describe_cmd, export_cmd, reason_cmd
    from spacekg.cli.load import load_cmd
    from spacekg.cli.query import query_group
    from spacekg.cli.serve import serve_cmd
    from spacekg.cli.workspace import init_cmd, status_cmd

    for command in (
        query_group,
        export_cmd,
        reason_cmd,
        describe_cmd,
        check_cmd,
        validate_cmd,
        source_group,
        excerpt_cmd,
        support_cmd,
        diff_cmd,
        load_cmd,
        serve_cmd,
        init_cmd,
        status_cmd,
    ):
        main.add_command(command)


_register()
