// Test setup: the WASM backend, started exactly as the CLI and every Node program start it.
import { initBackend } from '@grokscope/node'

await initBackend()
