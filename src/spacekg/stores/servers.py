"""Which SPARQL server spacekg talks to: the presets (Oxigraph, Virtuoso, Fuseki, GraphDB…),
an endpoint's URLs, and its credentials (from ``SPACEKG_USER``/``SPACEKG_PASSWORD`` or
``~/.netrc``, never from the command line or the URL)."""

from __future__ import annotations

import netrc
import os
import urllib.parse
from dataclasses import dataclass, field, replace
from pathlib import Path

from spacekg.errors import InputError

USER_ENV = "SPACEKG_USER"
PASSWORD_ENV = "SPACEKG_PASSWORD"
TIMEOUT_ENV = "SPACEKG_TIMEOUT"
SERVER_ENV = "SPACEKG_SERVER"  # the server preset for `spacekg query run --endpoint`


@dataclass(frozen=True)
class Server:
    """Where a server keeps its protocol endpoints, relative to the ``--endpoint`` base URL."""

    name: str
    gsp_path: str | None  # None: no Graph Store Protocol, use SPARQL Update
    query_path: str
    update_path: str
    graph_param: str = "graph"
    query_params: tuple[tuple[str, str], ...] = ()  # e.g. Oxigraph's union default graph
    bulk_param: str | None = None  # Oxigraph's non-transactional bulk load switch
    atomic_put: bool = True  # a GSP PUT replaces the graph in one transaction
    digest_auth: bool = False  # never send Basic credentials unasked
    max_chunk: int | None = None  # INSERT DATA size limit (Virtuoso compiles updates to SQL)


SERVERS: dict[str, Server] = {
    # oxigraph serve: http://host:7878
    "oxigraph": Server(
        "oxigraph",
        "/store",
        "/query",
        "/update",
        query_params=(("union-default-graph", ""),),
        bulk_param="no_transaction",
    ),
    # Fuseki: the dataset URL, http://host:3030/ds
    "fuseki": Server("fuseki", "/data", "/query", "/update"),
    # GraphDB: the repository URL, http://host:7200/repositories/ID
    "graphdb": Server("graphdb", "/rdf-graphs/service", "", "/statements"),
    # Virtuoso: http://host:8890 (write endpoints need an account with SPARQL_UPDATE)
    "virtuoso": Server(
        "virtuoso",
        "/sparql-graph-crud-auth",
        "/sparql",
        "/sparql-auth",
        graph_param="graph-uri",
        atomic_put=False,
        digest_auth=True,
        max_chunk=1000,
    ),
    # Amazon Neptune: https://cluster:8182 (no Graph Store Protocol)
    "neptune": Server("neptune", None, "/sparql", "/sparql", atomic_put=False),
}


@dataclass(frozen=True)
class Endpoint:
    """A server: base URL, layout, and where its credentials come from (never the values)."""

    base: str
    server: Server
    timeout: float = 600.0
    auth_source: str = ""  # "env", "netrc" or "" (no credentials)
    _user: str | None = field(default=None, repr=False)
    _password: str | None = field(default=None, repr=False)

    def url(self, path: str, params: dict[str, str] | None = None) -> str:
        query = ""
        if params:
            query = "?" + "&".join(
                urllib.parse.quote(k, safe="") + ("=" + urllib.parse.quote(v, safe="") if v else "")
                for k, v in params.items()
            )
        return self.base + path + query

    def scrub(self, text: str) -> str:
        """``text`` without the password in any of its encodings (:mod:`spacekg.stores.scrub`)."""
        from spacekg.stores.scrub import scrub

        return scrub(text, self._user, self._password)


def endpoint(
    url: str,
    *,
    server: str = "oxigraph",
    gsp_path: str | None = None,
    protocol: str = "auto",
    timeout: float | None = None,
) -> Endpoint:
    """Check ``url`` and build an :class:`Endpoint` with credentials from env or ``~/.netrc``.

    ``protocol``: ``gsp`` (Graph Store Protocol), ``update`` (SPARQL Update only) or ``auto``
    (the server preset decides).
    """
    if server not in SERVERS:
        raise InputError(f"unknown server {server!r} (use one of: {', '.join(SERVERS)})")
    try:
        parts = urllib.parse.urlsplit(url)
        _ = parts.port  # a port that is not a number raises here
    except ValueError as err:
        raise InputError(f"--endpoint {url!r} is not a valid URL: {err}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError("--endpoint must be an http(s) URL such as http://127.0.0.1:7878")
    if parts.username is not None or parts.password is not None:
        raise InputError(
            f"--endpoint must not hold credentials; set {USER_ENV} and {PASSWORD_ENV} "
            "or use ~/.netrc"
        )
    if parts.query or parts.fragment:
        raise InputError("--endpoint is the server's base URL, without ?query or #fragment")
    layout = SERVERS[server]
    if gsp_path is not None:
        layout = replace(layout, gsp_path="/" + gsp_path.lstrip("/"))
    if protocol == "update":
        layout = replace(layout, gsp_path=None)
    elif protocol == "gsp" and layout.gsp_path is None:
        raise InputError(f"server {server} has no Graph Store Protocol; use --protocol update")
    elif protocol not in ("auto", "gsp", "update"):
        raise InputError(f"unknown protocol {protocol!r} (use auto, gsp or update)")
    if timeout is None:
        from spacekg.query.limits import timeout_from_env

        timeout = timeout_from_env()
    from spacekg.netguard import permit

    permit(url)  # the user named this server: the network rule lets the command reach it
    user, password, source = _credentials(parts.hostname)
    base = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
    return Endpoint(base, layout, timeout, source, user, password)


def _credentials(host: str) -> tuple[str | None, str | None, str]:
    user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
    if user is not None or password is not None:
        return user or "", password or "", "env"
    path = Path(os.environ.get("NETRC", Path.home() / ".netrc"))
    if path.is_file():
        try:
            entry = netrc.netrc(str(path)).authenticators(host)
        except (netrc.NetrcParseError, OSError) as err:
            raise InputError(f"{path}: cannot read: {getattr(err, 'msg', err)}") from None
        if entry:
            return entry[0], entry[2] or "", "netrc"
    return None, None, ""
