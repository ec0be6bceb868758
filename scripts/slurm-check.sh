#!/usr/bin/env bash
# A real Slurm check of `grokscope sweep`: starts a one-node Slurm cluster (Debian's slurm-wlm and
# munge, as root; its own config, ports, munge socket and state under a temporary folder, so a
# cluster already on the machine is not touched), submits a small sweep as `sbatch --array=0-2`,
# runs the same sweep locally with --jobs 2, and checks that every run is the same: summary
# (grokked, grok step, steps), every metrics line (losses, accuracies, FFD/FCR; wall times aside)
# and the final weights byte for byte. It stops exactly the daemons it started, by pid, even on failure.
# Usage: scripts/slurm-check.sh   (after `pnpm install`, which builds the CLI)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MAIN="$ROOT/packages/cli/dist/main.js"
[ -f "$MAIN" ] || { echo "slurm-check: $MAIN is missing (run pnpm install or pnpm build first)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "slurm-check: needs root (it starts munged, slurmctld and slurmd)" >&2; exit 1; }
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  apt-get update && apt-get install -y slurm-wlm munge
fi

WORK=$(mktemp -d /tmp/grokscope-slurm.XXXXXX)
PIDS=()
JOB=""
cleanup() {
  status=$?
  trap - EXIT INT TERM
  if [ -n "$JOB" ]; then
    scancel "$JOB" 2>/dev/null || true
    for _ in $(seq 20); do [ -z "$(squeue -h -j "$JOB" 2>/dev/null)" ] && break; sleep 0.5; done
  fi
  # The daemons this script started, newest first; those still alive after 10 s are killed.
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill "${PIDS[i]}" 2>/dev/null || true; done
  for _ in $(seq 20); do
    alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [ "$status" != 0 ]; then
    echo "slurm-check: FAILED; logs in $WORK" >&2
    tail -n 20 "$WORK"/*.log "$WORK"/out-*.txt 2>/dev/null >&2 || true
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 143' INT TERM

H=$(hostname -s)
mkdir -p "$WORK/ctld" "$WORK/slurmd"
dd if=/dev/urandom bs=1 count=1024 of="$WORK/munge.key" 2>/dev/null
chmod 400 "$WORK/munge.key"
# Ports away from Slurm's defaults (6817/6818), in case a cluster is already running here.
PORT=$((20000 + RANDOM % 20000))
cat >"$WORK/slurm.conf" <<CONF
ClusterName=grokscope-check
SlurmctldHost=$H
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$WORK/munge.socket
CredType=cred/munge
StateSaveLocation=$WORK/ctld
SlurmdSpoolDir=$WORK/slurmd
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
NodeName=$H CPUs=$(nproc) RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes=$H Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$WORK/slurm.conf"

# Each daemon in the foreground, in the background of this script: its pid is the daemon's.
/usr/sbin/munged --foreground --force --socket="$WORK/munge.socket" --key-file="$WORK/munge.key" \
  --pid-file="$WORK/munged.pid" --log-file="$WORK/munged.log" --seed-file="$WORK/munge.seed" &
PIDS+=($!)
for _ in $(seq 50); do [ -S "$WORK/munge.socket" ] && break; sleep 0.2; done
/usr/sbin/slurmctld -D -f "$SLURM_CONF" >"$WORK/slurmctld.out.log" 2>&1 &
PIDS+=($!)
/usr/sbin/slurmd -D -f "$SLURM_CONF" >"$WORK/slurmd.out.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 60); do sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)' && break; sleep 1; done
sinfo

# The sweep: two operations, two seeds, a few hundred steps at p = 11; one thread per run.
# GROKSCOPE_SLURM_SWEEP replaces these flags (e.g. a paper-size plan); GROKSCOPE_SLURM_LOCAL names
# a local sweep of that plan already run (compared against instead of running it again);
# GROKSCOPE_SLURM_WAIT is how many minutes the array may take (default 15).
if [ -n "${GROKSCOPE_SLURM_SWEEP:-}" ]; then
  read -ra FLAGS <<<"$GROKSCOPE_SLURM_SWEEP"
  SWEEP=(sweep "${FLAGS[@]}")
else
  SWEEP=(sweep --ops add,mul --p 11 --fracs 0.5 --seeds 0,1 --steps 300 --eval-every 50 --checkpoint-every 100 --d-model 32 --d-mlp 64 --threads 1)
fi
WAIT=$((${GROKSCOPE_SLURM_WAIT:-15} * 60))

{
  echo '#!/bin/bash'
  printf 'exec node %q' "$MAIN"
  printf ' %q' "${SWEEP[@]}" --out "$WORK/slurm"
  echo
} >"$WORK/job.sh"
chmod +x "$WORK/job.sh"
t0=$(date +%s)
JOB=$(sbatch --parsable --array=0-2 -o "$WORK/out-%a.txt" -D "$WORK" "$WORK/job.sh")
echo "slurm-check: submitted job array $JOB (3 tasks)"
# Wait for every task of the array to leave the queue.
for _ in $(seq "$WAIT"); do [ -z "$(squeue -h -j "$JOB" 2>/dev/null)" ] && break; sleep 1; done
[ -z "$(squeue -h -j "$JOB" 2>/dev/null)" ] || { echo "slurm-check: the array did not finish in $((WAIT / 60)) minutes" >&2; exit 1; }
JOB=""
echo "slurm-check: the array finished in $(($(date +%s) - t0)) s"
cat "$WORK"/out-*.txt
grep -h "this is share" "$WORK"/out-*.txt | grep -q "Slurm job array" || { echo "slurm-check: the tasks did not read their share from Slurm" >&2; exit 1; }

LOCAL=${GROKSCOPE_SLURM_LOCAL:-$WORK/local}
[ -n "${GROKSCOPE_SLURM_LOCAL:-}" ] || node "$MAIN" "${SWEEP[@]}" --jobs 2 --out "$LOCAL" >"$WORK/local.log"

# Compare every run of the plan: summaries, metrics lines (without wall times), weights.
node --input-type=module - "$WORK/slurm" "$LOCAL" <<'CHECK'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
const [a, b] = process.argv.slice(2)
const plan = JSON.parse(readFileSync(path.join(a, 'sweep.json'), 'utf8'))
const planB = JSON.parse(readFileSync(path.join(b, 'sweep.json'), 'utf8'))
if (JSON.stringify(plan) !== JSON.stringify(planB)) throw new Error('the plans differ')
const read = (dir, run, file) => {
  const f = path.join(dir, run.name, file)
  if (!existsSync(f)) throw new Error(`${f} is missing: that sweep has not finished ${run.name}`)
  return readFileSync(f, 'utf8')
}
const metrics = (dir, run) => read(dir, run, 'metrics.jsonl').trim().split('\n').map((l) => { const r = JSON.parse(l); delete r.elapsed_s; return JSON.stringify(r) })
for (const run of plan.runs) {
  const [sa, sb] = [a, b].map((d) => JSON.parse(read(d, run, 'summary.json')))
  for (const k of ['status', 'grokked', 'grok_step', 'steps', 'final', 'measures']) {
    if (JSON.stringify(sa[k]) !== JSON.stringify(sb[k])) throw new Error(`${run.name}: summary ${k} differs: ${JSON.stringify(sa[k])} vs ${JSON.stringify(sb[k])}`)
  }
  const [ma, mb] = [metrics(a, run), metrics(b, run)]
  if (ma.length !== mb.length || ma.some((l, i) => l !== mb[i])) throw new Error(`${run.name}: metrics.jsonl differs`)
  if (read(a, run, 'weights.json') !== read(b, run, 'weights.json')) throw new Error(`${run.name}: weights.json differs`)
  console.log(`${run.name}: same (${sa.status}, grok step ${sa.grok_step}, ${sa.steps} steps, test acc ${sa.final.test.acc}, W_E FFD ${sa.measures.W_E.ffd} FCR ${sa.measures.W_E.fcr}; ${ma.length} metrics lines, weights byte-identical)`)
}
console.log(`slurm-check: OK: the ${plan.runs.length} runs of the Slurm array equal the local sweep`)
CHECK
