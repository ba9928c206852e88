"""`spacekg query list|show|run`."""

from __future__ import annotations

import sys

import click

from spacekg.cli.options import (
    backend_for,
    choice_option,
    join_lines,
    output_option,
    parse_params,
    write_output,
)


@click.group("query")
def query_group() -> None:
    """List, show and run the stored SPARQL queries."""


@query_group.command("list")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
def query_list_cmd(fmt: str) -> None:
    """Every stored query: name, summary and parameters."""
    from spacekg.query.catalogue import list_queries

    queries = list_queries()
    for q in queries:
        for warning in q.header_warnings():
            click.echo(f"spacekg: warning: {warning}", err=True)
    if fmt == "json":
        import json

        doc = [
            {
                "name": q.name,
                "summary": q.summary,
                "tags": list(q.tags),
                "form": q.form,
                "parameters": [p.describe() for p in q.parameters],
            }
            for q in queries
        ]
        write_output(json.dumps(doc, indent=2) + "\n", None)
        return
    width = max((len(q.name) for q in queries), default=4)
    out = []
    for q in queries:
        params = " ".join(
            f"-p {p.name}=…" if p.needed else f"[-p {p.name}=…]" for p in q.parameters
        )
        out.append(f"{q.name.ljust(width)}  {q.summary}" + (f"  {params}" if params else ""))
    write_output(join_lines(out), None)
    click.echo(f"({len(queries)} queries; run one with: spacekg query run NAME)", err=True)
    from spacekg.query.portability import notes

    for note in notes(queries):
        click.echo(note, err=True)


@query_group.command("show")
@click.argument("name")
def query_show_cmd(name: str) -> None:
    """The header, parameters and text of a stored query."""
    from spacekg.query.catalogue import get_query

    q = get_query(name)
    out = [
        f"name:        {q.name}",
        f"file:        {q.path}",
        f"form:        {q.form or '?'}",
        f"summary:     {q.summary}",
    ]
    if q.description:
        out.append(f"description: {q.description}")
    if q.tags:
        out.append(f"tags:        {', '.join(q.tags)}")
    if any(p.kind == "iri" for p in q.parameters):
        from spacekg.query.engine import parameter_values

        values = {p.name: parameter_values(q, p) for p in q.parameters if p.kind == "iri"}
    for p in q.parameters:
        out.append(f"parameter:   {p.describe()}  (variable ?{p.variable})")
        shown = values.get(p.name, ()) if p.kind == "iri" else ()
        if shown:
            more = " …" if len(shown) >= 50 else ""
            out.append(f"  values:    {', '.join(shown)}{more}")
            out.append(f"  example:   -p {p.name}={shown[0]}")
    out += ["", q.text.rstrip("\n")]
    write_output(join_lines(out), None)


@query_group.command("run")
@click.argument("name")
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A query parameter (repeatable).",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    default=None,
    type=click.Choice(["table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "jsonld"]),
    help="Output format [default: table, or turtle for CONSTRUCT/DESCRIBE].",
)
@click.option("--allow-network", is_flag=True, help="Let SERVICE clauses reach the network.")
@click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=str),
    default=None,
    help="Query an embedded store folder (see 'spacekg load').",
)
@click.option("--endpoint", default=None, metavar="URL", help="Query a SPARQL endpoint.")
@choice_option(
    "--engine",
    choices=["oxigraph", "rdflib"],
    default="oxigraph",
    help="In-memory engine (rdflib: slower, for cross-checks).",
)
@click.option(
    "--timeout",
    default=None,
    metavar="SECONDS",
    help="Stop the query after SECONDS (exit 4) [default: SPACEKG_TIMEOUT, else 600].",
)
@click.option(
    "--wide",
    is_flag=True,
    help="On a terminal, keep every column whole (by default a table is fitted to its width).",
)
@output_option
def query_run_cmd(
    name: str,
    params: tuple[str, ...],
    fmt: str | None,
    allow_network: bool,
    store: str | None,
    endpoint: str | None,
    engine: str,
    timeout: str | None,
    wide: bool,
    output: str | None,
) -> None:
    """Run a stored query (NAME, or a FILE.rq) over the graph and its entailments.

    On a terminal a table is fitted to its width (labels first, IRI columns that have a label
    dropped, long cells clipped; the last line says what); piped or with -o, every column whole.

    \b
    Examples:
      spacekg query run events
      spacekg query run exercise-participants --format csv > rows.csv
    """
    from spacekg.query.engine import run_query
    from spacekg.query.limits import parse_timeout
    from spacekg.query.render import render

    backend = backend_for(store, endpoint)
    bound = parse_params(params)
    result = run_query(
        name,
        bound,
        backend=backend,
        allow_network=allow_network,
        engine=engine,
        timeout=parse_timeout(timeout) if timeout is not None else None,
    )
    if result.form == "select" and not result.rows and bound:
        from spacekg.query.engine import unknown_values

        for line in unknown_values(name, bound, backend):
            click.echo(f"spacekg: warning: {line}", err=True)
    width = None
    if output is None and not wide and sys.stdout.isatty():
        import shutil

        width = shutil.get_terminal_size().columns
    write_output(render(result, fmt, width=width), output)


@query_group.command("lint")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, readable=False))
def query_lint_cmd(files: tuple[str, ...]) -> None:
    """Non-portable or slow SPARQL idioms in FILES (default: the stored queries). Exit 1 if any."""
    from spacekg.errors import EXIT_FAILED
    from spacekg.query.portability import lint_paths

    findings = lint_paths(list(files))
    write_output(join_lines([f.message for f in findings]), None)
    if findings:
        count = len(findings)
        click.echo(f"spacekg: {count} non-portable or slow idioms (docs/stores.md)", err=True)
        sys.exit(EXIT_FAILED)
