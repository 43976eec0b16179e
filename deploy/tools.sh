#!/usr/bin/env bash
# Fetch promtool (Prometheus' checker) from Debian's prometheus package into .run/tools,
# without installing the Prometheus server: `apt-get download` + `dpkg -x`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS=$ROOT/.run/tools
[ -x "$TOOLS/usr/bin/promtool" ] && exit 0
command -v apt-get >/dev/null || { echo "promtool: needs Debian's apt-get (or put promtool in .run/tools/usr/bin)"; exit 1; }
mkdir -p "$TOOLS" && cd "$TOOLS"
echo "==> promtool from Debian's prometheus package"
apt-get download prometheus >/dev/null 2>&1 || { apt-get update -qq && apt-get download prometheus >/dev/null; }
dpkg -x prometheus_*.deb "$TOOLS" && rm -f prometheus_*.deb
rm -f "$TOOLS/usr/bin/prometheus"   # only the checker is needed
"$TOOLS/usr/bin/promtool" --version | head -1
