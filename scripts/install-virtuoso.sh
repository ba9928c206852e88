#!/usr/bin/env bash
# Install Virtuoso Open Source from Debian's packages, for spacekg's server tests and for developers.
#
#   sudo scripts/install-virtuoso.sh        # then: scripts/start-virtuoso.sh start
#
# The Debian service is NOT started or enabled: scripts/start-virtuoso.sh runs a private instance
# bound to 127.0.0.1 only, in a directory of its own. Idempotent: does nothing when virtuoso-t is
# already installed.
set -euo pipefail

if command -v virtuoso-t >/dev/null 2>&1; then
  echo "install-virtuoso: $(command -v virtuoso-t) is already installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    exec sudo "$0" "$@"
  fi
  echo "install-virtuoso: run as root (apt-get needs it)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-virtuoso: apt-get not found; install Virtuoso Open Source 7 by other means" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# The package asks for a DBA password; the Debian instance is never started by us, our private
# instance (start-virtuoso.sh) creates its own database with its own password.
if command -v debconf-set-selections >/dev/null 2>&1; then
  printf '%s\n' \
    "virtuoso-opensource-7 virtuoso-opensource-7/dba-password password dba" \
    "virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password dba" \
    | debconf-set-selections || true
fi
# Keep the maintainer scripts from starting the system service (there may be no init system).
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
  created_policy=1
fi
cleanup() { if [ "$created_policy" = 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

apt-get update -q
apt-get install -y -q --no-install-recommends virtuoso-opensource
# In case a service was started anyway, stop it: it would listen on all interfaces.
if command -v service >/dev/null 2>&1; then
  service virtuoso-opensource-7 stop >/dev/null 2>&1 || true
fi
echo "install-virtuoso: installed $(command -v virtuoso-t)"
