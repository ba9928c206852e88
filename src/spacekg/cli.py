"""The spacekg command line: a thin Click layer.

Each command parses its options, calls one library function, renders the result and sets the
exit code. Library modules never import click. Errors are one line on stderr; ``--debug`` keeps
the traceback. Library imports happen inside the commands, so ``spacekg query run`` does not pay
for rdflib when it does not need it.
"""

from __future__ import annotations

import sys
import traceback
from typing import TYPE_CHECKING, Any

import click

from spacekg.errors import EXIT_INTERNAL, SpacekgError

if TYPE_CHECKING:
    from pathlib import Path


class SpacekgGroup(click.Group):
    """Turns library errors into one line on stderr and a documented exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SpacekgError as err:
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            click.echo(f"spacekg: error: {err}", err=True)
            sys.exit(err.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("spacekg: interrupted", err=True)
            sys.exit(130)
        except Exception as err:  # an internal error: a bug
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            click.echo(
                f"spacekg: internal error: {type(err).__name__}: {err} "
                "(rerun with --debug for the traceback and report it)",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)


@click.group(cls=SpacekgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show the traceback on errors.")
@click.version_option(package_name="spacekg")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """spacekg: a knowledge graph of space diplomacy, and the tools to use it."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


# === section: query, export, reason, describe, check (issue 3) ===


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    from spacekg.errors import InputError

    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="-p/--param")
        if name.strip() in params:
            raise InputError(
                f"parameter {name.strip()!r} is given twice ({params[name.strip()]!r} and "
                f"{value!r}); a parameter takes one value: give it once"
            )
        params[name.strip()] = value
    return params


def _backend_for(store: str | None, endpoint: str | None) -> Any:
    """The --store/--endpoint hook: spacekg.stores (issue 4) builds those backends."""
    if store and endpoint:
        raise click.UsageError("give --store or --endpoint, not both")
    if not store and not endpoint:
        return None
    try:
        from spacekg import stores  # imported lazily: only these options need it
    except ImportError as err:
        from spacekg.errors import StoreError

        raise StoreError(f"store support is not available in this build ({err})") from None
    if store:
        return stores.EmbeddedStore(store)
    return stores.EndpointStore(endpoint)


