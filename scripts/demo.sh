#!/usr/bin/env bash
# The default demo: a+b mod 31 groks in a few minutes on a laptop CPU; then its Fourier analysis.
set -euo pipefail
out="runs/demo-add-p31-$(date +%Y%m%d-%H%M%S)"
node packages/cli/dist/main.js train --op add --p 31 --frac 0.5 --seed 0 --stop-after-grok 500 --out "$out"
node packages/cli/dist/main.js analyze "$out" | head -n 6
echo "run folder: $out"
