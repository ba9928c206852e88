#!/usr/bin/env bash
# Print a Java class path that runs Apache Jena from Debian's libapache-jena-java.
#
#   java -cp "$(scripts/jena-classpath.sh DIR)" riotcmd.riot --validate data/actors.ttl
#
# DIR (created if missing) receives the Xerces message bundles that Debian's jena-core.jar keeps
# under the wrong package: without them JenaSystem.init() fails with "internal error" in
# XSSimpleTypeDecl. The class path takes the Jena jars by name and the jars of the package's
# declared dependencies (not all of /usr/share/java: log4j-over-slf4j and slf4j-log4j12 loop),
# with slf4j-simple as the logging binding (with slf4j-nop riot fails silently).
# Exits 1, with a message on stderr, when Jena is not installed.
set -euo pipefail
dir=${1:?usage: jena-classpath.sh DIR}
if [ ! -f /usr/share/java/jena-arq.jar ]; then
  echo "jena-classpath: Jena is not installed (apt-get install libapache-jena-java default-jdk-headless)" >&2
  exit 1
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [ ! -d "$dir/xerces/impl/msg" ]; then
  python3 - /usr/share/java/jena-core.jar "$dir" <<'PY'
import sys, zipfile
from pathlib import Path

jar, out = sys.argv[1], Path(sys.argv[2])
prefix = "org/apache/jena/ext/xerces/impl/"
with zipfile.ZipFile(jar) as z:
    for name in z.namelist():
        rest = name[len(prefix):] if name.startswith(prefix) else None
        wanted = rest is not None and (
            rest.startswith("msg/") or (rest.startswith("xpath/regex/") and rest.endswith(".properties"))
        )
        if wanted and not name.endswith("/"):
            target = out / "xerces" / "impl" / rest
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(z.read(name))
PY
fi
cp_list="$dir"
for j in jena-cmds jena-arq jena-shacl jena-core jena-base jena-iri jena-dboe-base jena-shex \
         jena-tdb jena-tdb2 jena-dboe-index jena-dboe-storage jena-dboe-trans-data \
         jena-dboe-transaction jena-rdfconnection; do
  cp_list="$cp_list:/usr/share/java/$j.jar"
done
# the declared dependencies, from dpkg's own records (no package lists needed)
deps=$(dpkg-query -W -f '${Depends}' libapache-jena-java | tr ',' '\n' | sed 's/(.*)//; s/|.*//; s/ //g')
for p in $(printf '%s\n' "$deps" | grep -v slf4j); do
  for f in $(dpkg -L "$p" 2>/dev/null | grep -E '/usr/share/java/[^/]*\.jar$' | grep -v -- '-[0-9][0-9.]*\.jar$'); do
    cp_list="$cp_list:$f"
  done
done
echo "$cp_list:/usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-simple.jar"