def _write_output(data: str | bytes, output: str | None) -> None:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if output and output != "-":
        from spacekg.export import write_atomic

        write_atomic(output, raw)
    else:
        try:
            sys.stdout.buffer.write(raw)
            sys.stdout.flush()
        except BrokenPipeError:  # `spacekg ... | head`: the reader has gone, that is fine
            _silence_stdout()
        except OSError as err:  # `>/dev/full`, a full disk: an output error, exit 3
            from spacekg.errors import InputError

            _silence_stdout()
            raise InputError(
                f"cannot write the output to stdout: {err.strerror or err} "
                "(free some space or send the output elsewhere)"
            ) from None


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the final flush at exit cannot fail again."""
    import contextlib
    import os

    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _lines(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def _output_option(f: Any) -> Any:
    return click.option(
        "-o",
        "--output",
        default=None,
        type=click.Path(dir_okay=False, path_type=str),
        help="Write to FILE (atomically) instead of stdout.",
    )(f)


@main.group("query")
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
    from spacekg.catalogue import list_queries

    queries = list_queries()
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
        _write_output(json.dumps(doc, indent=2) + "\n", None)
        return
    width = max((len(q.name) for q in queries), default=4)
    out = []
    for q in queries:
        params = " ".join(
            f"-p {p.name}=…" if p.needed else f"[-p {p.name}=…]" for p in q.parameters
        )
        out.append(f"{q.name.ljust(width)}  {q.summary}" + (f"  {params}" if params else ""))
    _write_output(_lines(out), None)
    click.echo(f"({len(queries)} queries; run one with: spacekg query run NAME)", err=True)


@query_group.command("show")
@click.argument("name")
def query_show_cmd(name: str) -> None:
    """The header, parameters and text of a stored query."""
    from spacekg.catalogue import get_query

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
        from spacekg.engine import parameter_values

        values = {p.name: parameter_values(q, p) for p in q.parameters if p.kind == "iri"}
    for p in q.parameters:
        out.append(f"parameter:   {p.describe()}  (variable ?{p.variable})")
        shown = values.get(p.name, ()) if p.kind == "iri" else ()
        if shown:
            more = " …" if len(shown) >= 50 else ""
            out.append(f"  values:    {', '.join(shown)}{more}")
            out.append(f"  example:   -p {p.name}={shown[0]}")
    out += ["", q.text.rstrip("\n")]
    _write_output(_lines(out), None)


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
@click.option(
    "--engine",
    type=click.Choice(["oxigraph", "rdflib"]),
    default="oxigraph",
    show_default=True,
    help="In-memory engine (rdflib: slower, for cross-checks).",
)
@_output_option
def query_run_cmd(
    name: str,
    params: tuple[str, ...],
    fmt: str | None,
    allow_network: bool,
    store: str | None,
    endpoint: str | None,
    engine: str,
    output: str | None,
) -> None:
    """Run a stored query (NAME, or a FILE.rq) over the graph and its entailments."""
    from spacekg.engine import run_query
    from spacekg.render import render

    result = run_query(
        name,
        _parse_params(params),
        backend=_backend_for(store, endpoint),
        allow_network=allow_network,
        engine=engine,
    )
    max_cell = None
    if output is None and sys.stdout.isatty():
        import shutil

        max_cell = max(20, shutil.get_terminal_size().columns // 2)
    _write_output(render(result, fmt, max_cell=max_cell), output)


@main.command("export")
@click.option(
    "-f",
    "--format",
    "fmt",
    default="trig",
    show_default=True,
    type=click.Choice(["turtle", "ntriples", "nquads", "trig", "jsonld"]),
    help="trig/nquads/jsonld keep one named graph per file; turtle/ntriples merge.",
)
@click.option("--inferred", is_flag=True, help="Add the OWL RL entailments as a named graph.")
@_output_option
def export_cmd(fmt: str, inferred: bool, output: str | None) -> None:
    """The whole graph for triple stores, same bytes on every run."""
    from spacekg.export import export

    result = export(fmt, inferred=inferred)
    _write_output(result.data, output)
    if output:
        click.echo(
            f"wrote {output}: {result.quads} triples in {len(result.graphs)} graphs", err=True
        )


@main.command("reason")
@click.option("--profile", type=click.Choice(["rdfs", "owlrl"]), default="owlrl", show_default=True)
@click.option(
    "-f",
    "--format",
    "fmt",
    default="turtle",
    show_default=True,
    type=click.Choice(["turtle", "ntriples"]),
)
@_output_option
def reason_cmd(profile: str, fmt: str, output: str | None) -> None:
    """The inferred triples only (no asserted ones, no axiomatic noise)."""
    from spacekg.export import reason_text

    data, count = reason_text(profile, fmt)
    _write_output(data, output)
    click.echo(f"{count} inferred triples ({profile})", err=True)


@main.command("describe")
@click.argument("term")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def describe_cmd(term: str, fmt: str) -> None:
    """What the graph says about TERM (a prefixed name, an IRI or a label), with the words."""
    from spacekg.describe import describe, render_description

    _write_output(render_description(describe(term), fmt), None)


@main.command("check")
def check_cmd() -> None:
    """The quality gate: parse, spans, coverage, consistency, shapes, check queries."""
    from spacekg.errors import EXIT_FAILED
    from spacekg.qc import run_checks

    report = run_checks(progress=lambda line: _write_output(line + "\n", None))
    if not report.ok:
        failed = sum(1 for c in report.checks if not c.ok)
        click.echo(f"spacekg: {failed} of {len(report.checks)} checks failed", err=True)
        sys.exit(EXIT_FAILED)
    click.echo(f"all {len(report.checks)} checks passed", err=True)


# === end section: issue 3 ===

# === section: validate, source, excerpt, diff (issue 5) ===


def _root_option(f: Any) -> Any:
    return click.option(
        "--root",
        type=click.Path(file_okay=False, path_type=str),
        default=None,
        help="The checkout to work in (default: the bundled graph's folder).",
    )(f)


def _root_path(root: str | None) -> Path | None:
    """The --root option as a Path (None: the bundled graph's folder)."""
    from pathlib import Path

    return Path(root) if root else None


@main.command("validate")
@click.argument("files", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--shapes",
    type=click.Path(dir_okay=False, path_type=str),
    help="SHACL shapes file (default: the bundled ontology/shapes.ttl).",
)
@click.option(
    "--inference",
    type=click.Choice(["none", "rdfs", "owlrl"]),
    default="none",
    show_default=True,
    help="Entailment before validating (none: the ontology is merged, subclasses still count).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "turtle"]),
    default="text",
    show_default=True,
    help="turtle = the standard SHACL validation report.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["violation", "warning", "info"]),
    default="violation",
    show_default=True,
    help="The lowest severity that makes the exit code 1.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Text: above this many results, summarise per shape and show N of each (0: all).",
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "fast", "pyshacl"]),
    default="auto",
    show_default=True,
    help="SHACL engine (auto: the fast one, pySHACL where it is not supported).",
)
@_root_option
def validate_cmd(
    files: tuple[str, ...],
    shapes: str | None,
    inference: str,
    fmt: str,
    fail_on: str,
    limit: int,
    engine: str,
    root: str | None,
) -> None:
    """Validate FILES against the shapes, in the context of the bundled graph.

    With no FILES, the bundled graph itself. One line per result:
    FILE:LINE: SEVERITY: FOCUS NODE: PATH: MESSAGE, then a summary.
    Exit 0 if it conforms at the --fail-on level, 1 if not, 3 on bad input.
    """
    from pathlib import Path

    from spacekg.validation import render_json, render_text, render_turtle, validate

    report = validate(
        [Path(f) for f in files],
        shapes=shapes,
        inference=inference,
        engine=engine,
        root=_root_path(root),
    )
    if fmt == "json":
        click.echo(render_json(report), nl=False)
    elif fmt == "turtle":
        click.echo(render_turtle(report), nl=False)
    else:
        click.echo(render_text(report, limit=limit), nl=False)
    sys.exit(1 if report.fails(fail_on) else 0)


