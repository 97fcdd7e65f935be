#!/usr/bin/env bash
# Regenerates every microkernel under src/*/gen/ from its template and table.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 tools/generate_kernels.py "$@"
