"""`spacekg serve`."""

from __future__ import annotations

import click

from spacekg.cli.options import root_option


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--timeout",
    type=float,
    default=None,
    metavar="SECONDS",
    help="Stop a query running longer than this [default: $SPACEKG_TIMEOUT, else 30].",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Query worker processes (each holds a copy of the graph).",
)
@click.option("--allow-network", is_flag=True, help="Let SERVICE clauses reach the network.")
@root_option
def serve_cmd(
    host: str,
    port: int,
    timeout: float | None,
    workers: int,
    allow_network: bool,
    root: str | None,
) -> None:
    """Serve the graph: SPARQL endpoint, stored-query API and pages (read-only)."""
    import os

    from spacekg.errors import InputError
    from spacekg.serve.server import DEFAULT_TIMEOUT, Listening, serve

    if timeout is None:
        try:
            timeout = float(os.environ.get("SPACEKG_TIMEOUT", DEFAULT_TIMEOUT))
        except ValueError:
            raise InputError("SPACEKG_TIMEOUT must be a number of seconds") from None

    def said(where: Listening) -> None:
        click.echo(
            f"spacekg: serving the graph at {where.url} ({where.workers} query workers, "
            f"timeout {where.timeout:g} s; Ctrl-C to stop)",
            err=True,
        )

    serve(host, port, timeout=timeout, workers=workers, allow_network=allow_network, on_listen=said)
