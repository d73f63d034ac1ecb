#!/usr/bin/env bash
# README's test command (`npm test`): install what the suites need where it can, build, run
# every suite with a JSON report in .test-report/vitest.json. Under CI=true nothing may skip.
set -uo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(prometheus prometheus-node-exporter prometheus-alertmanager)
BINARIES=(prometheus promtool prometheus-node-exporter prometheus-alertmanager)

missing=()
for b in "${BINARIES[@]}"; do command -v "$b" >/dev/null 2>&1 || missing+=("$b"); done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing Debian packages for the compatibility suites: ${PACKAGES[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null \
      || echo "test.sh: apt-get install failed"
  fi
  missing=()
  for b in "${BINARIES[@]}"; do command -v "$b" >/dev/null 2>&1 || missing+=("$b"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "test.sh: missing ${missing[*]} (Debian packages ${PACKAGES[*]}; install them as root)."
    echo "test.sh: the compatibility suites under test/compat will be SKIPPED for that reason."
    if [ "${CI:-}" = "true" ]; then
      echo "test.sh: CI=true forbids skipping; failing." >&2
      exit 1
    fi
  fi
fi

npm run build || exit $?
mkdir -p .test-report
npx vitest run --reporter=default --reporter=json --outputFile=.test-report/vitest.json
