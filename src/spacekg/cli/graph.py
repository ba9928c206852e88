"""`spacekg export`, `reason`, `describe` and `check`."""

from __future__ import annotations

import sys

import click

from spacekg.cli.options import output_option, write_output


@click.command("export")
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
@output_option
def export_cmd(fmt: str, inferred: bool, output: str | None) -> None:
    """The whole graph for triple stores, same bytes on every run.

    One named graph per source file (ontology, data/NAME.ttl) in trig, nquads and jsonld; turtle
    and ntriples merge them into one graph. --inferred adds the OWL RL entailments as the named
    graph https://w3id.org/spacekg/graph/inferred.

    \b
    Examples:
      spacekg export -o graph.trig
      spacekg export --format nquads --inferred > graph.nq
    """
    from spacekg.dataset.export import export

    result = export(fmt, inferred=inferred)
    write_output(result.data, output)
    if output:
        click.echo(f"wrote {output}: {result.summary}", err=True)


@click.command("reason")
@click.option(
    "--profile",
    type=click.Choice(["rdfs", "owlrl"]),
    default="owlrl",
    show_default=True,
    help="rdfs: subclass, subproperty, domain and range entailments only; owlrl: the OWL 2 RL "
    "rules too (inverse, symmetric and transitive properties, equivalences, property chains).",
)
@click.option(
    "--engine",
    type=click.Choice(["reasonable", "owlrl"]),
    default="reasonable",
    show_default=True,
    help="OWL RL engine: reasonable (fast) or owlrl (the reference); same filtered result.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    default="turtle",
    show_default=True,
    type=click.Choice(["turtle", "ntriples"]),
)
@output_option
def reason_cmd(profile: str, engine: str, fmt: str, output: str | None) -> None:
    """The triples the ontology entails from the graph, and only those.

    No asserted triple and none of the reasoner's axioms about RDF, RDFS and OWL themselves;
    sorted, so the same graph gives the same bytes. The count goes to stderr.

    \b
    Examples:
      spacekg reason | head
      spacekg reason --profile rdfs --format ntriples -o inferred.nt
      spacekg reason --engine owlrl -o reference.ttl
    """
    from spacekg.dataset.export import reason_text

    data, count = reason_text(profile, fmt, engine)
    write_output(data, output)
    how = f"profile {profile}, engine {engine}" if profile == "owlrl" else f"profile {profile}"
    click.echo(f"{count} inferred triples ({how})", err=True)


@click.command("describe")
@click.argument("term")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def describe_cmd(term: str, fmt: str) -> None:
    """What the graph says about TERM, each fact with the article's words that support it.

    TERM is a prefixed name (skgid:japan, skg:Exercise), a full IRI, or a label (case does not
    matter; a label several nodes share is refused with the list of them). Shown: types, the
    node's own evidence (the quoted words), its facts out and in (entailed ones marked), each with
    the words that support it, and the reported statements and authors' claims about it.

    \b
    Examples:
      spacekg describe skgid:exercise-space-thunder
      spacekg describe "Space Thunder exercise"
      spacekg describe skg:Exercise --format json
    """
    from spacekg.describe import describe, render_description

    write_output(render_description(describe(term), fmt), None)


@click.command("check")
def check_cmd() -> None:
    """The quality gate CI runs on the graph: exit 0 if every check passes, 1 if one fails.

    Checks: every RDF file and stored or check query parses; every evidence span matches its seed
    text; every sentence of every seed is covered by a span; the OWL RL closure is consistent;
    the data conforms to the shapes (the verdict `spacekg validate` gives, warnings allowed);
    every query in queries/checks/ returns no rows; the stored queries use only portable idioms
    (`spacekg query lint`). One line per check, the details of a failing one indented below it.

    \b
    Examples:
      spacekg check
      spacekg --root kg check
    """
    from spacekg.errors import EXIT_FAILED
    from spacekg.qc import run_checks

    report = run_checks(progress=lambda line: write_output(line + "\n", None))
    if not report.ok:
        failed = sum(1 for c in report.checks if not c.ok)
        click.echo(f"spacekg: {failed} of {len(report.checks)} checks failed", err=True)
        sys.exit(EXIT_FAILED)
    click.echo(f"all {len(report.checks)} checks passed", err=True)
