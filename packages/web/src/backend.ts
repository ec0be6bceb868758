/**
 * The page's tfjs backend: what the user chose (`auto`, `webgpu` or `wasm`), what the browser offers (a WebGPU adapter
 * from `navigator.gpu`, or why there is none), the backends to try in order, and the backend in words as the page shows
 * it (`webgpu (google swiftshader, software)`, `wasm (SIMD, 1 thread)`). Pure: the worker hands in `navigator.gpu`
 * and starts what `backendPlan` names.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { backendLabel, backendPlan, probeGpu } from './backend.js'
 * const none = await probeGpu(undefined)  // what a browser without navigator.gpu offers
 * backendPlan('auto', none)  // => E.right({ backends: ['wasm'], note: null })
 * const swiftshader = { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true }
 * const gpu = { requestAdapter: () => Promise.resolve({ info: swiftshader }) }
 * backendPlan('auto', await probeGpu(gpu))  // => E.right({ backends: ['webgpu', 'wasm'], note: null })
 * backendLabel({ name: 'webgpu', adapter: swiftshader })  // => 'webgpu (google swiftshader, software)'
 * backendLabel({ name: 'wasm', simd: true, threads: 1 })  // => 'wasm (SIMD, 1 thread)'
 * E.isLeft(backendPlan('webgpu', none))  // => true
 *
 * @since 0.5.0
 */
import * as E from 'fp-ts/lib/Either.js'

// ─────────────────────────────────────────────────────────────────────────────
// model
// ─────────────────────────────────────────────────────────────────────────────

/**
 * What the user may choose: `auto` (WebGPU where the browser offers an adapter, else WASM), `webgpu` or `wasm`.
 *
 * @since 0.5.0
 */
export const BACKEND_CHOICES = ['auto', 'webgpu', 'wasm'] as const

/** @since 0.5.0 */
export type BackendChoice = (typeof BACKEND_CHOICES)[number]

/**
 * A tfjs backend the page trains on.
 *
 * @since 0.5.0
 */
export type BackendName = Exclude<BackendChoice, 'auto'>

/**
 * What a WebGPU adapter says of itself: the fields of `GPUAdapterInfo` that name it (`isFallbackAdapter`: a software
 * adapter, such as SwiftShader; absent in browsers that do not report it).
 *
 * @since 0.5.0
 */
export interface AdapterInfo {
  readonly vendor: string
  readonly architecture: string
  readonly device: string
  readonly description: string
  readonly isFallbackAdapter?: boolean
}

/**
 * The part of `navigator.gpu` the probe reads (TypeScript's DOM library has no WebGPU types).
 *
 * @since 0.5.0
 */
export interface GpuLike {
  readonly requestAdapter: (options?: { readonly powerPreference?: 'high-performance' | 'low-power' }) => Promise<{
    readonly info?: AdapterInfo
  } | null>
}

/**
 * What the browser offers: a WebGPU adapter, or why there is none (one phrase).
 *
 * @since 0.5.0
 */
export type GpuProbe = { readonly _tag: 'Adapter'; readonly info: AdapterInfo } | { readonly _tag: 'None'; readonly reason: string }

/**
 * The backends to try, in order, and why `auto` does not try WebGPU though there is an adapter (null when it does, or
 * when there is none).
 *
 * @since 0.5.0
 */
export interface BackendPlan {
  readonly backends: ReadonlyArray<BackendName>
  readonly note: string | null
}

/**
 * The backend that started, as the page names it: WebGPU's adapter, WASM's SIMD and threads.
 *
 * @since 0.5.0
 */
export type StartedBackend =
  | { readonly name: 'webgpu'; readonly adapter: AdapterInfo }
  | { readonly name: 'wasm'; readonly simd: boolean; readonly threads: number }

// ─────────────────────────────────────────────────────────────────────────────
// constructors
// ─────────────────────────────────────────────────────────────────────────────

/** An adapter that reports nothing about itself. */
const UNNAMED: AdapterInfo = { vendor: '', architecture: '', device: '', description: '' }

/**
 * What `gpu` (the browser's `navigator.gpu`, `undefined` where it has none) offers: the adapter tfjs's WebGPU backend
 * asks for (`powerPreference: 'high-performance'`, its default), or why there is none.
 *
 * @since 0.5.0
 */
