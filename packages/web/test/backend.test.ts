// The backend choice as pure logic: what the browser offers, the backends to try, the choice decoded, the label shown.
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AdapterInfo,
  BACKEND_CHOICES,
  type GpuProbe,
  adapterName,
  backendLabel,
  backendPlan,
  decodeBackendChoice,
  probeGpu,
  webgpuBlocker,
} from '../src/backend.js'

/** What headless Chromium's software adapter reports (`--use-webgpu-adapter=swiftshader`). */
const SWIFTSHADER: AdapterInfo = { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true }
const ADAPTER: GpuProbe = { _tag: 'Adapter', info: SWIFTSHADER }
const NONE: GpuProbe = { _tag: 'None', reason: 'navigator.gpu offers no adapter (no GPU that WebGPU may use here)' }

const probes = fc.oneof(
  fc.record({ vendor: fc.string(), architecture: fc.string(), device: fc.string(), description: fc.string() }).map(
    (info): GpuProbe => ({ _tag: 'Adapter', info }),
  ),
  fc.string().map((reason): GpuProbe => ({ _tag: 'None', reason })),
)

describe('probeGpu', () => {
  it('names what the browser offers: no navigator.gpu, no adapter, a failing request, or the adapter and its info', async () => {
    expect(await probeGpu(undefined)).toEqual({ _tag: 'None', reason: 'this browser has no WebGPU (navigator.gpu is missing)' })
    expect(await probeGpu({ requestAdapter: () => Promise.resolve(null) })).toEqual(NONE)
    expect(await probeGpu({ requestAdapter: () => Promise.reject(new Error('blocked')) })).toEqual({
      _tag: 'None',
      reason: 'navigator.gpu.requestAdapter() failed: blocked',
    })
    expect(await probeGpu({ requestAdapter: () => Promise.resolve({ info: SWIFTSHADER }) })).toEqual(ADAPTER)
    expect(await probeGpu({ requestAdapter: () => Promise.resolve({}) })).toEqual({
      _tag: 'Adapter',
      info: { vendor: '', architecture: '', device: '', description: '' },
    })
  })

  it('asks for the adapter tfjs’s WebGPU backend asks for (high-performance)', async () => {
    const asked: unknown[] = []
    await probeGpu({ requestAdapter: (o) => (asked.push(o), Promise.resolve(null)) })
    expect(asked).toEqual([{ powerPreference: 'high-performance' }])
  })
})

describe('backendPlan', () => {
  it('auto is WebGPU then WASM where there is an adapter, else WASM; wasm is WASM whatever the browser offers', () => {
    expect(backendPlan('auto', ADAPTER)).toEqual(E.right({ backends: ['webgpu', 'wasm'], note: null }))
    expect(backendPlan('auto', NONE)).toEqual(E.right({ backends: ['wasm'], note: null }))
    fc.assert(
      fc.property(probes, (probe) => {
        expect(backendPlan('wasm', probe)).toEqual(E.right({ backends: ['wasm'], note: null }))
      }),
    )
  })

  it('webgpu is WebGPU alone with an adapter, and without one a line saying why and what to choose', () => {
    expect(backendPlan('webgpu', ADAPTER)).toEqual(E.right({ backends: ['webgpu'], note: null }))
    expect(backendPlan('webgpu', NONE)).toEqual(
      E.left(
        'backend: webgpu was chosen, but it is not available here: navigator.gpu offers no adapter (no GPU that WebGPU may use here) ' +
          '(choose auto or wasm)',
      ),
    )
  })

  it('every plan of an allowed choice is WebGPU exactly when the browser offers an adapter and the choice allows it, WASM last otherwise', () => {
    fc.assert(
      fc.property(fc.constantFrom(...BACKEND_CHOICES), probes, fc.option(fc.string()), (choice, probe, blocker) => {
        const plan = backendPlan(choice, probe, blocker)
        if (E.isLeft(plan)) expect(choice === 'webgpu' && (probe._tag === 'None' || blocker !== null)).toBe(true)
        else {
          expect(plan.right.backends[0] === 'webgpu').toBe(probe._tag === 'Adapter' && blocker === null && choice !== 'wasm')
          if (choice !== 'webgpu') expect(plan.right.backends.at(-1)).toBe('wasm')
        }
      }),
    )
  })
})

describe('webgpuBlocker', () => {
  it('a run with all-pairs measures (measure_every) trains on WASM under auto, and is refused on webgpu, saying why', () => {
    expect(webgpuBlocker({ measure_every: 0 })).toBeNull()
    expect(webgpuBlocker({})).toBeNull()
    const blocker = webgpuBlocker({ measure_every: 500 })
    expect(blocker).toBe('its all-pairs measures every 500 steps (measure_every) read the backend synchronously, which WebGPU cannot')
    expect(backendPlan('auto', ADAPTER, blocker)).toEqual(E.right({ backends: ['wasm'], note: `not WebGPU: ${blocker}` }))
    expect(backendPlan('webgpu', ADAPTER, blocker)).toEqual(
      E.left(`backend: webgpu was chosen, but this run cannot train on it: ${blocker} (choose auto or wasm)`),
    )
  })
})

describe('decodeBackendChoice', () => {
  it('takes auto, webgpu and wasm (empty is auto), and refuses anything else naming what is allowed', () => {
    for (const c of BACKEND_CHOICES) expect(decodeBackendChoice(c)).toEqual(E.right(c))
    expect(decodeBackendChoice('')).toEqual(E.right('auto'))
    expect(decodeBackendChoice(' wasm ')).toEqual(E.right('wasm'))
    expect(decodeBackendChoice('webgl')).toEqual(E.left('backend: "webgl" is not allowed (auto, webgpu, wasm)'))
    expect(decodeBackendChoice('WASM')).toEqual(E.left('backend: "WASM" is not allowed (auto, webgpu, wasm)'))
  })
})

describe('backendLabel', () => {
  it('names the backend first, then the adapter or the WASM build and threads', () => {
    expect(backendLabel({ name: 'webgpu', adapter: SWIFTSHADER })).toBe('webgpu (google swiftshader, software)')
    expect(backendLabel({ name: 'webgpu', adapter: { ...SWIFTSHADER, description: 'NVIDIA GeForce RTX 3060', isFallbackAdapter: false } })).toBe(
      'webgpu (NVIDIA GeForce RTX 3060)',
    )
    expect(backendLabel({ name: 'wasm', simd: true, threads: 1 })).toBe('wasm (SIMD, 1 thread)')
    expect(backendLabel({ name: 'wasm', simd: false, threads: 4 })).toBe('wasm (no SIMD, 4 threads)')
  })

  it('an adapter that reports nothing is still named', () => {
    expect(adapterName({ vendor: ' ', architecture: '', device: '', description: '' })).toBe('unnamed adapter')
    fc.assert(
      fc.property(fc.record({ vendor: fc.string(), architecture: fc.string(), device: fc.string(), description: fc.string() }), (info) => {
        expect(adapterName(info).trim()).not.toBe('')
        expect(backendLabel({ name: 'webgpu', adapter: info })).toMatch(/^webgpu \(.+\)$/s)
      }),
    )
  })
})
