// Plans a 4-run sweep (./plan.mjs), trains it in this process, two runs at a time, each in a worker
// thread (@grokscope/node), and prints the results table: no command line involved.
// Run it with: node sweep.mjs [sweep folder]
import { claimSweepFolder, readResults, runSweep } from '@grokscope/node'
import { toTable } from '@grokscope/runs'
import { plan } from './plan.mjs'

const out = process.argv[2] ?? 'sweeps/example'
claimSweepFolder(out, plan)
await runSweep(plan.runs, out, { jobs: 2 }, (e) => {
  if (e.kind === 'ended') console.log(`${e.run.name}: ${e.status}, ${e.text}`)
})
console.log(toTable(readResults(out, (warning) => console.warn(warning))))
