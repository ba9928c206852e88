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
    """The whole graph for triple stores, same bytes on every run."""
    from spacekg.export import export

    result = export(fmt, inferred=inferred)
    write_output(result.data, output)
    if output:
        click.echo(f"wrote {output}: {result.summary}", err=True)


@click.command("reason")
@click.option("--profile", type=click.Choice(["rdfs", "owlrl"]), default="owlrl", show_default=True)
@click.option(
    "-f",
    "--format",
    "fmt",
    default="turtle",
    show_default=True,
    type=click.Choice(["turtle", "ntriples"]),
)
@output_option
def reason_cmd(profile: str, fmt: str, output: str | None) -> None:
    """The inferred triples only (no asserted ones, no axiomatic noise)."""
    from spacekg.export import reason_text

    data, count = reason_text(profile, fmt)
    write_output(data, output)
    click.echo(f"{count} inferred triples ({profile})", err=True)


@click.command("describe")
@click.argument("term")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def describe_cmd(term: str, fmt: str) -> None:
    """What the graph says about TERM (a prefixed name, an IRI or a label), with the words."""
    from spacekg.describe import describe, render_description

    write_output(render_description(describe(term), fmt), None)


@click.command("check")
def check_cmd() -> None:
    """The quality gate: parse, spans, coverage, consistency, shapes, check queries."""
    from spacekg.errors import EXIT_FAILED
    from spacekg.qc import run_checks

    report = run_checks(progress=lambda line: write_output(line + "\n", None))
    if not report.ok:
        failed = sum(1 for c in report.checks if not c.ok)
        click.echo(f"spacekg: {failed} of {len(report.checks)} checks failed", err=True)
        sys.exit(EXIT_FAILED)
    click.echo(f"all {len(report.checks)} checks passed", err=True)
