/**
 * The `webgpu` backend: TF.js's @tensorflow/tfjs-backend-webgpu on Dawn's Node binding (npm
 * `webgpu`, which ships its prebuilt dawn.node inside the package). Both are optional dependencies,
 * imported only when this backend is tried, so a machine without them is unaffected.
 *
 * Whether Dawn has an adapter is asked in a child process first: Dawn reports why it found none
 * (no Vulkan loader, a Vulkan driver lacking a required feature, …) on the native stderr, which
 * Node cannot capture in-process, and a machine without an adapter then never loads Dawn here (nor
 * prints its warnings on every `auto` run).
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { tf } from './tf.ts';

/** The parts of Dawn's GPUAdapter, GPUDevice and GPU that activation uses (the full types are @webgpu/types). */
export interface DawnAdapter {
  readonly features: { has(name: string): boolean };
  readonly limits: Record<string, number>;
  readonly info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  requestDevice(descriptor?: { requiredFeatures?: string[]; requiredLimits?: Record<string, number> }): Promise<DawnDevice>;
}
export interface DawnDevice {
  destroy?(): void;
}
export interface DawnGpu {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<DawnAdapter | null>;
}
/** What `import('webgpu')` gives: `create(dawnOptions)` and the WebGPU globals (GPUBufferUsage, …). */
export interface DawnBinding {
  create(options: string[]): DawnGpu;
  globals: object;
}

/** The answer of {@link probeAdapter}. */
export interface AdapterProbe {
  found: boolean;
  /** The adapter (vendor, architecture, device, description), when found. */
  adapter: string;
  /** Why there is none, in Dawn's words where it gave any; '' when found. */
  reason: string;
}

export interface ActivateWebgpuOptions {
  /** Asks whether Dawn has an adapter (default: {@link probeAdapter}, once per process). */
  probe?: () => Promise<AdapterProbe>;
  /** Loads Dawn's binding in this process (default: `import('webgpu')`). */
  loadDawn?: () => Promise<DawnBinding>;
}

/** What an activated webgpu backend runs on. */
export interface WebgpuInfo {
  adapter: string;
}

const require = createRequire(import.meta.url);
const PACKAGES = ['webgpu', '@tensorflow/tfjs-backend-webgpu'] as const;
/** Priority of the registration, as tfjs-backend-webgpu registers itself (TF.js only uses it when no backend was set). */
const PRIORITY = 3;
const PROBE_TIMEOUT_MS = 30_000;

/**
 * Makes `webgpu` the active TF.js backend.
 *
 * @throws Error (first line for the user) when a package is missing, Dawn finds no adapter
 *   (`no WebGPU adapter (Dawn: …)`) or the backend fails to start. TF.js is left as it was:
 *   no `webgpu` registration, no `navigator.gpu`, the previously active backend still active.
 */
export async function activateWebgpu(options: ActivateWebgpuOptions = {}): Promise<WebgpuInfo> {
  for (const name of PACKAGES) {
    try {
      require.resolve(name);
    } catch {
      throw new Error(`package ${name} is not installed (npm install --save-optional webgpu @tensorflow/tfjs-backend-webgpu@4.22.0)`);
    }
  }
  const probe = await (options.probe ?? probeAdapterOnce)();
  if (!probe.found) throw new Error(`no WebGPU adapter (Dawn: ${probe.reason})`);

  const previous = tf.engine().backendName;
  const dawn = await (options.loadDawn ?? loadDawn)();
  let device: DawnDevice | undefined;
  let releaseNavigator = () => {};
  try {
    const gpu = dawn.create([]);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (adapter == null) throw new Error(`no WebGPU adapter in this process (Dawn's probe had found ${probe.adapter})`);
    device = await adapter.requestDevice(deviceDescriptor(adapter));
    // tfjs-backend-webgpu reads navigator.gpu and the GPU* constants as a browser provides them.
    Object.assign(globalThis, dawn.globals);
    releaseNavigator = provideNavigatorGpu(gpu);
    const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
    // The package registers a factory of its own on import; ours uses the device asked for above.
    if (tf.findBackendFactory('webgpu') != null) tf.removeBackend('webgpu');
    const ready = device;
    tf.registerBackend('webgpu', () => new WebGPUBackend(ready as never, adapter.info as never), PRIORITY);
    tf.env().set('PROD', true);
    if (!(await tf.setBackend('webgpu'))) throw new Error(`tf.setBackend('webgpu') failed on ${adapterName(adapter)}`);
    await tf.ready();
    return { adapter: adapterName(adapter) };
  } catch (err) {
    if (tf.findBackendFactory('webgpu') != null) tf.removeBackend('webgpu');
    device?.destroy?.();
    releaseNavigator();
    if (previous != null && previous !== 'webgpu' && tf.findBackendFactory(previous) != null) await tf.setBackend(previous);
    throw err;
  }
}

