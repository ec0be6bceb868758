#!/usr/bin/env bash
# The demo: a+b mod 97 (r = 0.3) with the fast recipe groks in a few hundred steps; then its
# report (report.html, with a slider over the saved weights) and the commands to try next.
set -euo pipefail
cli=(node packages/cli/dist/main.js)
out="runs/demo-add-p97-$(date +%Y%m%d-%H%M%S)"
start=$SECONDS
"${cli[@]}" train --op add --p 97 --frac 0.3 --seed 0 --recipe fast --steps 1000 --stop-after-grok 200 \
  --eval-every 20 --measure-every 100 --save-every 100 --out "$out"
report=$("${cli[@]}" report "$out")
echo
"${cli[@]}" analyze "$out" | head -n 6
cat <<NEXT

run folder: $out
report:     $report   (open it in a browser: curves, spectra, logits map, and a slider over the saved steps)
took $((SECONDS - start)) s

next:
  # the Fourier analysis of the final weights: key frequencies, restricted loss, neurons
  pnpm grokscope analyze $out
  # the same for the weights saved at step 100 (the saved steps: ls $out/history)
  pnpm grokscope analyze $out --step 100
  # redraw the curves (curves.svg)
  pnpm grokscope plot $out
  # a TransformerLens checkpoint (model.safetensors + config.json) for Python
  pnpm grokscope export $out --out $out/tl
  # train in the browser, with live curves: http://127.0.0.1:8023/
  pnpm web
NEXT
