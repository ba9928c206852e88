"""The one network rule: while a command runs, nothing reaches the network unless asked.

The rule is enforced in one place for every engine, parser and library, rdflib's SPARQL
``FROM``/``FROM NAMED``/``SERVICE``/``LOAD``, ``owl:imports``, JSON-LD contexts and XML entities
included: a :func:`sys.addaudithook` hook sees every DNS lookup, socket connection and
``urllib`` request of the process and refuses it (:class:`NetworkRefused`, exit 3) unless the
user asked for it: ``--allow-network`` (:func:`allowing`), or the ``--endpoint`` they named
(:func:`permit`). Local Unix sockets are not the network. Outside a command and outside
:func:`spacekg.query.engine.run_query` (library use) the hook is disarmed and does nothing.

The earlier refusals with a precise message (``SERVICE`` in a query, a JSON-LD remote context, an
external entity) stay where they are; this hook is the rule that nothing gets past.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator
from typing import Any

from spacekg.errors import InputError


class NetworkRefused(InputError):
    """A network access nobody asked for. Exit 3."""


_state: dict[str, Any] = {"installed": False, "armed": 0, "allow": 0}
_hosts: set[str] = set()
_local = threading.local()


def _refuse(what: str) -> None:
    raise NetworkRefused(
        f"refused to reach the network ({what}): spacekg fetches nothing unless asked "
        "(pass --allow-network where the command offers it, or --endpoint URL)"
    )


def _host_allowed(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    return isinstance(host, str) and host.strip("[]").lower() in _hosts


def _address_allowed(address: Any) -> bool:
    if not isinstance(address, tuple) or not address:
        return True  # AF_UNIX and friends: a path, not the network
    if _host_allowed(address[0]):
        return True
    if getattr(_local, "resolving", False):
        return False
    _local.resolving = True
    import socket  # imported here: a command that opens no socket never loads it

    try:  # a permitted host name that resolves to this address
        for host in list(_hosts):
            with contextlib.suppress(OSError, UnicodeError):
                if address[0] in {info[4][0] for info in socket.getaddrinfo(host, None)}:
                    return True
    finally:
        _local.resolving = False
    return False


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if not _state["armed"] or _state["allow"] or getattr(_local, "resolving", False):
        return
    if event == "socket.getaddrinfo" and getattr(_local, "listening", False):
        return  # the address a server of ours binds to: nothing is fetched
    if event == "socket.connect":
        import socket  # loaded already: the event comes from a socket

        sock, address = args
        if getattr(sock, "family", None) != socket.AF_UNIX and not _address_allowed(address):
            _refuse(f"a connection to {address!r}")
    elif event == "socket.getaddrinfo":
        host = args[0]
        if host not in (None, "", b"") and not _host_allowed(host):
            _refuse(f"a name lookup of {host!r}")
    elif event == "urllib.Request":
        import urllib.parse  # loaded already: urllib.request imports it

        url = str(args[0])
        parts = urllib.parse.urlsplit(url) if "://" in url else None
        if parts is not None and parts.scheme != "file" and not _host_allowed(parts.hostname):
            _refuse(url)


def install() -> None:
    """Add the audit hook to the process (once; hooks cannot be removed, only disarmed)."""
    if not _state["installed"]:
        sys.addaudithook(_hook)
        _state["installed"] = True


@contextlib.contextmanager
def armed() -> Iterator[None]:
    """Enforce the rule inside the block (a CLI command)."""
    install()
    _state["armed"] += 1
    try:
        yield
    finally:
        _state["armed"] -= 1


@contextlib.contextmanager
def allowing(allow: bool = True) -> Iterator[None]:
    """Lift the rule inside the block when ``allow`` (``--allow-network``)."""
    _state["allow"] += int(allow)
    try:
        yield
    finally:
        _state["allow"] -= int(allow)


@contextlib.contextmanager
def listening() -> Iterator[None]:
    """Let this thread look up the address it is about to bind a listening socket to
    (``spacekg serve``); connections and other lookups stay refused."""
    _local.listening = True
    try:
        yield
    finally:
        _local.listening = False


def permit(url: str) -> None:
    """Let the command reach the host of ``url`` (the ``--endpoint`` the user named)."""
    import urllib.parse

    with contextlib.suppress(ValueError):
        host = urllib.parse.urlsplit(url).hostname
        if host:
            _hosts.add(host.lower())


def forget_permits() -> None:
    """Forget every host :func:`permit` let in (a permit lasts for the process: one command, or
    a library user's backend)."""
    _hosts.clear()


def network_allowed() -> bool:
    """Whether the user asked for the network (``--allow-network``) in the running block."""
    return bool(_state["allow"])
