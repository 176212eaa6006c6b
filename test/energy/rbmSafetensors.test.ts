import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from '../../src/checkpoint/safetensors.ts';
import { Rng } from '../../src/random/rng.ts';
import { freeEnergy, sampleBernoulli } from '../../src/energy/rbm.ts';
import { decodeRbm, encodeRbm, loadRbm, saveRbm } from '../../src/energy/rbmSafetensors.ts';
import { randomRbm } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'rbm-safetensors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0;

/** The seed's (004) class, verbatim in its parameters and free_energy; loads our file with json + struct + numpy only. */
const SEED_SCRIPT = String.raw`
import json, struct, sys
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F

class RBM(nn.Module):
    def __init__(self, n_vis=784, n_hin=500, k=5):
        super(RBM, self).__init__()
        self.W = nn.Parameter(torch.randn(n_hin, n_vis) * 1e-2)
        self.v_bias = nn.Parameter(torch.zeros(n_vis))
        self.h_bias = nn.Parameter(torch.zeros(n_hin))
        self.k = k
    def free_energy(self, v):
        vbias_term = v.mv(self.v_bias)
        wx_b = F.linear(v, self.W, self.h_bias)
        hidden_term = wx_b.exp().add(1).log().sum(1)
        return (-hidden_term - vbias_term).mean()

path, batch_path, n_vis, n_hid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with open(path, 'rb') as f:
    n = struct.unpack('<Q', f.read(8))[0]
    header = json.loads(f.read(n))
    data = f.read()
state = {}
for name, e in header.items():
    if name == '__metadata__':
        continue
    b, end = e['data_offsets']
    state[name] = torch.from_numpy(np.frombuffer(data[b:end], '<f4').reshape(e['shape']).copy())
rbm = RBM(n_vis=n_vis, n_hin=n_hid, k=1)
rbm.load_state_dict(state)
v = torch.from_numpy(np.fromfile(batch_path, '<f4').reshape(-1, n_vis))
with torch.no_grad():
    rows = [rbm.free_energy(v[i:i + 1]).item() for i in range(v.shape[0])]
    print(json.dumps({'rows': rows, 'mean': rbm.free_energy(v).item(), 'meta': header.get('__metadata__')}))
`;

describe('rbmSafetensors', () => {
  const model = randomRbm(20, 7, 31, 0.8, 0.5);

  it("writes the seed's names and shapes as float32 and round-trips", () => {
    const bytes = encodeRbm(model, { note: 'test' });
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(Object.keys(tensors).sort()).toEqual(['W', 'h_bias', 'v_bias']);
    expect(tensors.W).toMatchObject({ dtype: 'F32', shape: [7, 20] });
    expect(tensors.v_bias).toMatchObject({ dtype: 'F32', shape: [20] });
    expect(tensors.h_bias).toMatchObject({ dtype: 'F32', shape: [7] });
    expect(metadata).toEqual({ format: 'qubit-rx/1', model: 'bernoulli-rbm', note: 'test' });
    const back = decodeRbm(bytes).model;
    expect(back.visible).toBe(20);
    expect(back.hidden).toBe(7);
    expect(back.W).toEqual(Float64Array.from(Float32Array.from(model.W)));
    const path = join(dir, 'sub', 'rbm.safetensors');
    saveRbm(path, model);
    expect(loadRbm(path).model.hBias).toEqual(Float64Array.from(Float32Array.from(model.hBias)));
  });

  it('rejects files without the seed names or with mismatched shapes, naming the tensor', () => {
    const f32 = (n: number) => new Float32Array(n);
    const bad = encodeSafetensors({ W: { dtype: 'F32', shape: [2, 3], data: f32(6) }, v_bias: { dtype: 'F32', shape: [3], data: f32(3) } });
    expect(() => decodeRbm(bad, 'x.safetensors')).toThrow(/x.safetensors has no tensor h_bias/);
    const shape = encodeSafetensors({ W: { dtype: 'F32', shape: [2, 3], data: f32(6) }, v_bias: { dtype: 'F32', shape: [2], data: f32(2) }, h_bias: { dtype: 'F32', shape: [2], data: f32(2) } });
    expect(() => decodeRbm(shape, 'y')).toThrow(/y: tensor v_bias has shape \[2\] but W implies \[3\]/);
    expect(() => loadRbm(join(dir, 'missing.safetensors'))).toThrow(/cannot read RBM weights/);
  });

  it.skipIf(!hasTorch)("the seed's PyTorch class loads the file and gives the same free energies (float32)", () => {
    const path = join(dir, 'seed.safetensors');
    saveRbm(path, model);
    const v = sampleBernoulli(new Rng(4), new Float64Array(16 * 20).fill(0.5));
    const batchPath = join(dir, 'batch.f32');
    writeFileSync(batchPath, new Uint8Array(Float32Array.from(v).buffer));
    const run = spawnSync(PYTHON, ['-c', SEED_SCRIPT, path, batchPath, '20', '7'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).not.toMatch(/Traceback/);
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as { rows: number[]; mean: number; meta: Record<string, string> };
    const ours = freeEnergy(loadRbm(path).model, v);
    expect(out.rows.length).toBe(16);
    for (let r = 0; r < 16; r++) expect(Math.abs(out.rows[r] - ours[r])).toBeLessThan(1e-4 * (1 + Math.abs(ours[r])));
    expect(Math.abs(out.mean - ours.reduce((a, b) => a + b) / 16)).toBeLessThan(1e-4 * (1 + Math.abs(out.mean)));
    expect(out.meta.model).toBe('bernoulli-rbm');
  });

  if (!hasTorch) it('skips the PyTorch check: /usr/bin/python3 cannot import torch and numpy', () => {});
});
