#!/usr/bin/env bash
# compare_logic_v2.sh — runs scripts/compare_logic_v2.py (Haven vs nomenklatura logic-v2,
# side by side on the shared name benchmarks) in a throwaway Python venv under /tmp with
# nomenklatura==4.17.4, the version the benchmark README quotes. Development tool; not run in CI.
#
# Usage (from anywhere; arguments are passed through to the Python script):
#   scripts/compare_logic_v2.sh                      # table; needs target/release/haven
#   scripts/compare_logic_v2.sh --json
#   scripts/compare_logic_v2.sh --no-haven           # logic-v2 only
#   scripts/compare_logic_v2.sh --haven-cmd "target/release/haven names compare"
# Environment:
#   PYTHON=python3.11        interpreter used to create the venv (default: python3)
#   KEEP_VENV=1              keep the venv and print its path instead of deleting it
#   NK_VENV=/tmp/dir         reuse an existing venv (created if missing, never deleted)
#
# followthemoney and rigour are pinned to the versions the figures in the report were
# measured with; nomenklatura 4.17.4 itself accepts newer ones, which may shift scores.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"

if [[ -n "${NK_VENV:-}" ]]; then
  venv="$NK_VENV"
else
  venv="$(mktemp -d /tmp/haven-nk-venv.XXXXXX)"
  if [[ -z "${KEEP_VENV:-}" ]]; then
    trap 'rm -rf "$venv"' EXIT
  fi
fi

if [[ ! -x "$venv/bin/python" ]]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  "nomenklatura==4.17.4" "followthemoney==4.11.2" "rigour==2.6.1" >&2

[[ -n "${KEEP_VENV:-}" && -z "${NK_VENV:-}" ]] && echo "venv kept at $venv" >&2

"$venv/bin/python" "$here/compare_logic_v2.py" "$@"
