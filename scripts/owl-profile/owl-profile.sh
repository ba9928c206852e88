#!/usr/bin/env bash
# Check OWL ontologies against the OWL 2 DL and OWL 2 RL profiles with the OWL API's own profile
# checkers (Debian: libowlapi-java, OWL API 5.1, and a JDK 11 or later).
#
#   scripts/owl-profile/owl-profile.sh FILE...
#
# Prints one line per violation, "FILE: PROFILE: ViolationType: description", then a summary per
# file and profile. Exit 0: no violation; 1: violations; 2: usage; 3: a file could not be loaded;
# 4: Java or the OWL API is not installed.
#
# Class path: owlapi-distribution.jar plus the jars of the package's declared dependencies, without
# the version-suffixed duplicates, without any logging binding (log4j and slf4j bindings, and
# jcl-over-slf4j, which loops with slf4j-jcl), then slf4j-api and slf4j-nop. Putting all of
# /usr/share/java on the class path makes the slf4j bridges call each other for ever.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ "$#" -eq 0 ]; then
  echo "usage: $0 FILE..." >&2
  exit 2
fi
if ! command -v java >/dev/null 2>&1; then
  echo "owl-profile: java not found (install default-jdk-headless)" >&2
  exit 4
fi
owlapi=/usr/share/java/owlapi-distribution.jar
if [ ! -f "$owlapi" ] || ! command -v dpkg >/dev/null 2>&1; then
  echo "owl-profile: $owlapi not found (install libowlapi-java)" >&2
  exit 4
fi
cp="$owlapi"
for pkg in $(apt-cache depends libowlapi-java 2>/dev/null | awk '/Depends:/{print $2}' | sort -u); do
  for jar in $(dpkg -L "$pkg" 2>/dev/null | grep -E '/usr/share/java/[^/]*\.jar$' \
                 | grep -v -E -- '-[0-9][0-9.]*\.jar$' \
                 | grep -v -E '/(slf4j|log4j|jcl-over-slf4j|jul-to-slf4j|maven3-slf4j)[^/]*\.jar$'); do
    cp="$cp:$jar"
  done
done
cp="$cp:/usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-nop.jar"
exec java -cp "$cp" "$here/OwlProfile.java" "$@"
