/**
 * The tfjs backend in Node: SIMD WASM, with its .wasm files found beside the installed package.
 *
 * @since 0.2.0
 */
import { createRequire } from 'node:module'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'

/** Starts the WASM backend once; later calls are no-ops. */
export const initBackend = async (): Promise<void> => {
  if (tf.getBackend() === 'wasm') return
  const require = createRequire(import.meta.url)
  setWasmPaths(`${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}${path.sep}`)
  // The WASM module binds console.warn when it starts and prints "Aborted(…)" with it before
  // it throws (e.g. out of memory); the error is reported on one line (`outOfMemoryMessage`), so the extra line is dropped.
  const warn = console.warn
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('Aborted(')) return
    warn(...args)
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('the WASM backend did not start')
  await tf.ready()
}
