/**
 * The page: the settings form (filled from the URL: operation, p, training fraction, seed,
 * recipe, steps, backend, WASM threads), a sweep plan opened from a file (`sweep.json`, read by
 * `@grokscope/runs`: each of its runs trainable here with its own config), a training worker
 * per run, the live figures (accuracy, loss, the spectrum of `W_E` with the key frequencies,
 * FFD/FCR), the 2-D logits map at the end, and "Download run". Test contract: the elements
 * with `data-testid="step"` and `data-testid="test-acc"` show the step and the test accuracy,
 * `tensors` the tensors alive in the worker, `key-freqs` the key frequencies, `backend` the backend in use
 * (`webgpu (…)`, `wasm (…)`); the controls `recipe`, `steps`, `backend-choice` and `threads` are the form's;
 * `data-testid="plan-file"` takes a plan, whose runs are the rows of `data-testid="plan-runs"`, each with a button
 * `data-testid="plan-train"`.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { OPERATIONS } from '@grokscope/data'
import { type MetricsRecord, decodePlan, encodeRunConfig } from '@grokscope/runs'
import { curveFigures, keyFrequenciesText, logitsFigure, spectrumFigure } from './figures.js'
import { BACKEND_CHOICES, type BackendChoice, decodeBackendChoice } from './backend.js'
import type { FromWorker, KeyFrequenciesMessage, SpectrumMessage, ToWorker } from './protocol.js'
import {
  type Choice,
  DEFAULT_FIELDS,
  RECIPE_CHOICES,
  type SettingsFields,
  decodeFields,
  fieldsFromQuery,
  queryOf,
  settingsFromQuery,
  threadLimit,
} from './settings.js'

// ─────────────────────────────────────────────────────────────────────────────
// elements
// ─────────────────────────────────────────────────────────────────────────────

const byId = <T extends HTMLElement>(id: string, kind: new () => T): T => {
  const el = document.getElementById(id)
  if (!(el instanceof kind)) throw new Error(`page: #${id} is missing`)
  return el
}

const form = byId('settings', HTMLFormElement)
const input = (name: keyof SettingsFields): HTMLInputElement | HTMLSelectElement => {
  const el = form.elements.namedItem(name)
  if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement)) throw new Error(`page: input ${name} is missing`)
  return el
}
const FIELD_NAMES = ['op', 'p', 'frac', 'seed', 'recipe', 'steps', 'backend', 'threads'] as const satisfies ReadonlyArray<keyof SettingsFields>
const trainButton = byId('train', HTMLButtonElement)
const stopButton = byId('stop', HTMLButtonElement)
const downloadButton = byId('download', HTMLButtonElement)
const errorBox = byId('error', HTMLElement)
const threadsNote = byId('threads-note', HTMLElement)
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
  backend: byId('backend', HTMLElement),
  tensors: byId('tensors', HTMLElement),
  keyFreqs: byId('key-freqs', HTMLElement),
  task: byId('task', HTMLElement),
}
const figures = {
  acc: byId('fig-acc', HTMLElement),
  loss: byId('fig-loss', HTMLElement),
  spectrum: byId('spectrum-chart', HTMLElement),
  ffd: byId('fig-ffd', HTMLElement),
  logits: byId('fig-logits', HTMLElement),
}

// ─────────────────────────────────────────────────────────────────────────────
// state
// ─────────────────────────────────────────────────────────────────────────────

let worker: Worker | null = null
let records: MetricsRecord[] = []
let download: { readonly url: string; readonly name: string } | null = null
/** The key frequencies last computed (not every evaluation has them). */
let lastKey: KeyFrequenciesMessage | null = null

/** The WASM threads this browser allows (more than one needs cross-origin isolation). */
const limit = threadLimit(crossOriginIsolated, navigator.hardwareConcurrency)

const fields = (): SettingsFields =>
  Object.fromEntries(FIELD_NAMES.map((name) => [name, input(name).value])) as Record<keyof SettingsFields, string>

const fail = (message: string): void => {
  errorBox.textContent = message
  errorBox.hidden = false
}

// ─────────────────────────────────────────────────────────────────────────────
// figures
// ─────────────────────────────────────────────────────────────────────────────

