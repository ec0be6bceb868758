/**
 * The page: the settings form (filled from the URL), a sweep plan opened from a file
 * (`sweep.json`, read by `@grokscope/runs`: each of its runs trainable here with its own
 * config), a training worker per run, the live figures (accuracy, loss, the spectrum of
 * `W_E`, FFD/FCR), the 2-D logits map at the end, and "Download run". Test contract: the
 * elements with `data-testid="step"` and `data-testid="test-acc"` show the step and the
 * test accuracy; `data-testid="plan-file"` takes a plan, whose runs are the rows of
 * `data-testid="plan-runs"`, each with a button `data-testid="plan-train"`.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { OPERATIONS } from '@grokscope/data'
import { type MetricsRecord, type RunConfig, decodePlan, encodeRunConfig } from '@grokscope/runs'
import { curveFigures, logitsFigure, spectrumFigure } from './figures.js'
import type { FromWorker, ToWorker } from './protocol.js'
import { type SettingsFields, decodeFields, fieldsFromQuery, queryOf, settingsFromQuery } from './settings.js'

// ─────────────────────────────────────────────────────────────────────────────
// elements
// ─────────────────────────────────────────────────────────────────────────────

const byId = <T extends HTMLElement>(id: string, kind: new () => T): T => {
  const el = document.getElementById(id)
  if (!(el instanceof kind)) throw new Error(`page: #${id} is missing`)
  return el
}

const form = byId('settings', HTMLFormElement)
const input = (name: keyof SettingsFields): HTMLInputElement => {
  const el = form.elements.namedItem(name)
  if (!(el instanceof HTMLInputElement)) throw new Error(`page: input ${name} is missing`)
  return el
}
const trainButton = byId('train', HTMLButtonElement)
const stopButton = byId('stop', HTMLButtonElement)
const downloadButton = byId('download', HTMLButtonElement)
const errorBox = byId('error', HTMLElement)
const planFile = byId('plan-file', HTMLInputElement)
const planRuns = byId('plan-runs', HTMLTableElement)
const show = {
  state: byId('state', HTMLElement),
  step: byId('step', HTMLElement),
  trainAcc: byId('train-acc', HTMLElement),
  testAcc: byId('test-acc', HTMLElement),
  grokStep: byId('grok-step', HTMLElement),
  ffd: byId('ffd', HTMLElement),
  speed: byId('speed', HTMLElement),
  task: byId('task', HTMLElement),
}
const figures = {
  acc: byId('fig-acc', HTMLElement),
  loss: byId('fig-loss', HTMLElement),
  spectrum: byId('fig-spectrum', HTMLElement),
  ffd: byId('fig-ffd', HTMLElement),
  logits: byId('fig-logits', HTMLElement),
}

// ─────────────────────────────────────────────────────────────────────────────
// state
// ─────────────────────────────────────────────────────────────────────────────

let worker: Worker | null = null
let records: MetricsRecord[] = []
let download: { readonly url: string; readonly name: string } | null = null

const fields = (): SettingsFields => ({ op: input('op').value, p: input('p').value, frac: input('frac').value, seed: input('seed').value })

const fail = (message: string): void => {
  errorBox.textContent = message
  errorBox.hidden = false
}

// ─────────────────────────────────────────────────────────────────────────────
// figures
// ─────────────────────────────────────────────────────────────────────────────

const drawCurves = (): void => {
  const f = curveFigures(records)
  figures.acc.innerHTML = f.acc
  figures.loss.innerHTML = f.loss
  figures.ffd.innerHTML = f.ffd
}

const onMessage = (m: FromWorker): void => {
  switch (m.type) {
    case 'started':
      show.state.textContent = 'training'
      show.task.textContent =
        `${m.op} mod ${m.p}: ${m.nTrain} training pairs, ${m.nTest} test pairs; backend ${m.backend}, ` +
        `${m.wasmThreads} WASM thread${m.wasmThreads === 1 ? '' : 's'}`
      return
    case 'step':
      show.step.textContent = String(m.step)
      show.speed.textContent = m.stepsPerS.toFixed(1)
      return
    case 'eval': {
      const r = m.record
      records.push(r)
      show.step.textContent = String(r.step)
      show.trainAcc.textContent = r.train_acc.toFixed(4)
      show.testAcc.textContent = r.test_acc.toFixed(4)
      show.grokStep.textContent = r.grok_step === null ? '–' : String(r.grok_step)
      show.ffd.textContent = `${r.W_E.ffd.toFixed(3)} / ${r.W_E.fcr.toFixed(3)}`
      show.speed.textContent = m.stepsPerS.toFixed(1)
      drawCurves()
      figures.spectrum.innerHTML = spectrumFigure(r.step, m.spectrum)
      return
    }
    case 'done': {
      figures.logits.innerHTML = logitsFigure(m.step, m.logitsMap)
      const url = URL.createObjectURL(new Blob([new Uint8Array(m.zip)], { type: 'application/zip' }))
      download = { url, name: `${m.zipName}.zip` }
      show.step.textContent = String(m.step)
      show.ffd.textContent = `${m.finalW_E.ffd.toFixed(3)} / ${m.finalW_E.fcr.toFixed(3)}`
      show.state.textContent =
        (m.stoppedBy === 'diverged'
          ? `diverged (loss or weights not finite); kept its last finite checkpoint, step ${m.step}`
          : `${m.stoppedBy === 'interrupt' ? 'stopped' : 'finished'} at step ${m.step}`) +
        (m.grokStep === null ? ', not grokked' : `, grokked at step ${m.grokStep}`) +
        ` (tensors ${m.numTensorsBefore} → ${m.numTensorsAfter})`
      stopButton.disabled = true
      trainButton.disabled = false
      downloadButton.disabled = false
      return
    }
    case 'error':
      show.state.textContent = 'failed'
      stopButton.disabled = true
      trainButton.disabled = false
      fail(m.message)
      // Also a page error, so that tools watching the page see it.
      reportError(new Error(`training worker: ${m.message}`))
      return
  }
}

// ─────────────────────────────────────────────────────────────────────────────
// actions
// ─────────────────────────────────────────────────────────────────────────────

/** Trains the form's run (its URL then names it). */
const startForm = (): void => {
  const config = decodeFields(fields())
  if (E.isLeft(config)) return fail(config.left)
  history.replaceState(null, '', `?${queryOf(config.right.task)}`)
  start(config.right)
}

