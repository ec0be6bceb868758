#!/usr/bin/env bash
# The demo: grokking you can see. a+b mod 31 (r = 0.5) with the paper's AdamW at lr 3e-3: the model
# memorises its training pairs (train accuracy 1.0) within a few dozen steps, sits on that plateau for
# hundreds of steps with test accuracy far below, then groks (test accuracy ≥ 0.99). Then its report
# (report.html, with a slider over the saved weights), the start of its Fourier analysis, and the
# commands to try next.
set -euo pipefail
cli=(node packages/cli/dist/main.js)
task=(--op add --p 31 --frac 0.5 --seed 0)
out="runs/demo-add-p31-$(date +%Y%m%d-%H%M%S)"
start=$SECONDS
stage() { printf '\n== %s\n' "$*"; }

stage "1/3 training a+b mod 31 on half of the pairs (AdamW, lr 3e-3, weight decay 1): about 1000 steps;" \
  "the lines below show the step, the accuracies and the time left"
"${cli[@]}" train "${task[@]}" --lr 3e-3 --steps 3000 --stop-after-grok 200 \
  --eval-every 20 --measure-every 100 --save-every 200 --out "$out"
# The plateau: from the first evaluation with every training pair right to the grok step.
node -e '
const fs = require("fs")
const dir = process.argv[1]
const records = fs.readFileSync(`${dir}/metrics.jsonl`, "utf8").trim().split("\n").map((l) => JSON.parse(l))
const memorised = records.find((r) => r.train_acc >= 1)?.step
const grok = JSON.parse(fs.readFileSync(`${dir}/summary.json`, "utf8")).grok_step
if (memorised !== undefined && grok !== null)
  console.log(`memorised (train acc 1.0) at step ${memorised}; grokked (test acc ≥ 0.99) at step ${grok}: a plateau of ${grok - memorised} steps`)
' "$out"

stage "2/3 the report: the analysis of the final weights and of every saved step"
report=$("${cli[@]}" report "$out")
echo "$report"

stage "3/3 the Fourier analysis of the final weights (the start of grokscope analyze)"
"${cli[@]}" analyze "$out" | head -n 6
cat <<NEXT

run folder: $out
report:     $report   (open it in a browser: the curves with the plateau, spectra, logits map, and a slider over the saved steps)
took $((SECONDS - start)) s

next:
  # the Fourier analysis of the final weights: key frequencies, restricted loss, neurons
  pnpm grokscope analyze $out
  # the same for the weights saved at step 200, on the plateau (the saved steps: ls $out/history)
  pnpm grokscope analyze $out --step 200
  # for speed: the fast recipe (AdamW, lr 2e-2, weight decay 2) groks a+b mod 97 in about 120 steps, with no plateau to see
  pnpm grokscope train --op add --p 97 --frac 0.3 --recipe fast --stop-after-grok 200
  # a TransformerLens checkpoint (model.safetensors + config.json) for Python
  pnpm grokscope export $out --out $out/tl
  # train in the browser, with live curves: http://127.0.0.1:8023/
  pnpm web
NEXT
