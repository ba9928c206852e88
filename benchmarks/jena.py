"""Apache Jena 4.5 from Debian (``libapache-jena-java``) as a baseline: its class path, built
the way ``/work/shared/JENA.md`` describes (the Jena jars by name, the package's declared
dependencies without version-suffixed duplicates, slf4j-simple, and the Xerces message bundles
copied to where the shaded classes look for them)."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

JAVA_DIR = Path("/usr/share/java")
JENA_JARS = [
    "jena-cmds",
    "jena-arq",
    "jena-shacl",
    "jena-core",
    "jena-base",
    "jena-iri",
    "jena-dboe-base",
    "jena-shex",
    "jena-tdb",
    "jena-tdb2",
    "jena-dboe-index",
    "jena-dboe-storage",
    "jena-dboe-trans-data",
    "jena-dboe-transaction",
    "jena-rdfconnection",
]


def _dependency_jars() -> list[str]:
    out = subprocess.run(
        ["apt-cache", "depends", "libapache-jena-java"], capture_output=True, text=True
    ).stdout
    jars: list[str] = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2 or parts[0] != "Depends:" or "slf4j" in parts[1]:
            continue
        files = subprocess.run(["dpkg", "-L", parts[1]], capture_output=True, text=True).stdout
        for f in files.splitlines():
            p = Path(f)
            if p.parent == JAVA_DIR and p.suffix == ".jar" and not _versioned(p.stem):
                jars.append(f)
    return jars


def _versioned(stem: str) -> bool:
    tail = stem.rsplit("-", 1)[-1]
    return bool(tail) and tail[0].isdigit() and all(c.isdigit() or c == "." for c in tail)


def _fix_bundles(fix: Path) -> None:
    if (fix / "xerces" / "impl" / "msg").is_dir():
        return
    if fix.exists():
        shutil.rmtree(fix)
    prefix = "org/apache/jena/ext/xerces/impl/"
    with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as z:
        for name in z.namelist():
            if not name.startswith(prefix) or name.endswith("/"):
                continue
            rest = name[len(prefix) :]
            if rest.startswith("msg/") or (
                rest.startswith("xpath/regex/") and rest.endswith(".properties")
            ):
                target = fix / "xerces" / "impl" / rest
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(z.read(name))


def classpath(work: Path) -> str | None:
    """The class path for Jena's command classes, or None when Jena or java is missing."""
    if not shutil.which("java") or not (JAVA_DIR / "jena-shacl.jar").is_file():
        return None
    fix = work / "jena-fix"
    _fix_bundles(fix)
    jars = [str(JAVA_DIR / f"{j}.jar") for j in JENA_JARS] + _dependency_jars()
    jars += [str(JAVA_DIR / "slf4j-api.jar"), str(JAVA_DIR / "slf4j-simple.jar")]
    return ":".join([str(fix), *jars])
