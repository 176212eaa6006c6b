import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS, BackendError, selectBackend } from '../../src/backend/selectBackend.ts';
import { tf } from '../../src/backend/tf.ts';
import { activateWebgpu, dawnReason, probeAdapter, type DawnBinding } from '../../src/backend/webgpu.ts';
import { runMain } from '../cli/runMain.ts';

const probe = await probeAdapter();
const out = mkdtempSync(join(tmpdir(), 'qubit-rx-backend-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** A 2×2 product on whatever backend is active: TF.js still computes. */
async function computes(): Promise<number[]> {
  const y = tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([1, 0, 0, 1], [2, 2]));
  const v = Array.from(await y.data());
  y.dispose();
  return v;
}

/** A Dawn whose adapter hands out a device TF.js's WebGPUBackend cannot use (its constructor throws). */
function brokenDawn(): DawnBinding {
  const adapter = { features: new Set<string>(), limits: {}, info: { vendor: 'fake', description: 'broken device' }, requestDevice: async () => ({}) };
  return { create: () => ({ requestAdapter: async () => adapter }), globals: {} };
}

describe('selectBackend with webgpu', () => {
  it('prefers tfjs-node-gpu, then webgpu, then tfjs-node, wasm, cpu', () => {
    expect(BACKENDS).toEqual(['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu']);
  });

  it("reads Dawn's stderr as one line: messages once each, without source locations", () => {
    const stderr = "Warning: Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file: No such file or directory\n"
      + '    at operator() (/home/runner/work/node-webgpu/third_party/dawn/src/dawn/native/vulkan/BackendVk.cpp:368)\n\n'
      + "Warning: Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file: No such file or directory\n"
      + '    at operator() (/x/BackendVk.cpp:368)\n'
      + 'Error: VK_KHR_maintenance1 is required\n';
    expect(dawnReason(stderr)).toBe("Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file: No such file or directory; VK_KHR_maintenance1 is required");
    expect(dawnReason('')).toBe('');
  });

  it.skipIf(probe.found)('where Dawn finds no adapter: auto skips webgpu with its reason and lands on wasm', async () => {
    const info = await selectBackend('auto');
    expect(['wasm', 'tfjs-node']).toContain(info.name);
    const skip = info.skipped.find((s) => s.startsWith('webgpu: '));
    expect(skip).toBe(`webgpu: no WebGPU adapter (Dawn: ${probe.reason})`);
    expect(skip).not.toMatch(/\n/);
    expect(await computes()).toEqual([1, 2, 3, 4]);
  });

  it.skipIf(probe.found)('where Dawn finds no adapter: explicit webgpu is a one-line BackendError, and wasm starts after it', async () => {
    const err = await selectBackend('webgpu').then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).message).toBe(`--backend webgpu is not usable here: webgpu: no WebGPU adapter (Dawn: ${probe.reason})`);
    expect(tf.findBackendFactory('webgpu')).toBeNull();
    expect((await selectBackend('wasm')).name).toBe('wasm');
    expect(await computes()).toEqual([1, 2, 3, 4]);
  });

  it('a webgpu backend that fails to start leaves TF.js as it was: no registration, no navigator.gpu, wasm still active', async () => {
    await selectBackend('wasm');
    const err = await activateWebgpu({ probe: async () => ({ found: true, adapter: 'fake', reason: '' }), loadDawn: async () => brokenDawn() }).then(() => null, (e: unknown) => e);
    expect((err as Error).message).toBe("tf.setBackend('webgpu') failed on fake broken device");
    expect(tf.findBackendFactory('webgpu')).toBeNull();
    expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeUndefined();
    expect(tf.getBackend()).toBe('wasm');
    expect(await computes()).toEqual([1, 2, 3, 4]);
    // And the next candidate starts as usual.
    expect((await selectBackend('cpu')).name).toBe('cpu');
    expect(await computes()).toEqual([1, 2, 3, 4]);
    await selectBackend('wasm');
  });

  it('names the reason the probe gave, and an adapter that vanished between probe and activation', async () => {
    await expect(activateWebgpu({ probe: async () => ({ found: false, adapter: '', reason: 'VK_ERROR_INCOMPATIBLE_DRIVER' }) }))
      .rejects.toThrow(/^no WebGPU adapter \(Dawn: VK_ERROR_INCOMPATIBLE_DRIVER\)$/);
    const none: DawnBinding = { create: () => ({ requestAdapter: async () => null }), globals: {} };
    await expect(activateWebgpu({ probe: async () => ({ found: true, adapter: 'gpu0', reason: '' }), loadDawn: async () => none }))
      .rejects.toThrow("no WebGPU adapter in this process (Dawn's probe had found gpu0)");
    expect(tf.getBackend()).toBe('wasm');
  });
});

describe('the CLI with --backend webgpu', () => {
  it.skipIf(probe.found)('explicit webgpu without an adapter: one line naming Dawn\'s reason, exit 2, nothing written', async () => {
    const dir = join(out, 'explicit');
    const r = await runMain(['train', '--backend', 'webgpu', '--steps', '2', '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: --backend webgpu is not usable here: webgpu: no WebGPU adapter (Dawn: ${probe.reason})\n`);
    expect(() => readdirSync(dir)).toThrow(/ENOENT/);
  });

  it.skipIf(probe.found)('auto without an adapter: trains on wasm and lists webgpu among the skipped', async () => {
    const r = await runMain(['train', '--scheme', 'fixed', '--qubits', '8', '--batch', '4', '--steps', '2', '--every', '2', '--eval-records', '20', '--out', join(out, 'auto')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr + r.stdout).toMatch(/^backend: (wasm|tfjs-node) \(skipped [^)\n]*\bwebgpu\b[^)\n]*\)$/m);
  });
});
