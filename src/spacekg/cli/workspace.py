"""`spacekg init` and `spacekg status`."""

from __future__ import annotations

import click

from spacekg.cli.options import write_output


@click.command("init")
@click.argument("directory", type=click.Path(path_type=str))
@click.option(
    "--empty",
    is_flag=True,
    help="Only the ontology, shapes and queries: a graph with no data (it checks green).",
)
@click.option(
    "--name", default=None, help="The graph's name in spacekg.toml [default: DIRECTORY's]."
)
def init_cmd(directory: str, empty: bool, name: str | None) -> None:
    """Make a graph of your own in DIRECTORY (new or empty): a copy of the bundled graph.

    DIRECTORY gets spacekg.toml and ontology/, queries/, data/, seeds/. Every command run in it
    or below acts on it; from elsewhere, use `spacekg --root DIRECTORY COMMAND`.

    \b
    Example:
      spacekg init kg && cd kg && spacekg check
    """
    from spacekg.curation.workspace import init_workspace

    done = init_workspace(directory, empty=empty, name=name)
    what = "ontology, shapes and queries" if done.empty else "a copy of the bundled graph"
    click.echo(f"made {done.root}: {what}, {done.files} files", err=True)
    click.echo(f"next: cd {done.root} && spacekg check", err=True)


@click.command("status")
def status_cmd() -> None:
    """Which graph the commands act on, where it is, and what it holds.

    \b
    Example:
      spacekg status
      spacekg --root kg status
    """
    from spacekg.curation.workspace import render_status, status

    write_output(render_status(status()), None)
