"""`spacekg validate`, `source add`, `excerpt` and `diff`."""

from __future__ import annotations

import sys

import click

from spacekg.cli.options import root_option, root_path, write_output


@click.command("validate")
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
@root_option
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

    from spacekg.validate.api import render_json, render_text, render_turtle, validate

    report = validate(
        [Path(f) for f in files],
        shapes=shapes,
        inference=inference,
        engine=engine,
        root=root_path(root),
    )
    if fmt == "json":
        write_output(render_json(report), None)
    elif fmt == "turtle":
        write_output(render_turtle(report), None)
    else:
        write_output(render_text(report, limit=limit), None)
    sys.exit(1 if report.fails(fail_on) else 0)


@click.group("source")
def source_group() -> None:
    """Add source texts (the articles the graph is built from)."""


@source_group.command("add")
@click.argument("text_file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--url", required=True, help="Where the source was published.")
@click.option("--author", "authors", multiple=True, required=True, help="An author (repeat).")
@click.option("--publisher", default=None, help="Who published it.")
@root_option
def source_add_cmd(
    text_file: str, url: str, authors: tuple[str, ...], publisher: str | None, root: str | None
) -> None:
    """Copy TEXT_FILE into seeds/ and write its source node into data/."""
    from pathlib import Path

    from spacekg.curation.sources import add_source

    done = add_source(
        Path(text_file),
        url=url,
        authors=list(authors),
        publisher=publisher,
        root=root_path(root),
    )
    for path in done.changed:
        click.echo(f"wrote {path}", err=True)
    if not done.changed:
        click.echo(f"nothing to do: {done.seed_path} and {done.data_path} are up to date", err=True)
    write_output(f"source node: <{done.source_iri}> (sha256 {done.sha256})\n", None)


@click.command("excerpt")
@click.argument("source")
@click.argument("quote")
@click.option("--occurrence", type=click.IntRange(min=1), default=None, help="Pick the Nth match.")
@root_option
def excerpt_cmd(source: str, quote: str, occurrence: int | None, root: str | None) -> None:
    """Print a Turtle evidence span for QUOTE in SOURCE (a seed file or source node)."""
    from spacekg.curation.sources import excerpt

    found = excerpt(source, quote, occurrence=occurrence, root=root_path(root))
    write_output(found.turtle, None)


@click.command("diff")
@click.argument("old", type=click.Path(path_type=str))
@click.argument("new", type=click.Path(path_type=str))
def diff_cmd(old: str, new: str) -> None:
    """Triples removed and added from OLD to NEW (files or folders); exit 1 if they differ."""
    from pathlib import Path

    from spacekg.curation.diff import diff_paths, render_diff

    result = diff_paths(Path(old), Path(new))
    write_output(render_diff(result), None)
    sys.exit(1 if result.differ else 0)