/** Trains a run in a new worker, the previous one stopped. */
const start = (config: RunConfig): void => {
  errorBox.hidden = true
  worker?.terminate()
  if (download !== null) URL.revokeObjectURL(download.url)
  download = null
  records = []
  for (const f of Object.values(figures)) f.replaceChildren()
  show.step.textContent = '0'
  show.testAcc.textContent = '0'
  show.trainAcc.textContent = show.grokStep.textContent = show.ffd.textContent = show.speed.textContent = '–'
  show.state.textContent = 'starting'
  trainButton.disabled = downloadButton.disabled = true
  stopButton.disabled = false
  const w = new Worker(new URL('worker.js', import.meta.url), { type: 'module' })
  w.addEventListener('message', (e: MessageEvent<FromWorker>) => onMessage(e.data))
  w.addEventListener('error', (e) => onMessage({ type: 'error', message: e.message === '' ? 'the worker failed to load' : e.message }))
  const message: ToWorker = { type: 'start', config: encodeRunConfig(config) }
  w.postMessage(message)
  worker = w
}

form.addEventListener('submit', (e) => {
  e.preventDefault()
  startForm()
})

/** A table cell with this text. */
const cell = (text: string, kind: 'td' | 'th' = 'td'): HTMLTableCellElement => {
  const c = document.createElement(kind)
  c.textContent = text
  return c
}

/** Lists a plan's runs, each with a button that trains it here (a plan of 0.1.0 stored no configs: its runs are listed only). */
const showPlan = (text: string): void => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return fail('the plan is not JSON (give a sweep.json)')
  }
  const plan = decodePlan(json)
  if (E.isLeft(plan)) return fail(`the plan: ${plan.left}`)
  errorBox.hidden = true
  const head = document.createElement('tr')
  head.append(...['run', 'operations', 'p', 'r', 'seed', 'steps', 'lr', ''].map((h) => cell(h, 'th')))
  planRuns.replaceChildren(
    head,
    ...plan.right.runs.map((r) => {
      const row = document.createElement('tr')
      const c = r.config
      row.append(
        ...[
          r.name,
          r.ops.join(', '),
          String(r.p),
          String(r.frac),
          String(r.seed),
          c === null ? '–' : String(c.loop.max_steps),
          c === null ? '–' : String(c.optimizer.lr),
        ].map((t) => cell(t)),
      )
      const action = document.createElement('td')
      if (c === null) action.textContent = 'planned by 0.1.0: no config'
      else {
        const button = document.createElement('button')
        button.type = 'button'
        button.textContent = 'Train'
        button.dataset.testid = 'plan-train'
        button.addEventListener('click', () => start(c))
        action.append(button)
      }
      row.append(action)
      return row
    }),
  )
}

planFile.addEventListener('change', () => {
  const file = planFile.files?.[0]
  if (file !== undefined) file.text().then(showPlan, (e: unknown) => fail(`the plan could not be read: ${String(e)}`))
})
stopButton.addEventListener('click', () => {
  const message: ToWorker = { type: 'stop' }
  worker?.postMessage(message)
  stopButton.disabled = true
  show.state.textContent = 'stopping'
})
downloadButton.addEventListener('click', () => {
  if (download === null) return
  const a = document.createElement('a')
  a.href = download.url
  a.download = download.name
  a.click()
})

// ─────────────────────────────────────────────────────────────────────────────
// start
// ─────────────────────────────────────────────────────────────────────────────

const ops = byId('ops', HTMLDataListElement)
for (const op of OPERATIONS) {
  const option = document.createElement('option')
  option.value = op.id
  option.label = op.formula
  ops.append(option)
}
const initial = fieldsFromQuery(location.search)
for (const name of ['op', 'p', 'frac', 'seed'] as const) input(name).value = initial[name]
const settings = settingsFromQuery(location.search)
if (E.isLeft(settings)) fail(settings.left)
else if (settings.right.autostart) start(settings.right.config)
