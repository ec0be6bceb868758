// Test setup: the WASM backend, as the CLI uses it.
import { createRequire } from 'node:module'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'

const require = createRequire(import.meta.url)
setWasmPaths(`${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}${path.sep}`)
await tf.setBackend('wasm')
await tf.ready()
