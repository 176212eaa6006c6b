import { tf, type Tensor } from '../backend/tf.ts';

/** What a JavaScript op's forward pass returns: its outputs' values and shapes, and its reverse mode. */
export interface JsOpResult {
  outputs: Array<{ values: Float32Array; shape: readonly number[] }>;
  /**
   * ∂J/∂input for every input (in order, each of its input's size), given ∂J/∂output for every
   * output (zeros for outputs the loss does not reach).
   */
  backward(dys: readonly Float32Array[]): Float32Array[];
}

/**
 * A differentiable TF.js op with several outputs whose forward and backward passes are JavaScript
 * functions over the inputs' values — tf.customGrad, which allows one output only, generalised.
 * Runs as one kernel launch each way whatever the maths inside, which is the point on wasm, where a
 * launch costs more than the arithmetic of these small flows. The caller owns the outputs. Not twice
 * differentiable.
 *
 * Built on the engine's `runKernelFunc` (what customGrad itself calls; internal to TF.js 4.x).
 * It reads its inputs back with dataSync: free on the CPU backends (wasm, cpu, tfjs-node), a sync
 * download on a GPU one, where these CPU-sized flows gain nothing anyway.
 *
 * @param forward receives the inputs' values (read once, float32) and returns outputs and reverse mode
 * @example
 *   const [y] = jsOp([x], ([v]) => ({
 *     outputs: [{ values: v.map((t) => 2 * t), shape: x.shape }],
 *     backward: ([dy]) => [dy.map((t) => 2 * t)],
 *   }));
 */
export function jsOp(inputs: readonly Tensor[], forward: (values: Float32Array[]) => JsOpResult): Tensor[] {
  const inputMap: Record<string, Tensor> = {};
  inputs.forEach((t, i) => {
    if (t.dtype !== 'float32') throw new TypeError(`jsOp: input ${i} must be float32 (got ${t.dtype})`);
    inputMap[i] = t;
  });
  let result: JsOpResult | undefined;
  const forwardFunc = (): Tensor[] => {
    result = forward(inputs.map((t) => t.dataSync() as Float32Array));
    return result.outputs.map((o) => tf.tensor(o.values, o.shape as number[], 'float32'));
  };
  const backwardsFunc = (dy: Tensor | Tensor[]): Record<string, () => Tensor> => {
    const dys = (Array.isArray(dy) ? dy : [dy]).map((t) => t.dataSync() as Float32Array);
    const grads = result!.backward(dys);
    const map: Record<string, () => Tensor> = {};
    inputs.forEach((t, i) => (map[i] = () => tf.tensor(grads[i], t.shape, 'float32')));
    return map;
  };
  const out = (tf.engine() as unknown as MultiOutputEngine).runKernelFunc({ forwardFunc, backwardsFunc, inputs: inputMap });
  return Array.isArray(out) ? out : [out];
}

interface MultiOutputEngine {
  runKernelFunc(params: {
    forwardFunc: (backend: unknown, save: (tensors: Tensor[]) => void) => Tensor[];
    backwardsFunc: (dys: Tensor | Tensor[], saved: Tensor[]) => Record<string, () => Tensor>;
    inputs: Record<string, Tensor>;
  }): Tensor[] | Tensor;
}