/**
 * Asks Dawn in a child process for a high-performance adapter. Never throws: a missing package, a
 * dawn.node that fails to load or a probe that hangs is a `found: false` with its reason.
 */
export async function probeAdapter(timeoutMs = PROBE_TIMEOUT_MS): Promise<AdapterProbe> {
  let url: string;
  try {
    url = pathToFileURL(require.resolve('webgpu')).href;
  } catch {
    return { found: false, adapter: '', reason: 'package webgpu is not installed' };
  }
  const script = [
    `const { create } = await import(${JSON.stringify(url)});`,
    `const a = await create([]).requestAdapter({ powerPreference: 'high-performance' });`,
    `const i = a?.info ?? {};`,
    `const adapter = a == null ? '' : [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ') || 'unnamed adapter';`,
    `process.stdout.write(JSON.stringify({ found: a != null, adapter }) + '\\n');`,
    `process.exit(0);`,
  ].join('\n');
  const { stdout, stderr, failure } = await new Promise<{ stdout: string; stderr: string; failure: string | null }>((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 20 }, (err, out, errOut) => {
      const failure = err == null ? null : err.killed ? `the adapter probe did not answer within ${timeoutMs / 1000} s` : `the adapter probe exited with code ${err.code}`;
      resolve({ stdout: String(out), stderr: String(errOut), failure });
    });
  });
  const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (failure == null && line != null) {
    const answer = JSON.parse(line) as { found: boolean; adapter: string };
    if (answer.found) return { found: true, adapter: answer.adapter, reason: '' };
    return { found: false, adapter: '', reason: dawnReason(stderr) || 'requestAdapter() returned null' };
  }
  return { found: false, adapter: '', reason: [dawnReason(stderr), failure ?? 'the adapter probe printed no answer'].filter(Boolean).join('; ') };
}

/**
 * Dawn's stderr as one line: its messages without the source locations (`at operator() (…:368)`)
 * or the `Warning:` / `Error:` prefixes, each once.
 *
 * @example
 *   dawnReason("Warning: Couldn't load Vulkan: libvulkan.so.1: …\n    at operator() (…BackendVk.cpp:368)\n")
 *   // → "Couldn't load Vulkan: libvulkan.so.1: …"
 */
export function dawnReason(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('at '))
    .map((l) => l.replace(/^(Warning|Error):\s*/, ''));
  return [...new Set(lines)].join('; ');
}

// Dawn's adapters do not change while a process runs: ask once (the probe costs a child process, ≈ 0.4 s).
let probed: Promise<AdapterProbe> | undefined;
function probeAdapterOnce(): Promise<AdapterProbe> {
  probed ??= probeAdapter();
  return probed;
}

async function loadDawn(): Promise<DawnBinding> {
  return (await import('webgpu')) as unknown as DawnBinding;
}

/** The features and limits tfjs-backend-webgpu's own factory asks for (large buffers need the adapter's limits, not the defaults). */
function deviceDescriptor(adapter: DawnAdapter): { requiredFeatures: string[]; requiredLimits: Record<string, number> } {
  const requiredFeatures = ['timestamp-query', 'bgra8unorm-storage'].filter((f) => adapter.features.has(f));
  const names = ['maxComputeWorkgroupStorageSize', 'maxComputeWorkgroupsPerDimension', 'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupSizeX', 'maxComputeInvocationsPerWorkgroup'];
  const requiredLimits = Object.fromEntries(names.filter((n) => adapter.limits[n] != null).map((n) => [n, adapter.limits[n]]));
  return { requiredFeatures, requiredLimits };
}

/** Sets `navigator.gpu` (Node 20 has no `navigator`; Node 21+ has one without `gpu`); returns the undo. */
function provideNavigatorGpu(gpu: DawnGpu): () => void {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator == null) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    // Dawn keeps the process alive while its GPU object is referenced: drop it on undo.
    return () => void delete (globalThis as { navigator?: unknown }).navigator;
  }
  Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  return () => void delete g.navigator?.gpu;
}

function adapterName(adapter: DawnAdapter): string {
  const i = adapter.info ?? {};
  return [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ') || 'unnamed adapter';
}
