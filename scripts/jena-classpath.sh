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
  tmp=$(mktemp -d "$dir/.unzip.XXXXXX")
  (cd "$tmp" && unzip -o -q /usr/share/java/jena-core.jar 'org/apache/jena/ext/xerces/impl/msg/*' \
    'org/apache/jena/ext/xerces/impl/xpath/regex/*.properties')
  mkdir -p "$tmp/xerces/impl/xpath"
  cp -r "$tmp/org/apache/jena/ext/xerces/impl/msg" "$tmp/xerces/impl/"
  cp -r "$tmp/org/apache/jena/ext/xerces/impl/xpath/regex" "$tmp/xerces/impl/xpath/"
  rm -rf "$tmp/org"
  mkdir -p "$dir/xerces"
  cp -r "$tmp/xerces/." "$dir/xerces/"
  rm -rf "$tmp"
fi
cp_list="$dir"
for j in jena-cmds jena-arq jena-shacl jena-core jena-base jena-iri jena-dboe-base jena-shex \
         jena-tdb jena-tdb2 jena-dboe-index jena-dboe-storage jena-dboe-trans-data \
         jena-dboe-transaction jena-rdfconnection; do
  cp_list="$cp_list:/usr/share/java/$j.jar"
done
for p in $(apt-cache depends libapache-jena-java 2>/dev/null | awk '/Depends:/{print $2}' | grep -v slf4j); do
  for f in $(dpkg -L "$p" 2>/dev/null | grep -E '/usr/share/java/[^/]*\.jar$' | grep -v -- '-[0-9][0-9.]*\.jar$'); do
    cp_list="$cp_list:$f"
  done
done
echo "$cp_list:/usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-simple.jar"
