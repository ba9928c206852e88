#!/usr/bin/env bash
# Install Apache Jena (ARQ, TDB2, riot) and a JDK from Debian's packages: the independent SPARQL
# engines of spacekg's conformance suite (tests/test_conformance.py).
#
#   sudo scripts/install-jena.sh        # then: java -cp "$(scripts/jena-classpath.sh DIR)" ...
#
# Idempotent: does nothing when Jena and java are already installed.
set -euo pipefail

if [ -f /usr/share/java/jena-arq.jar ] && command -v java >/dev/null 2>&1; then
  echo "install-jena: Jena $(dpkg-query -W -f '${Version}' libapache-jena-java 2>/dev/null) is already installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    exec sudo "$0" "$@"
  fi
  echo "install-jena: run as root (apt-get needs it)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-jena: apt-get not found; install Apache Jena 4 and a JDK by other means" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends libapache-jena-java default-jdk-headless
echo "install-jena: installed Jena $(dpkg-query -W -f '${Version}' libapache-jena-java)"
