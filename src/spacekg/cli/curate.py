"""`spacekg validate`, `source add`, `excerpt` and `diff`."""

from __future__ import annotations

import sys

import click

from spacekg.cli.options import choice_option, root_option, root_path, shown_path, write_output


@click.command("validate")
@click.argument("files", nargs=-1, type=click.Path(path_type=str, readable=False))
@click.option(
    "--shapes",
    type=click.Path(dir_okay=False, path_type=str, readable=False),
    help="SHACL shapes file (default: ontology/shapes.ttl of the graph in use).",
)
@choice_option(
    "--inference",
    choices=["none", "rdfs", "owlrl"],
    default="none",
    help="Entailment before validating (none: the ontology is merged, subclasses still count).",
)
@choice_option(
    "--format",
    "fmt",
    choices=["text", "json", "turtle"],
    default="text",
    help="turtle = the standard SHACL validation report.",
)
@choice_option(
    "--fail-on",
    choices=["violation", "warning", "info"],
    default="violation",
    help="The lowest severity that makes the exit code 1.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Text: above this many results, summarise per shape and show N of each (0: all).",
)
@choice_option(
    "--engine",
    choices=["auto", "fast", "pyshacl"],
    default="auto",
    help="SHACL engine (auto: the fast one, pySHACL where it is not supported).",
)
@choice_option(
    "--jobs",
    choices=["auto", "1", "2"],
    default="auto",
    help="Processes (Linux): 2 runs our own checks in a second process beside SHACL; auto: 2 "
    "where that process loads the new files itself (Turtle or N-Triples writing no blank node) "
    "or for new files under 32 MB, else 1.",
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
    jobs: str,
    root: str | None,
) -> None:
    """Validate FILES against the shapes, in the context of the graph in use.

    With no FILES, the graph itself. One line per result:
    FILE:LINE: SEVERITY: FOCUS NODE: PATH: MESSAGE, then the verdict ("conforms, with 2
    warnings", the words `spacekg check` uses). Exit 0 if it conforms at the --fail-on level, 1
    if not, 3 on bad input. For the whole quality gate (spans, coverage, consistency, check
    queries too), run `spacekg check`.

    \b
    Examples:
      spacekg validate data/new-article.ttl
      spacekg validate --fail-on warning --format json data/
    """
    from pathlib import Path

    from spacekg.validate.api import render_json, render_text, render_turtle, validate

    report = validate(
        [Path(f) for f in files],
        shapes=shapes,
        inference=inference,
        engine=engine,
        root=root_path(root),
        jobs=None if jobs == "auto" else int(jobs),
    )
    if fmt == "json":
        write_output(render_json(report, fail_on), None)
    elif fmt == "turtle":
        write_output(render_turtle(report), None)
    else:
        write_output(render_text(report, limit=limit, fail_on=fail_on), None)
    sys.exit(1 if report.fails(fail_on) else 0)


@click.group("source")
def source_group() -> None:
    """Add source texts (the articles the graph is built from)."""


@source_group.command("add")
@click.argument("text_file", type=click.Path(dir_okay=False, path_type=str, readable=False))
@click.option("--url", required=True, help="Where the source was published.")
@click.option("--author", "authors", multiple=True, required=True, help="An author (repeat).")
@click.option("--publisher", default=None, help="Who published it.")
@root_option
def source_add_cmd(
    text_file: str, url: str, authors: tuple[str, ...], publisher: str | None, root: str | None
) -> None:
    """Copy TEXT_FILE into seeds/ and write its source node into data/.

    Writes into the graph in use; the graph bundled with spacekg is read-only (make your own
    with `spacekg init DIR`).

    \b
    Example:
      spacekg source add note.txt --url https://example.org/a --author "Ada Example"
    """
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
        click.echo(f"wrote {shown_path(path)}", err=True)
    if not done.changed:
        click.echo(
            f"nothing to do: {shown_path(done.seed_path)} and {shown_path(done.data_path)} "
            "are up to date",
            err=True,
        )
    write_output(f"source node: <{done.source_iri}> (sha256 {done.sha256})\n", None)


@click.command("excerpt")
@click.argument("source")
@click.argument("quote")
@click.option("--occurrence", type=click.IntRange(min=1), default=None, help="Pick the Nth match.")
@root_option
def excerpt_cmd(source: str, quote: str, occurrence: int | None, root: str | None) -> None:
    """Print a Turtle evidence span for QUOTE in SOURCE (a seed file or source node).

    \b
    Examples:
      spacekg excerpt note.txt "the exact words" >> data/note-spans.ttl
      spacekg excerpt skgid:source-note "the agreement" --occurrence 2
    """
    from spacekg.curation.sources import excerpt

    found = excerpt(source, quote, occurrence=occurrence, root=root_path(root))
    write_output(found.turtle, None)


@click.command("support")
@click.argument("subject")
@click.argument("predicate")
@click.argument("object_", metavar="OBJECT")
@click.option("--span", "spans", multiple=True, required=True, help="A supporting span (repeat).")
@click.option("--read", "reason", default=None, help="Mark it read, for this reason (a sentence).")
def support_cmd(
    subject: str, predicate: str, object_: str, spans: tuple[str, ...], reason: str | None
) -> None:
    """Print the reification (rdf:Statement) of a triple with its spans, stated or read."""
    from spacekg.curation.support import support_turtle

    write_output(support_turtle(subject, predicate, object_, list(spans), reason).turtle, None)


@click.command("diff")
@click.argument("old", type=click.Path(path_type=str, readable=False))
@click.argument("new", type=click.Path(path_type=str, readable=False), required=False)
def diff_cmd(old: str, new: str | None) -> None:
    """Triples removed and added from OLD to NEW; exit 0 if the graphs are the same, 1 if not.

    OLD and NEW are RDF files or folders (every RDF file below a folder, merged); NEW defaults
    to the data/ folder of the graph in use. Blank nodes are compared as rdflib compares graphs,
    so relabelling or reordering is no change.

    \b
    Examples:
      spacekg diff /tmp/data-before     (a copy of data/ made before editing it)
      spacekg diff old.ttl new.ttl
    """
    from pathlib import Path

    from spacekg.curation.diff import diff_paths, render_diff
    from spacekg.project import data_dir

    result = diff_paths(Path(old), Path(new) if new is not None else data_dir())
    write_output(render_diff(result), None)
    sys.exit(1 if result.differ else 0)
