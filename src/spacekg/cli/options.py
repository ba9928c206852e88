"""Options and output helpers shared by the commands."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from pathlib import Path


def parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
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


def backend_for(store: str | None, endpoint: str | None) -> Any:
    """The backend of --store/--endpoint (None: the in-memory default)."""
    if store and endpoint:
        raise click.UsageError("give --store or --endpoint, not both")
    if not store and not endpoint:
        return None
    from spacekg.stores import open_backend  # imported lazily: only these options need it

    return open_backend(f"store:{store}" if store else f"sparql:{endpoint}")


def write_output(data: str | bytes, output: str | None) -> None:
    """Results to ``-o FILE`` (the output rule of :func:`spacekg.rdfio.write_atomic`) or stdout;
    every output error is exit 3."""
    from spacekg.rdfio import write_atomic, write_stream

    raw = data.encode("utf-8") if isinstance(data, str) else data
    if output and output != "-":
        write_atomic(output, raw)
        return
    try:
        write_stream(sys.stdout.buffer, raw)
    except BrokenPipeError:  # `spacekg ... | head`: the reader has gone, that is fine
        silence_stdout()
    except Exception:
        silence_stdout()
        raise


def silence_stdout() -> None:
    """Point stdout at /dev/null so that the final flush at exit cannot fail again."""
    import contextlib
    import os

    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def join_lines(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def output_option(f: Any) -> Any:
    return click.option(
        "-o",
        "--output",
        default=None,
        type=click.Path(dir_okay=False, path_type=str),
        help="Write to FILE (atomically) instead of stdout.",
    )(f)


def root_option(f: Any) -> Any:
    return click.option(
        "--root",
        type=click.Path(file_okay=False, path_type=str),
        default=None,
        help="The checkout to work in (default: the bundled graph's folder).",
    )(f)


def root_path(root: str | None) -> Path | None:
    """The --root option as a Path (None: the bundled graph's folder)."""
    from pathlib import Path

    return Path(root) if root else None
