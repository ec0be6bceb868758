// The tfjs backend: SIMD WASM, with its .wasm files found beside the installed package.
import { createRequire } from 'node:module'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'

/** Starts the WASM backend once; later calls are no-ops. */
export const initBackend = async (): Promise<void> => {
  if (tf.getBackend() === 'wasm') return
  const require = createRequire(import.meta.url)
  setWasmPaths(`${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}${path.sep}`)
  if (!(await tf.setBackend('wasm'))) throw new Error('the WASM backend did not start')
  await tf.ready()
}
