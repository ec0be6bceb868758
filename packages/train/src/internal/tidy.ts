import * as tf from '@tensorflow/tfjs-core'

/**
 * `tf.tidy` for results whose type tfjs's `TensorContainer` does not describe
 * (readonly interfaces, arrays of them): tidy walks every object and array of the
 * result and keeps the tensors it finds, whatever their static type.
 */
export const tidy = <T>(f: () => T): T => tf.tidy(() => f() as unknown as tf.TensorContainer) as unknown as T
