// Across languages: grokscope's TransformerLens checkpoints read by PyTorch (Debian's python3-torch, no safetensors
// package) into the model of the PyTorch comparison program (python/grokscope_torch.py) give grokscope's logits;
// a checkpoint written by PyTorch loads in grokscope.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { fixturePath } from '../../../test-support/fixtures.js'
import { TORCH_PROGRAM } from '../src/torch-program.js'
import { cli } from './run-cli.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const PYTHON = '/usr/bin/python3'
const INSTALL = 'apt-get install -y python3-torch libopenblas0-pthread'
/** The largest difference allowed between grokscope's and PyTorch's logits. */
const TOLERANCE = 1e-4

const tmp = () => mkdtempSync(path.join(tmpdir(), 'grokscope-tl-'))

/** Runs a Python script of test/python with torch; a missing Python or torch fails with the install line. */
const python = (script: string, args: ReadonlyArray<string>): unknown => {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} not found: ${INSTALL}`)
  if (!existsSync(TORCH_PROGRAM)) throw new Error(`${TORCH_PROGRAM} not found: the PyTorch comparison program is part of the repository`)
  const r = spawnSync(
    PYTHON,
    [path.join(here, 'python', script), path.dirname(TORCH_PROGRAM), ...args],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  )
  if (r.status !== 0) {
    throw new Error(
      /No module named 'torch'|torch is missing/.test(r.stderr) ? `torch is missing: ${INSTALL}` : `${script} failed: ${r.stderr}`,
    )
  }
  return JSON.parse(r.stdout)
}

const maxAbsDiff = (a: ReadonlyArray<ReadonlyArray<number>>, b: ReadonlyArray<ReadonlyArray<number>>): number => {
  expect(a.length).toBe(b.length)
  return Math.max(...a.map((row, i) => (expect(row.length).toBe(b[i]!.length), Math.max(...row.map((x, j) => Math.abs(x - b[i]![j]!))))))
}

/** grokscope predict --json's logits for pairs (a, b). */
const predictLogits = async (target: string, pairs: ReadonlyArray<readonly [number, number]>): Promise<number[][]> => {
  const r = await cli(['predict', target, '--json', '--pairs', ...pairs.map(([a, b]) => `${a},${b}`)])
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  return (JSON.parse(r.stdout) as Array<{ logits: number[] }>).map((x) => x.logits)
}

describe('TransformerLens checkpoints across languages', () => {
  it('grokscope export → PyTorch (json + struct + torch.frombuffer) → grokscope_torch.py’s model: ' +
    'the logits of grokscope predict within 1e-4', async () => {
    const fixture = fixturePath('add-p31-s0.json')
    const out = path.join(tmp(), 'tl')
    const exported = await cli(['export', fixture, '--out', out])
    expect(exported.code).toBe(0)
    const probe = (JSON.parse(readFileSync(fixture, 'utf8')) as { probe_inputs: number[][] }).probe_inputs
    const fromPython = python('tl_read.py', [out, JSON.stringify(probe)]) as {
      logits: number[][]
      task: Record<string, unknown>
      keys: string[]
    }
    const ours = await predictLogits(out, probe.map(([a, , b]) => [a!, b!] as const))
    const delta = maxAbsDiff(ours, fromPython.logits)
    process.stdout.write(`export → PyTorch: max |Δlogit| = ${delta.toExponential(3)} over ${probe.length} probe inputs × 31 logits\n`)
    expect(delta).toBeLessThan(TOLERANCE)
    expect(fromPython.task).toMatchObject({ p: 31, ops: ['add'], op_tokens: [31], seed: 0, frac: 0.5 })
    expect(fromPython.keys).toContain('unembed.b_U')
    // The checkpoint is the same model as the weights file it came from.
    expect(
      maxAbsDiff(
        await predictLogits(fixture, [[3, 5], [30, 30]]),
        await predictLogits(path.join(out, 'model.safetensors'), [[3, 5], [30, 30]]),
      ),
    ).toBe(0)
  }, 120_000)

  it('a safetensors written from PyTorch (with the mask and IGNORE buffers and zero biases) ' +
    'loads in grokscope predict and analyze with PyTorch’s logits', async () => {
    const dir = tmp()
    const p = 11
    const pairs = Array.from({ length: 40 }, (_, i) => [(i * 7) % p, (i * 3 + 1) % p] as const)
    const fromPython = python('tl_write.py', [dir, String(p), '5', JSON.stringify(pairs.map(([a, b]) => [a, p, b]))]) as {
      logits: number[][]
    }
    const delta = maxAbsDiff(await predictLogits(dir, pairs), fromPython.logits)
    process.stdout.write(`PyTorch → grokscope: max |Δlogit| = ${delta.toExponential(3)}\n`)
    expect(delta).toBeLessThan(TOLERANCE)
    const analyzed = await cli(['analyze', path.join(dir, 'model.safetensors'), '--json'])
    expect(analyzed.code).toBe(0)
    expect(JSON.parse(analyzed.stdout) as { p: number; ops: string[] }).toMatchObject({ p, ops: ['add'] })
  }, 120_000)
})

describe('bad checkpoints: one line, exit code 2', () => {
  it('export refuses a missing model and an existing checkpoint, and writes nothing', { timeout: 60_000 }, async () => {
    const dir = tmp()
    const missing = await cli(['export', path.join(dir, 'nope.json'), '--out', path.join(dir, 'a')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(
      /^grokscope: error: .*nope\.json does not exist \(give a run folder, a weights \.json file, a \.safetensors file or a folder holding model\.safetensors\)\n$/,
    )
    expect(existsSync(path.join(dir, 'a'))).toBe(false)
    const out = path.join(dir, 'b')
    expect((await cli(['export', fixturePath('add-p31-s0.json'), '--out', out])).code).toBe(0)
    const before = readFileSync(path.join(out, 'model.safetensors'))
    const again = await cli(['export', fixturePath('mul-p31-s0.json'), '--out', out])
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(
      /^grokscope: error: --out: .*model\.safetensors exists \(an existing file is never overwritten; give another folder\)\n$/,
    )
    expect(readFileSync(path.join(out, 'model.safetensors')).equals(before)).toBe(true)
  })

  it('a misshapen or missing tensor, a non-zero bias, or a damaged file names the problem', { timeout: 120_000 }, async () => {
    const dir = tmp()
    python('tl_write.py', [dir, '7', '1', '[[1,7,2]]'])
    const bytes = readFileSync(path.join(dir, 'model.safetensors'))
    const { writeFileSync, copyFileSync, mkdirSync } = await import('node:fs')
    type Header = Record<string, { shape: number[]; data_offsets: [number, number] }>
    const variant = (name: string, edit: (header: Header, data: Buffer) => void): string => {
      const n = Number(bytes.readBigUInt64LE(0))
      const header = JSON.parse(bytes.subarray(8, 8 + n).toString()) as Header
      const data = Buffer.from(bytes.subarray(8 + n))
      edit(header, data)
      const text = Buffer.from(JSON.stringify(header))
      const padded = Buffer.concat([text, Buffer.alloc((8 - (text.length % 8)) % 8, 0x20)])
      const len = Buffer.alloc(8)
      len.writeBigUInt64LE(BigInt(padded.length))
      const sub = path.join(dir, name)
      mkdirSync(sub)
      writeFileSync(path.join(sub, 'model.safetensors'), Buffer.concat([len, padded, data]))
      copyFileSync(path.join(dir, 'config.json'), path.join(sub, 'config.json'))
      return sub
    }
    const renamed = variant('renamed', (h) => {
      h['blocks.0.attn.W_Qx'] = h['blocks.0.attn.W_Q']!
      delete h['blocks.0.attn.W_Q']
    })
    const reshaped = variant('reshaped', (h) => {
      h['blocks.0.mlp.W_in']!.shape = [64, 32]
    })
    const biased = variant('biased', (h, data) => data.writeFloatLE(0.25, h['unembed.b_U']!.data_offsets[0]))
    const cases: Array<[string, RegExp]> = [
      [biased, /model\.safetensors: safetensors: unembed\.b_U is not zero \(grokscope’s model has no biases; allowed: zeros\)$/],
      [renamed, /model\.safetensors: safetensors: blocks\.0\.attn\.W_Q is missing$/],
      [reshaped, /model\.safetensors: safetensors: blocks\.0\.mlp\.W_in has shape \[64,32\], the config needs \[32,64\]$/],
    ]
    const truncated = path.join(dir, 'truncated.safetensors')
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 3))
    cases.push([truncated, /truncated\.safetensors: safetensors: the tensors cover \d+ bytes of data, the file holds \d+$/])
    for (const [target, message] of cases) {
      const r = await cli(['predict', target, '--pairs', '1,2'])
      expect(r.code).toBe(2)
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
      expect(r.stderr.trimEnd()).toMatch(message)
    }
  })
})
