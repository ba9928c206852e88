"""Options and output helpers shared by the commands."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from pathlib import Path

#: when the command line started (imported first by spacekg.cli.app): `load` reports wall time
STARTED = time.perf_counter()


def wall_seconds() -> float:
    """Seconds since this process started (Linux: from /proc, so Python's own start-up counts)."""
    import os

    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        return max(0.0, uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - STARTED


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
    """A command's own --root: the same as the global `spacekg --root DIR`."""
    return click.option(
        "--root",
        type=click.Path(file_okay=False, path_type=str),
        default=None,
        callback=_root_alias,
        metavar="DIR",
        help="Same as `spacekg --root DIR COMMAND`: the graph to act on.",
    )(f)


def use_root(ctx: click.Context, root: str | None) -> None:
    """Resolve the workspace once and make every library call of this command act on it."""
    from spacekg.project import resolve_workspace, use_workspace

    ctx.with_resource(use_workspace(resolve_workspace(root)))


def _root_alias(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from pathlib import Path

    top = ctx.find_root().obj or {}
    given = top.get("root")
    if given is not None and Path(given).absolute() != Path(value).absolute():
        raise click.UsageError(f"--root is given twice ({given} and {value}): give it once")
    if given is None:
        use_root(ctx, value)
    return value


def root_path(root: str | None) -> Path | None:
    """The --root option as a Path (None: the bundled graph's folder)."""
    from pathlib import Path

    return Path(root) if root else None


def shown_path(path: Path) -> str:
    """``path`` relative to the current folder when it is below it, else as it is."""
    import os
    from pathlib import Path

    try:
        return str(Path(path).absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
    except OSError:
        return os.fspath(path)


def choice_option(
    *decls: str, choices: list[str] | tuple[str, ...], default: str, help: str
) -> Any:
    """``--name`` with one of ``choices``, its default shown in ``--help``."""
    return click.option(
        *decls, type=click.Choice(list(choices)), default=default, show_default=True, help=help
    )