/** The spectrum at a step with the key frequencies last computed marked, and those in words beside it. */
const drawSpectrum = (step: number, spectrum: SpectrumMessage): void => {
  figures.spectrum.innerHTML = spectrumFigure(step, spectrum, lastKey?.key ?? [])
  if (lastKey === null) return show.keyFreqs.replaceChildren()
  const text = keyFrequenciesText(lastKey)
  const line = document.createElement('span')
  line.textContent = text.line
  show.keyFreqs.replaceChildren(line)
  if (text.warning === null) return
  const warning = document.createElement('span')
  warning.className = 'warning'
  warning.textContent = `; ${text.warning}`
  show.keyFreqs.append(warning)
}

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
      show.backend.textContent = m.backendLabel
      show.task.textContent =
        `${m.op} mod ${m.p}: ${m.nTrain} training pairs, ${m.nTest} test pairs; backend ` +
        (m.backend === 'wasm'
          ? `wasm, ${m.wasmThreads} WASM thread${m.wasmThreads === 1 ? '' : 's'}` +
            (m.wasmThreads === m.threadsAsked ? '' : ` (${m.threadsAsked} asked: the WASM backend did not start more)`)
          : m.backendLabel) +
        (m.fellBack === null ? '' : ` (${m.fellBack})`)
      return
    case 'step':
      show.step.textContent = String(m.step)
      show.speed.textContent = m.stepsPerS.toFixed(1)
      show.tensors.textContent = String(m.numTensors)
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
      show.tensors.textContent = String(r.num_tensors)
      if (m.keyFrequencies !== null) lastKey = m.keyFrequencies
      drawCurves()
      drawSpectrum(r.step, m.spectrum)
      return
    }
    case 'done': {
      figures.logits.innerHTML = logitsFigure(m.step, m.logitsMap)
      lastKey = m.keyFrequencies
      drawSpectrum(m.step, m.finalW_E.spectrum)
      const url = URL.createObjectURL(new Blob([new Uint8Array(m.zip)], { type: 'application/zip' }))
      download = { url, name: `${m.zipName}.zip` }
      show.step.textContent = String(m.step)
      show.ffd.textContent = `${m.finalW_E.ffd.toFixed(3)} / ${m.finalW_E.fcr.toFixed(3)}`
      show.state.textContent =
        (m.stoppedBy === 'diverged'
          ? `diverged (loss or weights not finite); kept its last finite checkpoint, step ${m.step}`
          : `${m.stoppedBy === 'interrupt' ? 'stopped' : 'finished'} at step ${m.step}`) +
        (m.grokStep === null ? ', not grokked' : `, grokked at step ${m.grokStep}`) +
        ` (tensors: ${m.numTensorsBefore} before, ${m.numTensorsTraining} while training, ${m.numTensorsAfter} after)`
      show.tensors.textContent = String(m.numTensorsAfter)
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
  const choice = decodeFields(fields(), limit)
  if (E.isLeft(choice)) return fail(choice.left)
  history.replaceState(null, '', `?${queryOf(choice.right)}`)
  start(choice.right)
}

/** The form's threads, or the default when they are not allowed (a plan's run takes them from the form). */
const formThreads = (): number => {
  const choice = decodeFields({ ...DEFAULT_FIELDS, threads: input('threads').value }, limit)
  return E.isRight(choice) ? choice.right.threads : limit.default
}

/** The form's backend, or `auto` when it is not one (a plan's run takes it from the form). */
const formBackend = (): BackendChoice => {
  const choice = decodeBackendChoice(input('backend').value)
  return E.isRight(choice) ? choice.right : 'auto'
}

/** Trains a run in a new worker, the previous one stopped. */
const start = ({ config, backend, threads }: Choice): void => {
  errorBox.hidden = true
  worker?.terminate()
  if (download !== null) URL.revokeObjectURL(download.url)
  download = null
  records = []
  lastKey = null
  for (const f of Object.values(figures)) f.replaceChildren()
  show.keyFreqs.replaceChildren()
  show.step.textContent = '0'
  show.testAcc.textContent = '0'
  for (const el of [show.trainAcc, show.grokStep, show.ffd, show.speed, show.backend, show.tensors]) el.textContent = '–'
  show.state.textContent = 'starting'
  trainButton.disabled = downloadButton.disabled = true
  stopButton.disabled = false
  const w = new Worker(new URL('worker.js', import.meta.url), { type: 'module' })
  w.addEventListener('message', (e: MessageEvent<FromWorker>) => onMessage(e.data))
  w.addEventListener('error', (e) => onMessage({ type: 'error', message: e.message === '' ? 'the worker failed to load' : e.message }))
  const message: ToWorker = { type: 'start', config: encodeRunConfig(config), backend, threads }
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
        button.addEventListener('click', () => start({ config: c, backend: formBackend(), threads: formThreads() }))
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
const recipe = input('recipe')
for (const r of RECIPE_CHOICES) {
  const option = document.createElement('option')
  option.value = r.id
  option.textContent = `${r.id} (${r.summary})`
  recipe.append(option)
}
const backendChoice = input('backend')
for (const id of BACKEND_CHOICES) {
  const option = document.createElement('option')
  option.value = id
  option.textContent = id
  backendChoice.append(option)
}
const threads = input('threads')
threads.setAttribute('max', String(limit.max))
if (limit.onlyOne !== null) {
  threads.disabled = true
  threadsNote.textContent = `One WASM thread: ${limit.onlyOne}.`
  threadsNote.hidden = false
}
const initial = fieldsFromQuery(location.search, { ...DEFAULT_FIELDS, threads: String(limit.default) })
for (const name of FIELD_NAMES) input(name).value = initial[name]
const settings = settingsFromQuery(location.search, limit)
if (E.isLeft(settings)) fail(settings.left)
else if (settings.right.autostart) {
  history.replaceState(null, '', `?${queryOf(settings.right, true)}`)
  start(settings.right)
}
