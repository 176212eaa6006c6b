/**
 * The webgpu backend against wasm: every model stage computed on both from the same seed (hence the
 * same weights), the same data and the same random draws (TF.js draws its seeded noise on the host,
 * so both backends see the same ε). Where Dawn finds no adapter the suite is skipped, its reason in
 * the suite's name and on the console; `scripts/gpu-check.sh` runs it on a lent GPU.
 * `WEBGPU_SUITE_BACKEND=cpu npx vitest run test/backend/webgpu.test.ts` runs the same comparisons
 * against TF.js's cpu backend instead, which checks the suite itself on a machine without a GPU.
 *
 * Tolerances are float32's: losses are sums over up to 10⁵ terms reduced in different orders (and
 * on wasm the encoder's attention pool is our native kernel, on webgpu the plain TF.js ops), so
 * they agree to ~1e-5 relative; gradients are compared by relative L2 error per variable.
 */
import { pipe } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, DEFAULT_CONFIG as VAE_CONFIG } from '../../pipelines/emergent-classicality.ts';
import { createImageVae, DEFAULT_CONFIG as IMAGE_CONFIG, DEFAULT_LATENT, trainingForward } from '../../pipelines/image-vae.ts';
import { createIsing, DEFAULT_CONFIG as ISING_CONFIG, lossOperator } from '../../pipelines/ising.ts';
import { selectBackend, type BackendName } from '../../src/backend/selectBackend.ts';
import { tf } from '../../src/backend/tf.ts';
import { probeAdapter } from '../../src/backend/webgpu.ts';
import { binarizeStatic } from '../../src/data/binarize.ts';
import { loadShippedDigits } from '../../src/data/shippedDigits.ts';
import { freeEnergy, rbmFrom, type Rbm } from '../../src/energy/rbm.ts';
import type { ImageSample } from '../../src/operators/imagesToTensor.ts';
import { decode } from '../../src/operators/decode.ts';
import { elbo } from '../../src/operators/elbo.ts';
import { encode } from '../../src/operators/encode.ts';
import { runSync } from '../../src/operators/minimize.ts';
import { sampleLatent } from '../../src/operators/sampleLatent.ts';
import type { Sample } from '../../src/operators/toTensor.ts';
import { Rng } from '../../src/random/rng.ts';

const against = (process.env.WEBGPU_SUITE_BACKEND ?? 'webgpu') as 'webgpu' | 'cpu';
const probe = against === 'webgpu' ? await probeAdapter() : { found: true, adapter: 'TF.js cpu (WEBGPU_SUITE_BACKEND=cpu)', reason: '' };
const where = probe.found ? `on ${probe.adapter}` : `skipped: no WebGPU adapter (Dawn: ${probe.reason})`;
if (!probe.found) console.log(`test/backend/webgpu.test.ts: webgpu correctness suite ${where}`);
const onGpu = probe.found ? it : it.skip;

/** A loss and the gradient of every variable it reaches, read back to the host. */
interface Computed {
  loss: number;
  grads: Record<string, Float32Array>;
  extra?: Record<string, number>;
}

/** Runs `compute` on wasm, then on webgpu, each building its model afresh from the same seed. */
async function onBoth(compute: () => Computed): Promise<Record<'wasm' | 'webgpu', Computed>> {
  const out = {} as Record<'wasm' | 'webgpu', Computed>;
  for (const [key, name] of [['wasm', 'wasm'], ['webgpu', against]] as const satisfies ReadonlyArray<readonly [string, BackendName]>) {
    await selectBackend(name);
    const before = tf.memory().numTensors;
    out[key] = compute();
    expect(tf.memory().numTensors, `${name}: tensors left behind`).toBe(before);
  }
  return out;
}

/** ∇loss by variable index (names differ between two builds of the same model), plus the loss. */
function lossAndGrads(variables: tf.Variable[], loss: () => tf.Scalar, extra?: () => Record<string, number>): Computed {
  const { value, grads } = tf.variableGrads(loss, variables);
  const out: Computed = { loss: value.dataSync()[0], grads: {} };
  variables.forEach((v, i) => {
    const g = grads[v.name];
    if (g != null) out.grads[`${i}:${v.shape.join('x')}`] = g.dataSync() as Float32Array;
  });
  tf.dispose([value, grads]);
  if (extra) out.extra = extra();
  return out;
}

function expectClose(r: Record<'wasm' | 'webgpu', Computed>, lossRtol: number, gradRtol: number): void {
  const { wasm, webgpu } = r;
  expect(Number.isFinite(webgpu.loss)).toBe(true);
  expect(Math.abs(webgpu.loss - wasm.loss), `loss ${webgpu.loss} vs ${wasm.loss}`).toBeLessThanOrEqual(lossRtol * Math.abs(wasm.loss) + 1e-6);
  expect(Object.keys(webgpu.grads)).toEqual(Object.keys(wasm.grads));
  expect(Object.keys(wasm.grads).length).toBeGreaterThan(0);
  for (const [k, a] of Object.entries(wasm.grads)) {
    const b = webgpu.grads[k];
    let diff = 0, norm = 0;
    for (let i = 0; i < a.length; i++) {
      diff += (a[i] - b[i]) ** 2;
      norm += a[i] ** 2;
    }
    expect(Math.sqrt(diff), `gradient ${k}: relative L2 error`).toBeLessThanOrEqual(gradRtol * Math.sqrt(norm) + 1e-6);
  }
  for (const [k, a] of Object.entries(wasm.extra ?? {})) {
    expect(Math.abs(webgpu.extra![k] - a), `${k}: ${webgpu.extra![k]} vs ${a}`).toBeLessThanOrEqual(lossRtol * Math.abs(a) + 1e-6);
  }
}