@main.group("source")
def source_group() -> None:
    """Add source texts (the articles the graph is built from)."""


@source_group.command("add")
@click.argument("text_file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--url", required=True, help="Where the source was published.")
@click.option("--author", "authors", multiple=True, required=True, help="An author (repeat).")
@click.option("--publisher", default=None, help="Who published it.")
@_root_option
def source_add_cmd(
    text_file: str, url: str, authors: tuple[str, ...], publisher: str | None, root: str | None
) -> None:
    """Copy TEXT_FILE into seeds/ and write its source node into data/."""
    from pathlib import Path

    from spacekg.curation import add_source

    done = add_source(
        Path(text_file),
        url=url,
        authors=list(authors),
        publisher=publisher,
        root=_root_path(root),
    )
    for path in done.changed:
        click.echo(f"wrote {path}", err=True)
    if not done.changed:
        click.echo(f"nothing to do: {done.seed_path} and {done.data_path} are up to date", err=True)
    click.echo(f"source node: <{done.source_iri}> (sha256 {done.sha256})")


@main.command("excerpt")
@click.argument("source")
@click.argument("quote")
@click.option("--occurrence", type=click.IntRange(min=1), default=None, help="Pick the Nth match.")
@_root_option
def excerpt_cmd(source: str, quote: str, occurrence: int | None, root: str | None) -> None:
    """Print a Turtle evidence span for QUOTE in SOURCE (a seed file or source node)."""
    from spacekg.curation import excerpt

    found = excerpt(source, quote, occurrence=occurrence, root=_root_path(root))
    click.echo(found.turtle, nl=False)


@main.command("diff")
@click.argument("old", type=click.Path(exists=True, path_type=str))
@click.argument("new", type=click.Path(exists=True, path_type=str))
def diff_cmd(old: str, new: str) -> None:
    """Triples removed and added from OLD to NEW (files or folders); exit 1 if they differ."""
    from pathlib import Path

    from spacekg.diff import diff_paths, render_diff

    result = diff_paths(Path(old), Path(new))
    click.echo(render_diff(result), nl=False)
    sys.exit(1 if result.differ else 0)


# === end section: issue 5 ===

# === section: load (issue 4) ===


@main.command("load")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=str),
    default=None,
    help="An embedded Oxigraph store folder (created if missing).",
)
@click.option("--endpoint", default=None, metavar="URL", help="A SPARQL server's base URL.")
@click.option("--graph", default=None, metavar="IRI", help="Load FILES into this named graph.")
@click.option("--replace", is_flag=True, help="Replace the graph (atomically) instead of adding.")
@click.option("--inferred", is_flag=True, help="Also load the inferred triples (bundle only).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ntriples", "turtle", "rdfxml"]),
    default=None,
    help="Format of FILES [default: from the suffix].",
)
@click.option(
    "--server",
    type=click.Choice(["oxigraph", "fuseki", "graphdb", "virtuoso", "neptune"]),
    default="oxigraph",
    show_default=True,
    help="Endpoint layout preset (paths of the graph store, query and update services).",
)
@click.option("--gsp-path", default=None, metavar="PATH", help="Graph store path [preset].")
@click.option(
    "--protocol",
    type=click.Choice(["auto", "gsp", "update"]),
    default="auto",
    show_default=True,
    help="Graph Store Protocol, or SPARQL Update only.",
)
@click.option(
    "--swap",
    type=click.Choice(["auto", "put", "move"]),
    default="auto",
    show_default=True,
    help="How an endpoint graph is replaced: one PUT, or staging graph + MOVE.",
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
) -> None:
    """Load the bundled graph (or FILES) into a store, one named graph per source file.

    Credentials for an endpoint come from SPACEKG_USER / SPACEKG_PASSWORD or ~/.netrc.
    """
    from spacekg.stores import load

    if (store is None) == (endpoint is None):
        raise click.UsageError("give --store DIR or --endpoint URL (one of them)")
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
    for g in report.graphs:
        name = f"<{g.graph}>" if g.graph else "default graph"
        click.echo(f"{name}\t{g.stored} triples\t{g.method}")
    click.echo(
        f"loaded {report.triples} triples in {len(report.graphs)} graph(s) into "
        f"{report.target} in {report.seconds:.1f} s",
        err=True,
    )


# === end section: issue 4 ===
