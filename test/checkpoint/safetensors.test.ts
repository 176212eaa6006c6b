import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipe } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf, type Tensor } from '../../src/backend/tf.ts';
import { decodeSafetensors, encodeSafetensors, loadSafetensors, saveSafetensors, type SafeTensor } from '../../src/checkpoint/safetensors.ts';
import { binarizeStatic } from '../../src/data/binarize.ts';
import { loadShippedDigits } from '../../src/data/shippedDigits.ts';
import { imageVae, type ImageArchitecture, type ImageVaeOptions } from '../../src/models/image/imageVae.ts';
import { decode } from '../../src/operators/decode.ts';
import { elbo } from '../../src/operators/elbo.ts';
import { encode } from '../../src/operators/encode.ts';
import { runSync } from '../../src/operators/minimize.ts';
import { sampleLatent } from '../../src/operators/sampleLatent.ts';
import { Rng } from '../../src/random/rng.ts';

const PYTHON = '/usr/bin/python3';
const torchCheck = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
const HAS_TORCH = torchCheck.status === 0;

let dir = '';
let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'qubit-rx-safetensors-'));
  before = tf.memory().numTensors;
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  expect(tf.memory().numTensors).toBe(before);
});

const u64 = (n: number) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };

describe('safetensors codec', () => {
  it('writes the documented byte layout: u64 LE header length, space-padded JSON header, aligned little-endian data', () => {
    const bytes = encodeSafetensors({
      b: { dtype: 'F32', shape: [2], data: Float32Array.of(1.5, -2) },
      c: { dtype: 'U8', shape: [3], data: Uint8Array.of(1, 2, 3) },
      a: { dtype: 'I32', shape: [1, 1], data: Int32Array.of(-7) },
    }, { k: 'v' });
    // Tensors by decreasing element size, then name: a (I32), b (F32), c (U8).
    const json = '{"__metadata__":{"k":"v"},"a":{"dtype":"I32","shape":[1,1],"data_offsets":[0,4]},'
      + '"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]},"c":{"dtype":"U8","shape":[3],"data_offsets":[12,15]}}';
    const padded = json + ' '.repeat((8 - (json.length % 8)) % 8);
    const data = Buffer.alloc(15);
    data.writeInt32LE(-7, 0);
    data.writeFloatLE(1.5, 4);
    data.writeFloatLE(-2, 8);
    data.set([1, 2, 3], 12);
    const expected = Buffer.concat([u64(padded.length), Buffer.from(padded, 'utf8'), data]);
    expect(padded.length % 8).toBe(0);
    expect(Buffer.from(bytes).equals(expected)).toBe(true);
  });

  it('round-trips every dtype and reads files laid out by other writers (unpadded header, any key order)', () => {
    const tensors: Record<string, SafeTensor> = {
      f64: { dtype: 'F64', shape: [2, 1], data: Float64Array.of(Math.PI, -1e300) },
      f32: { dtype: 'F32', shape: [3], data: Float32Array.of(0.1, -0, Infinity) },
      i64: { dtype: 'I64', shape: [1], data: BigInt64Array.of(-(2n ** 62n)) },
      u16: { dtype: 'U16', shape: [2], data: Uint16Array.of(1, 65535) },
      i8: { dtype: 'I8', shape: [1], data: Int8Array.of(-128) },
      empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
    };
    const back = decodeSafetensors(encodeSafetensors(tensors));
    expect(back.metadata).toBeNull();
    for (const [name, t] of Object.entries(tensors)) {
      expect(back.tensors[name].dtype).toBe(t.dtype);
      expect(back.tensors[name].shape).toEqual(t.shape);
      expect(Array.from(back.tensors[name].data as ArrayLike<number | bigint>)).toEqual(Array.from(t.data as ArrayLike<number | bigint>));
    }
    const header = '{"w":{"data_offsets":[0,8],"shape":[2],"dtype":"F32"},"__metadata__":{"format":"pt"}}';
    const data = Buffer.alloc(8);
    data.writeFloatLE(3, 0);
    data.writeFloatLE(4, 4);
    const file = decodeSafetensors(Buffer.concat([u64(header.length), Buffer.from(header), data]));
    expect(Array.from(file.tensors.w.data as Float32Array)).toEqual([3, 4]);
    expect(file.metadata).toEqual({ format: 'pt' });
  });

  it('rejects corrupt files and bad tensors with messages naming the problem', () => {
    const file = (header: string, dataBytes: number) => Buffer.concat([u64(header.length), Buffer.from(header), Buffer.alloc(dataBytes)]);
    expect(() => decodeSafetensors(Buffer.alloc(5), 'x.safetensors')).toThrow(/x.safetensors: not a valid safetensors file: 5 bytes/);
    expect(() => decodeSafetensors(Buffer.concat([u64(1000), Buffer.from('{}')]))).toThrow(/header length 1000 exceeds the 2 bytes/);
    expect(() => decodeSafetensors(file('{"w":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}', 2))).toThrow(/tensor w: dtype "F16" is not one of/);
    expect(() => decodeSafetensors(file('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', 4))).toThrow(/tensor w: data_offsets \[0, 4\] span 4 bytes, but F32 \[2\] needs 8/);
    expect(() => decodeSafetensors(file('{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', 8))).toThrow(/tensor w starts at byte 4 of the data section, expected 0/);
    expect(() => decodeSafetensors(file('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 8))).toThrow(/cover 4 bytes of the 8-byte data section/);
    expect(() => decodeSafetensors(file('[1]', 0))).toThrow(/header must start with "\{"/);
    expect(() => encodeSafetensors({ w: { dtype: 'F32', shape: [3], data: Float32Array.of(1, 2) } })).toThrow(/tensor w has shape \[3\] \(3 values\) but 2 values/);
    expect(() => encodeSafetensors({ w: { dtype: 'F32', shape: [1], data: Float64Array.of(1) } })).toThrow(/tensor w is F32 but its data is a Float64Array/);
  });
});

describe('model weights in safetensors', () => {
  it('saveSafetensors / loadSafetensors round-trip a model\'s variables by name and refuse another architecture', () => {
    const a = imageVae({ architecture: 'mlp', likelihood: 'normal' }, new Rng(1));
    const b = imageVae({ architecture: 'mlp', likelihood: 'normal' }, new Rng(2));
    const path = join(dir, 'mlp.safetensors');
    saveSafetensors(path, [a.encoder, a.decoder], { metadata: { architecture: 'mlp' } });
    const meta = loadSafetensors(path, [b.encoder, b.decoder]);
    expect(meta).toEqual({ format: 'qubit-rx/1', architecture: 'mlp' });
    const va = [...a.encoder.namedVariables(), ...a.decoder.namedVariables()];
    const vb = new Map([...b.encoder.namedVariables(), ...b.decoder.namedVariables()]);
    for (const [name, v] of va) expect(Array.from(vb.get(name)!.dataSync())).toEqual(Array.from(v.dataSync()));
    // The header names every variable with its shape (what a PyTorch user reads).
    const header = decodeSafetensors(readFileSync(path)).tensors;
    expect(header['encoder/hidden1/weight'].shape).toEqual([784, 512]);
    expect(header['decoder/log_scale'].shape).toEqual([1]);
    // The encoder alone loads from the whole model's file only when asked to ignore the rest.
    expect(() => loadSafetensors(path, [b.encoder])).toThrow(/has tensors the model does not have: decoder\/hidden1\/bias, decoder\/hidden1\/weight/);
    loadSafetensors(path, [b.encoder], { strict: false });
    const other = imageVae({ architecture: 'mlp', likelihood: 'bernoulli', zDim: 3 }, new Rng(3));
    expect(() => loadSafetensors(path, [other.encoder, other.decoder])).toThrow(/tensor encoder\/mu\/weight has shape \[512, 2\] but the model expects \[512, 3\]/);
    expect(() => loadSafetensors(join(dir, 'missing.safetensors'), [other.encoder])).toThrow(/cannot read weights .*missing.safetensors/);
    for (const m of [a, b, other]) { m.encoder.dispose(); m.decoder.dispose(); }
  });
});

/** The seeds' models in PyTorch, loading our safetensors files with json + struct + numpy only (torch 1.13 has no safetensors package). */
const TORCH_SCRIPT = String.raw`
import json, struct, sys
import numpy as np, torch
import torch.nn as nn, torch.nn.functional as F
from torch.distributions import Bernoulli, Normal, kl_divergence

DTYPES = {'F32': '<f4', 'F64': '<f8', 'I32': '<i4'}
def load_safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    header.pop('__metadata__', None)
    return {k: torch.from_numpy(np.frombuffer(data[v['data_offsets'][0]:v['data_offsets'][1]], DTYPES[v['dtype']]).reshape(v['shape']).copy())
            for k, v in header.items()}

def to_state_dict(ours, names):
    # Our layouts: Linear weight [in, out] (PyTorch's transposed), conv kernels [kh, kw, a, b] (Keras's).
    sd = {}
    for name, t in ours.items():
        layer, leaf = name.rsplit('/', 1)
        if leaf == 'log_scale':
            sd['log_scale'] = t
        elif leaf == 'weight':
            sd[names[layer] + '.weight'] = t.T.contiguous()
        elif leaf == 'kernel':
            sd[names[layer] + '.weight'] = t.permute(3, 2, 0, 1).contiguous()
        else:
            sd[names[layer] + '.' + leaf] = t
    return sd

class Seed003VAE(nn.Module):
    """Seed 003 problem 4's VAE (its fc_mu, used in forward, restored in __init__)."""
    def __init__(self, input_dim=28 * 28, enc_out_dim=512, latent_dim=2):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(input_dim, enc_out_dim), nn.ReLU())
        self.decoder = nn.Sequential(nn.Linear(latent_dim, enc_out_dim), nn.ReLU(), nn.Linear(enc_out_dim, input_dim))
        self.fc_mu = nn.Linear(enc_out_dim, latent_dim)
        self.fc_var = nn.Linear(enc_out_dim, latent_dim)
        self.log_scale = nn.Parameter(torch.Tensor([0.0]))
    def q(self, x):
        h = self.encoder(x)
        return Normal(self.fc_mu(h), torch.exp(self.fc_var(h) / 2))
    def p(self, z, likelihood):
        x_hat = self.decoder(z)
        return Bernoulli(logits=x_hat) if likelihood == 'bernoulli' else Normal(x_hat, torch.exp(self.log_scale))
SEED003_NAMES = {'encoder/hidden1': 'encoder.0', 'encoder/mu': 'fc_mu', 'encoder/log_var': 'fc_var', 'decoder/hidden1': 'decoder.0', 'decoder/out': 'decoder.2'}

class Seed004Encoder(nn.Module):
    def __init__(self, D_in, H, latent_size):
        super().__init__()
        self.linear1 = nn.Linear(D_in, H); self.linear2 = nn.Linear(H, H)
        self.enc_mu = nn.Linear(H, latent_size); self.enc_log_sigma = nn.Linear(H, latent_size)
    def forward(self, x):
        x = F.relu(self.linear1(x)); x = F.relu(self.linear2(x))
        return Normal(loc=self.enc_mu(x), scale=torch.exp(self.enc_log_sigma(x)))
class Seed004Decoder(nn.Module):
    def __init__(self, D_in, H, D_out):
        super().__init__()
        self.linear1 = nn.Linear(D_in, H); self.linear2 = nn.Linear(H, D_out)
    def forward(self, x):
        mu = torch.tanh(self.linear2(F.relu(self.linear1(x))))
        return Normal(mu, torch.ones_like(mu))
class Seed004VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = Seed004Encoder(784, 512, 8); self.decoder = Seed004Decoder(8, 512, 784)
    def q(self, x): return self.encoder(x)
    def p(self, z, likelihood): return self.decoder(z)
SEED004_NAMES = {'encoder/hidden1': 'encoder.linear1', 'encoder/hidden2': 'encoder.linear2', 'encoder/mu': 'encoder.enc_mu',
                 'encoder/log_sigma': 'encoder.enc_log_sigma', 'decoder/hidden1': 'decoder.linear1', 'decoder/out': 'decoder.linear2'}

class KerasConvVAE(nn.Module):
    """The Keras example's VAE in PyTorch: TF 'same' padding for stride 2 pads (0, 1); Flatten/Reshape in NHWC order."""
    def __init__(self, latent_dim=2):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, stride=2); self.conv2 = nn.Conv2d(32, 64, 3, stride=2)
        self.dense = nn.Linear(7 * 7 * 64, 16); self.z_mean = nn.Linear(16, latent_dim); self.z_log_var = nn.Linear(16, latent_dim)
        self.dec_dense = nn.Linear(latent_dim, 7 * 7 * 64)
        self.deconv1 = nn.ConvTranspose2d(64, 64, 3, stride=2); self.deconv2 = nn.ConvTranspose2d(64, 32, 3, stride=2)
        self.deconv3 = nn.ConvTranspose2d(32, 1, 3, stride=1, padding=1)
    def q(self, x):
        h = F.relu(self.conv1(F.pad(x.view(-1, 1, 28, 28), (0, 1, 0, 1))))
        h = F.relu(self.conv2(F.pad(h, (0, 1, 0, 1))))
        h = F.relu(self.dense(h.permute(0, 2, 3, 1).flatten(1)))
        return Normal(self.z_mean(h), torch.exp(self.z_log_var(h) / 2))
    def p(self, z, likelihood):
        h = F.relu(self.dec_dense(z)).view(-1, 7, 7, 64).permute(0, 3, 1, 2)
        h = F.relu(self.deconv1(h)[..., :-1, :-1])
        h = F.relu(self.deconv2(h)[..., :-1, :-1])
        logits = self.deconv3(h).permute(0, 2, 3, 1).flatten(1)
        return Bernoulli(logits=logits)
CONV_NAMES = {'encoder/conv1': 'conv1', 'encoder/conv2': 'conv2', 'encoder/dense': 'dense', 'encoder/z_mean': 'z_mean', 'encoder/z_log_var': 'z_log_var',
              'decoder/dense': 'dec_dense', 'decoder/deconv1': 'deconv1', 'decoder/deconv2': 'deconv2', 'decoder/deconv3': 'deconv3'}

MODELS = {'mlp': (Seed003VAE, SEED003_NAMES), 'mlp8': (Seed004VAE, SEED004_NAMES), 'conv': (KerasConvVAE, CONV_NAMES)}
out = {}
for case in json.loads(sys.argv[1]):
    cls, names = MODELS[case['architecture']]
    model = cls()
    # Every tensor must land; only seed 003's log_scale may be absent (a Bernoulli decoder has no scale).
    missing, unexpected = model.load_state_dict(to_state_dict(load_safetensors(case['weights']), names), strict=False)
    assert not unexpected and set(missing) <= ({'log_scale'} if case['likelihood'] == 'bernoulli' else set()), (missing, unexpected)
    batch = load_safetensors(case['batch'])
    x, eps = batch['x'], batch['eps']
    with torch.no_grad():
        q = model.q(x)
        z = q.loc + q.scale * eps
        p = model.p(z, case['likelihood'])
        elbo = p.log_prob(x).sum(-1) - kl_divergence(q, Normal(0.0, 1.0)).sum(-1)
    out[case['name']] = {'elbo': elbo.tolist(), 'loc': q.loc.flatten().tolist(), 'scale': q.scale.flatten().tolist(), 'mean': p.mean.flatten().tolist()}
print(json.dumps(out))
`;

interface CrossCase { name: string; architecture: ImageArchitecture; options: Omit<ImageVaeOptions, 'architecture'>; x: Float32Array; logScale?: number }

describe('PyTorch loads the weights', () => {
  it.skipIf(!HAS_TORCH)(`the seeds' PyTorch models (and the Keras VAE ported to PyTorch) compute our ELBO on the same batch and noise${HAS_TORCH ? '' : ' — skipped: /usr/bin/python3 cannot import torch'}`, () => {
    const { test } = loadShippedDigits();
    const n = 6;
    const grey = test.images.subarray(0, n * 784);
    const binary = binarizeStatic(grey, new Rng(0));
    const cases: CrossCase[] = [
      { name: 'seed003-normal', architecture: 'mlp', options: { likelihood: 'normal' }, x: Float32Array.from(grey), logScale: -0.9 },
      { name: 'seed003-bernoulli', architecture: 'mlp', options: { likelihood: 'bernoulli' }, x: binary },
      { name: 'seed004-normal', architecture: 'mlp8', options: { likelihood: 'normal', scale: 1, mean: 'tanh' }, x: grey.map((v) => v - 0.5) },
      { name: 'keras-conv-bernoulli', architecture: 'conv', options: { likelihood: 'bernoulli' }, x: binary },
    ];
    type Quantities = { elbo: number[]; loc: number[]; scale: number[]; mean: number[] };
    const ours: Record<string, Quantities> = {};
    const spec = cases.map((c, i) => {
      const { encoder, decoder } = imageVae({ architecture: c.architecture, ...c.options }, new Rng(10 + i));
      if (c.logScale !== undefined) tf.tidy(() => Object.fromEntries(decoder.namedVariables())['decoder/log_scale'].assign(tf.tensor1d([c.logScale!])));
      const x = tf.tensor2d(c.x, [n, 784]);
      const zDim = encoder.zDim;
      const seed = 100 + i;
      const [value, eps, loc, scale, mean] = tf.tidy(() => {
        const o = runSync(pipe(encode<{ x: Tensor }>(encoder), sampleLatent({ plan: 'A', rng: new Rng(seed) }), decode(decoder), elbo()), { x });
        // sampleLatent's noise, regenerated: z = μ + σ·ε with ε = randomNormal(shape, seed of the Rng's first draw).
        const e = tf.randomNormal([n, zDim], 0, 1, 'float32', new Rng(seed).seed());
        const z = tf.add(o.q.loc, tf.mul(o.q.scale, e));
        const zd = z.dataSync(), od = o.z.dataSync();
        for (let k = 0; k < zd.length; k++) expect(od[k]).toBeCloseTo(zd[k], 5);
        return [tf.neg(tf.add(o.reconstruction, o.kl)), e, o.q.loc, o.q.scale, o.p.mean()];
      });
      const list = (t: Tensor) => Array.from(t.dataSync());
      ours[c.name] = { elbo: list(value), loc: list(loc), scale: list(scale), mean: list(mean) };
      const weights = join(dir, `${c.name}.safetensors`);
      const batch = join(dir, `${c.name}-batch.safetensors`);
      saveSafetensors(weights, [encoder, decoder], { metadata: { architecture: c.architecture } });
      writeFileSync(batch, encodeSafetensors({
        x: { dtype: 'F32', shape: [n, 784], data: c.x },
        eps: { dtype: 'F32', shape: [n, zDim], data: eps.dataSync() as Float32Array },
      }));
      tf.dispose([value, eps, loc, scale, mean, x]);
      encoder.dispose();
      decoder.dispose();
      return { name: c.name, architecture: c.architecture, likelihood: c.options.likelihood, weights, batch };
    });
    const run = spawnSync(PYTHON, ['-c', TORCH_SCRIPT, JSON.stringify(spec)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    expect(run.status, run.stderr).toBe(0);
    const theirs = JSON.parse(run.stdout) as Record<string, Quantities>;
    for (const c of cases) {
      // q(z|x) and the decoder's means element by element: these see any layout or padding slip,
      // which the ELBO of a freshly initialised model would average away.
      for (const key of ['loc', 'scale', 'mean'] as const) {
        const a = ours[c.name][key], b = theirs[c.name][key];
        expect(a.length).toBe(b.length);
        const scale = Math.max(...b.map(Math.abs));
        const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
        expect(worst / scale, `${c.name} ${key}`).toBeLessThan(1e-5);
      }
      expect(theirs[c.name].elbo.length).toBe(n);
      theirs[c.name].elbo.forEach((v, r) => {
        const mine = ours[c.name].elbo[r];
        // float32 sums over 784 pixels in two frameworks agree to ≲ 1e-6 relative (measured ≤ 8e-7).
        expect(Math.abs(mine - v), `${c.name} record ${r}: ours ${mine}, PyTorch ${v}`).toBeLessThan(1e-5 * Math.abs(v) + 1e-3);
      });
    }
  });
});