/** −F(v) of an RBM with TF.js ops: b·v + Σ_j softplus(c_j + W_j·v), v [batch, visible] → [batch]. */
function tfFreeEnergy(model: Rbm, v: Float64Array, batch: number): Float64Array {
  const f = tf.tidy(() => {
    const x = tf.tensor2d(Float32Array.from(v), [batch, model.visible]);
    const w = tf.tensor2d(Float32Array.from(model.W), [model.hidden, model.visible]);
    const pre = tf.add(tf.matMul(x, w, false, true), tf.tensor1d(Float32Array.from(model.hBias)));
    const vb = tf.sum(tf.mul(x, tf.tensor1d(Float32Array.from(model.vBias))), 1);
    return tf.neg(tf.add(vb, tf.sum(tf.softplus(pre), 1)));
  });
  const out = Float64Array.from(f.dataSync());
  f.dispose();
  return out;
}

beforeAll(async () => {
  await selectBackend('wasm');
});

describe(`webgpu against wasm, same weights and data (${where})`, () => {
  /** −ELBO and its gradients of the seed VAE at `config` on one sampled batch (reg: the KL weight). */
  const vaeLossAndGrads = (config: typeof VAE_CONFIG, reg: number) => {
    const model = createModel(config);
    const records = model.apparatus.sample(config.batch, model.rngs.data);
    const x = tf.tensor3d(records, [config.batch, config.qubits, model.apparatus.dim]);
    const forward = pipe(encode<Sample & { reg: number }>(model.encoder), sampleLatent({ plan: 'A', rng: model.rngs.latent }), decode(model.decoder), elbo());
    const out = lossAndGrads(model.optimizer.variables as tf.Variable[], () => tf.tidy(() => runSync(forward, { x, reg } as Sample & { reg: number }).loss as tf.Scalar));
    x.dispose();
    model.dispose();
    return out;
  };

  onGpu("seed VAE (showcase: random axis, ε 0.2, N 200, batch 50): −ELBO and every gradient", async () => {
    const r = await onBoth(() => vaeLossAndGrads({ ...VAE_CONFIG, checkpointEvery: 0 }, 0.5));
    expectClose(r, 1e-4, 2e-3);
  });

  onGpu('seed VAE, large configuration (N 1000, batch 256): −ELBO and every gradient', async () => {
    const r = await onBoth(() => vaeLossAndGrads({ ...VAE_CONFIG, qubits: 1000, batch: 256, checkpointEvery: 0 }, 1));
    expectClose(r, 1e-4, 2e-3);
  });

  onGpu('Ising autoregressive model (4×4, β 0.44, Z2-symmetrised, variational free energy): surrogate loss, F_q and gradients', async () => {
    const r = await onBoth(() => {
      const setup = createIsing(ISING_CONFIG);
      const objective = lossOperator(setup);
      let freeEnergy = NaN;
      const out = lossAndGrads(setup.network.variables, () => {
        const est = runSync(objective, { step: 1, rng: new Rng(7) });
        freeEnergy = est.scalars.free_energy;
        return est.loss as tf.Scalar;
      }, () => ({ free_energy: freeEnergy }));
      setup.dispose();
      return out;
    });
    expectClose(r, 1e-4, 2e-3);
  });

  for (const model of ['mlp', 'conv'] as const) {
    onGpu(`image VAE (${model}, batch 64 of the shipped digits): −ELBO and every gradient`, async () => {
      const { train } = loadShippedDigits();
      const batch = 64, pixels = train.rows * train.cols;
      const images = binarizeStatic(train.images.subarray(0, batch * pixels), new Rng(3));
      const config = { ...IMAGE_CONFIG, model, latent: DEFAULT_LATENT[model] };
      const r = await onBoth(() => {
        const vae = createImageVae(config, train);
        const x = tf.tensor2d(images, [batch, pixels]);
        const sample = { epoch: 0, index: 0, step: 0, size: batch, images, labels: train.labels.subarray(0, batch), indices: Uint32Array.from({ length: batch }, (_, i) => i), batchesPerEpoch: 1, x } as unknown as ImageSample;
        const forward = trainingForward(config, vae);
        const out = lossAndGrads(vae.optimizer.variables as tf.Variable[], () => tf.tidy(() => runSync(forward, sample).loss as tf.Scalar));
        x.dispose();
        vae.dispose();
        return out;
      });
      expectClose(r, 1e-4, 3e-3);
    });
  }

  onGpu('RBM free energy (784 × 50, binarised digits): TF.js F(v) on webgpu and wasm against src/energy (float64)', async () => {
    const rng = new Rng(11);
    const visible = 784, hidden = 50, batch = 100;
    const g = (n: number, s: number) => Float64Array.from({ length: n }, () => s * rng.normal());
    const model = rbmFrom({ visible, hidden, W: g(hidden * visible, 0.05), vBias: g(visible, 0.1), hBias: g(hidden, 0.1) });
    const { train } = loadShippedDigits();
    const v = Float64Array.from(binarizeStatic(train.images.subarray(0, batch * visible), new Rng(4)));
    const reference = freeEnergy(model, v);
    for (const name of ['wasm', against] as const) {
      await selectBackend(name);
      const f = tfFreeEnergy(model, v, batch);
      for (let k = 0; k < batch; k++) expect(Math.abs(f[k] - reference[k]), `${name}, record ${k}: ${f[k]} vs ${reference[k]}`).toBeLessThanOrEqual(1e-5 * Math.abs(reference[k]) + 1e-3);
    }
  });
});
