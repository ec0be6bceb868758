// Test setup: the WASM backend, started exactly as the CLI starts it.
import { initBackend } from '../packages/cli/src/backend.js'

await initBackend()
