/**
 * A run's state.json: the training state (`encodeTrainState` of `@grokscope/train`:
 * weights and the optimiser chain's state, what `--resume` continues from) with the
 * run's fingerprint, and its reading back against the run's config.json.
 *
 * @example
 * import { stateDocument, decodeStateDocument } from '@grokscope/runs'
 * declare const config: import('@grokscope/runs').RunConfig
 * declare const state: import('@grokscope/train').TrainState
 * const doc = JSON.parse(JSON.stringify(stateDocument(config, state)))
 * decodeStateDocument(doc, config, { state: 'state.json', config: 'config.json' })  // Right(a state equal to `state`)
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { type EncodedTrainState, type TrainState, decodeTrainState, encodeTrainState } from '@grokscope/train'
import { type RunConfig, runFingerprint } from './Config.js'
import { fingerprintDifference, recordedFingerprint } from './Fingerprint.js'

/** state.json's document: the training state and the run's fingerprint. */
export const stateDocument = (config: RunConfig, s: TrainState): unknown => encodedStateDocument(config, encodeTrainState(s))

/**
 * state.json's document of a training state already encoded (`encodeTrainState`, or `encodeTrainStateAsync` where
 * the backend is read asynchronously), with the run's fingerprint.
 *
 * @since 0.5.0
 */
export const encodedStateDocument = (config: RunConfig, encoded: EncodedTrainState): unknown => ({
  ...encoded,
  fingerprint: runFingerprint(config),
})

/**
 * A parsed state.json, checked against the run: its fingerprint against config.json's (a state
 * of another run is refused; one from before fingerprints has none), the model's shapes and the
 * optimiser's chain. Makes tensors (the backend must be ready). `files` name the two files in messages.
 */
export const decodeStateDocument = (
  doc: unknown,
  config: RunConfig,
  files: { readonly state: string; readonly config: string },
): E.Either<string, TrainState> => {
  const recorded = recordedFingerprint(doc)
  if (E.isLeft(recorded)) return E.left(`${files.state}: ${recorded.left}`)
  const difference =
    recorded.right === null ? null : fingerprintDifference(files.state, recorded.right, files.config, runFingerprint(config))
  if (difference !== null) return E.left(difference)
  return E.mapLeft((problem: string) => `${files.state}: ${problem}`)(decodeTrainState(doc, config.model, config.optimizer))
}
