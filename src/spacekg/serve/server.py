"""Start the server: the graph, the query workers, the socket, then uvicorn until Ctrl-C."""

from __future__ import annotations

import contextlib
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass

from spacekg.errors import InputError, StoreError
from spacekg.netguard import listening

DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True)
class Listening:
    """Where the server listens, said once it does."""

    host: str
    port: int
    workers: int
    timeout: float

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("spacekg")
    except PackageNotFoundError:
        return "0+unknown"


def _require_extra() -> None:
    missing = []
    for module in ("starlette", "uvicorn", "jinja2"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise InputError(
            f"spacekg serve needs {', '.join(missing)} (install them with: "
            "pip install 'spacekg[serve]')"
        )


def _bind(host: str, port: int) -> socket.socket:
    try:
        with listening():  # a lookup of the address we bind, not a fetch
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as err:
        raise InputError(
            f"--host {host}: not an address this machine has ({err.strerror})"
        ) from None
    family, _type, proto, _name, address = infos[0]
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted connections only for sockets
    # that say they are TCP; without it, responses on kept-alive connections wait ~40 ms for
    # the peer's delayed ACK (Nagle)
    sock = socket.socket(family, socket.SOCK_STREAM, proto or socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as err:
        sock.close()
        raise StoreError(
            f"cannot listen on {host}:{port}: {err.strerror or err} (choose another --port)"
        ) from None
    sock.set_inheritable(True)
    return sock


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    workers: int = 2,
    allow_network: bool = False,
    on_listen: Callable[[Listening], None] | None = None,
) -> None:
    """Serve the workspace's graph (see :mod:`spacekg.project`) until interrupted.

    Ctrl-C (SIGINT) or SIGTERM stop it cleanly: open requests finish, the workers are stopped,
    the socket is closed; then the signal is raised again (so Ctrl-C ends as KeyboardInterrupt).
    """
    _require_extra()
    if timeout <= 0:
        raise InputError("--timeout must be a positive number of seconds")
    import uvicorn

    from spacekg.project import current_workspace
    from spacekg.query.engine import materialised_nquads
    from spacekg.serve.app import Settings, create_app
    from spacekg.serve.pool import QueryPool

    sock = _bind(host, port)  # first: a busy port is said before any work
    pool = None
    try:
        nquads = materialised_nquads()
        pool = QueryPool(nquads, size=workers, timeout=timeout, workspace=current_workspace())
        pool.start()
        app = create_app(pool, Settings(timeout, allow_network, _version()))
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=max(5, int(timeout) + 1),
            lifespan="off",
        )
        server = uvicorn.Server(config)
        bound = sock.getsockname()
        if on_listen is not None:
            on_listen(Listening(host, int(bound[1]), pool.size, timeout))
        sys.stderr.flush()
        server.run(sockets=[sock])
    finally:
        if pool is not None:
            pool.close()
        with contextlib.suppress(OSError):
            sock.close()
