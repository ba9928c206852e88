"""`spacekg load`."""

from __future__ import annotations

import sys
from typing import Any

import click

from spacekg.cli.options import choice_option


@click.command("load")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=str, readable=False))
@click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=str),
    default=None,
    help="An embedded Oxigraph store folder (created if missing).",
)
@click.option("--endpoint", default=None, metavar="URL", help="A SPARQL server's base URL.")
@click.option("--graph", default=None, metavar="IRI", help="Load FILES into this named graph.")
@click.option("--replace", is_flag=True, help="Replace the graph (atomically) instead of adding.")
@click.option(
    "--inferred", is_flag=True, help="Also load the inferred triples (the graph, not FILES)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ntriples", "turtle", "rdfxml"]),
    default=None,
    help="Format of FILES [default: from the suffix].",
)
@choice_option(
    "--server",
    choices=["oxigraph", "fuseki", "graphdb", "virtuoso", "neptune"],
    default="oxigraph",
    help="Endpoint layout preset (paths of the graph store, query and update services).",
)
@click.option("--gsp-path", default=None, metavar="PATH", help="Graph store path [preset].")
@choice_option(
    "--protocol",
    choices=["auto", "gsp", "update"],
    default="auto",
    help="Graph Store Protocol, or SPARQL Update only.",
)
@choice_option(
    "--swap",
    choices=["auto", "put", "move"],
    default="auto",
    help="How an endpoint graph is replaced: one PUT, or staging graph + MOVE.",
)
@click.option(
    "--status",
    is_flag=True,
    help="Report the store's (or server's) graphs and any staging graph an interrupted "
    "replace left.",
)
def load_cmd(
    files: tuple[str, ...],
    store: str | None,
    endpoint: str | None,
    graph: str | None,
    replace: bool,
    inferred: bool,
    fmt: str | None,
    server: str,
    gsp_path: str | None,
    protocol: str,
    swap: str,
    status: bool,
) -> None:
    """Load the graph in use (or FILES) into a store, one named graph per source file.

    Credentials for an endpoint come from SPACEKG_USER / SPACEKG_PASSWORD or ~/.netrc.
    """
    from spacekg.stores import load

    if (store is None) == (endpoint is None):
        raise click.UsageError("give --store DIR or --endpoint URL (one of them)")
    if status:
        _status(store, endpoint, server)
        return
    bar: Any = None
    progress = None
    if sys.stderr.isatty():
        state = {"done": 0}

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = click.progressbar(length=max(total, 1), label="loading", file=sys.stderr)
                bar.__enter__()
            bar.update(max(0, done - state["done"]))
            state["done"] = max(done, state["done"])

    try:
        report = load(
            files,
            store=store,
            endpoint=endpoint,
            graph=graph,
            replace=replace,
            inferred=inferred,
            fmt=fmt,
            server=server,
            gsp_path=gsp_path,
            protocol=protocol,
            swap=swap,
            progress=progress,
        )
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    from spacekg.cli.options import write_output

    lines = []
    for g in report.graphs:
        name = f"<{g.graph}>" if g.graph else "default graph"
        lines.append(f"{name}\t{g.stored} triples\t{g.method}\n")
    write_output("".join(lines), None)
    from spacekg.cli.options import wall_seconds

    wall = wall_seconds()  # the whole command: start-up, reading, parsing, checks, writes
    click.echo(
        f"loaded {report.triples} triples in {len(report.graphs)} graph(s) into "
        f"{report.target} in {wall:.1f} s (of which writing the store {report.seconds:.1f} s)",
        err=True,
    )


def _status(store: str | None, endpoint: str | None, server: str) -> None:
    from spacekg.cli.options import write_output

    if store is not None:
        from spacekg.stores.embedded import store_status

        counts, orphans = store_status(store)
    else:
        from spacekg.stores import endpoint_status

        assert endpoint is not None
        counts, orphans = endpoint_status(endpoint, server=server)
    lines = [f"{f'<{g}>' if g else 'default graph'}\t{n} triples\n" for g, n in counts.items()]
    write_output("".join(lines), None)
    for iri, n in orphans.items():
        click.echo(
            f"spacekg: warning: staging graph <{iri}> ({n} triples) was left by an interrupted "
            "replace; queries do not see it and the next load removes it",
            err=True,
        )