export const probeGpu = async (gpu: GpuLike | undefined): Promise<GpuProbe> => {
  if (gpu === undefined) return { _tag: 'None', reason: 'this browser has no WebGPU (navigator.gpu is missing)' }
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' })
    return adapter === null
      ? { _tag: 'None', reason: 'navigator.gpu offers no adapter (no GPU that WebGPU may use here)' }
      : { _tag: 'Adapter', info: adapter.info ?? UNNAMED }
  } catch (e) {
    return { _tag: 'None', reason: `navigator.gpu.requestAdapter() failed: ${e instanceof Error ? e.message : String(e)}` }
  }
}

// ─────────────────────────────────────────────────────────────────────────────
// decoding
// ─────────────────────────────────────────────────────────────────────────────

/**
 * A backend choice as typed (URL or form; empty is `auto`); `Left` is one line naming the field and what is allowed.
 *
 * @since 0.5.0
 */
export const decodeBackendChoice = (s: string): E.Either<string, BackendChoice> => {
  const id = s.trim() === '' ? 'auto' : s.trim()
  const known = BACKEND_CHOICES.find((c) => c === id)
  return known === undefined ? E.left(`backend: ${JSON.stringify(s)} is not allowed (${BACKEND_CHOICES.join(', ')})`) : E.right(known)
}

// ─────────────────────────────────────────────────────────────────────────────
// the choice
// ─────────────────────────────────────────────────────────────────────────────

/**
 * Why a run cannot train on WebGPU, or null: its all-pairs measures (`loop.measure_every`) read the backend
 * synchronously, which WebGPU cannot be relied on to do (headless Chromium's software adapter reads zeros).
 *
 * @since 0.5.0
 */
export const webgpuBlocker = (loop: { readonly measure_every?: number | undefined }): string | null =>
  (loop.measure_every ?? 0) > 0
    ? `its all-pairs measures every ${loop.measure_every} steps (measure_every) read the backend synchronously, which WebGPU cannot`
    : null

/**
 * The backends to try, in order, for a choice, what the browser offers and why the run cannot train on WebGPU
 * (`webgpuBlocker`, null: it can): `auto` is WebGPU then WASM (should WebGPU not start) where there is an adapter and
 * nothing blocks it, else WASM; `webgpu` without an adapter, or blocked, is a `Left` saying why and what to choose.
 *
 * @since 0.5.0
 */
export const backendPlan = (choice: BackendChoice, probe: GpuProbe, blocker: string | null = null): E.Either<string, BackendPlan> => {
  switch (choice) {
    case 'wasm':
      return E.right({ backends: ['wasm'], note: null })
    case 'auto':
      if (probe._tag === 'None') return E.right({ backends: ['wasm'], note: null })
      return E.right(blocker === null ? { backends: ['webgpu', 'wasm'], note: null } : { backends: ['wasm'], note: `not WebGPU: ${blocker}` })
    case 'webgpu':
      if (probe._tag === 'None') return E.left(`backend: webgpu was chosen, but it is not available here: ${probe.reason} (choose auto or wasm)`)
      return blocker === null
        ? E.right({ backends: ['webgpu'], note: null })
        : E.left(`backend: webgpu was chosen, but this run cannot train on it: ${blocker} (choose auto or wasm)`)
  }
}

// ─────────────────────────────────────────────────────────────────────────────
// utils
// ─────────────────────────────────────────────────────────────────────────────

/**
 * An adapter's name: its description, else its vendor, architecture and device (`google swiftshader`), with
 * `software` for a fallback adapter.
 *
 * @since 0.5.0
 */
export const adapterName = (info: AdapterInfo): string => {
  const named = info.description.trim() !== '' ? info.description.trim() : [info.vendor, info.architecture, info.device].map((s) => s.trim()).filter((s) => s !== '').join(' ')
  const parts = [named === '' ? 'unnamed adapter' : named, ...(info.isFallbackAdapter === true ? ['software'] : [])]
  return parts.join(', ')
}

/**
 * The backend in use in words, as the page shows it: `webgpu (<adapter>)`, `wasm (SIMD, 2 threads)`.
 *
 * @since 0.5.0
 */
export const backendLabel = (b: StartedBackend): string =>
  b.name === 'webgpu'
    ? `webgpu (${adapterName(b.adapter)})`
    : `wasm (${b.simd ? 'SIMD' : 'no SIMD'}, ${b.threads} thread${b.threads === 1 ? '' : 's'})`
