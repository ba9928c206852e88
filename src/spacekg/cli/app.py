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


#: command name -> "module:attribute" of the command, filled by :func:`_register`
_LAZY_COMMANDS: dict[str, str] = {}


class SpacekgGroup(click.Group):
    """Turns library errors into one line on stderr and a documented exit code; imports a
    command's module only when the command is looked up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *_LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        # an unknown name: load them all, so that Click's "Did you mean" sees every command
        for name in [cmd_name] if cmd_name in _LAZY_COMMANDS else list(_LAZY_COMMANDS):
            if name not in self.commands:
                self.add_command(_import_command(name))
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        from spacekg.cli.interrupt import install_watchdog
        from spacekg.netguard import armed
        from spacekg.rdfio.limits import quiet_rdflib_on_import

        install_watchdog()
        try:
            _refuse_undecodable_args()
            # an ill-typed literal is accepted without rdflib's logged traceback
            quiet_rdflib_on_import()
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


def _import_command(name: str) -> click.Command:
    import importlib

    module, _, attribute = _LAZY_COMMANDS[name].partition(":")
    command: click.Command = getattr(importlib.import_module(module), attribute)
    if command.name != name:
        raise RuntimeError(f"{_LAZY_COMMANDS[name]} is the command {command.name!r}, not {name!r}")
    return command


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
    """Name every command and where it is defined (``module:attribute``).

    A command's module is imported when the command is looked up (it runs, or ``--help`` lists
    the commands), so ``spacekg query run`` loads spacekg.cli.query and no other command.
    """
    for name, where in (
        ("query", "spacekg.cli.query:query_group"),
        ("export", "spacekg.cli.graph:export_cmd"),
        ("reason", "spacekg.cli.graph:reason_cmd"),
        ("describe", "spacekg.cli.graph:describe_cmd"),
        ("check", "spacekg.cli.graph:check_cmd"),
        ("validate", "spacekg.cli.curate:validate_cmd"),
        ("source", "spacekg.cli.curate:source_group"),
        ("excerpt", "spacekg.cli.curate:excerpt_cmd"),
        ("support", "spacekg.cli.curate:support_cmd"),
        ("diff", "spacekg.cli.curate:diff_cmd"),
        ("load", "spacekg.cli.load:load_cmd"),
        ("serve", "spacekg.cli.serve:serve_cmd"),
        ("init", "spacekg.cli.workspace:init_cmd"),
        ("status", "spacekg.cli.workspace:status_cmd"),
    ):
        _LAZY_COMMANDS[name] = where


_register()
