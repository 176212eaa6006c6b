#!/usr/bin/env python3
"""
PyTorch counterpart of bench/gpu-step.ts for the GPU device check (bench/gpu-check.ts): the same
workloads, timed the same way, on CUDA or the CPU. The models are the benchmark's references,
imported unchanged: bench/reference/seed_vae.py (the seed's VAE and its apparatus sampler) and
bench/reference/seed_image_vae.py (the MLP and conv image VAEs, the shipped digits).

- showcase / large: a fresh apparatus batch every step (random axis, eps 0.2; N 200 batch 50, or
  N 1000 batch 256), then VAE.train_step. On CUDA the sampler's tensors are created on the GPU
  (torch >= 2: `with torch.device('cuda')`), else on the CPU and copied over.
- mlp / conv: batches of 128 from a seeded shuffle, dynamically binarised, Adam 1e-3.

Time is read after torch.cuda.synchronize() (GPU work is asynchronous): after `warmup` untimed
steps and then every `sync-every` steps; steps/s = timed steps over the seconds between the first
and the last read. Stops early after `max-seconds` of timed steps. Prints one JSON line.

  python3 bench/gpu_reference.py --workload showcase --device cuda --steps 300 --warmup 20
"""
import argparse
import json
import os
import platform
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'reference'))

import torch  # noqa: E402

import seed_image_vae  # noqa: E402
import seed_vae  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--workload', choices=['showcase', 'large', 'mlp', 'conv'], default='showcase')
    ap.add_argument('--device', choices=['cuda', 'cpu'], default='cuda')
    ap.add_argument('--steps', type=int, default=100)
    ap.add_argument('--warmup', type=int, default=10)
    ap.add_argument('--max-seconds', type=float, default=30)
    ap.add_argument('--sync-every', type=int, default=10)
    ap.add_argument('--threads', type=int, default=0, help='torch.set_num_threads (0: torch default)')
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()
    if a.device == 'cuda' and not torch.cuda.is_available():
        ap.error('--device cuda: torch.cuda.is_available() is False')
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    dev = torch.device(a.device)
    sync = torch.cuda.synchronize if a.device == 'cuda' else (lambda: None)
    sample_on = 'cpu'

    if a.workload in ('showcase', 'large'):
        n, batch = (200, 50) if a.workload == 'showcase' else (1000, 256)
        app = seed_vae.Apparatus(0.2, n, scheme='random')
        vae = seed_vae.VAE(1, app, plan='A').to(dev)
        on_device = a.device == 'cuda' and hasattr(torch, 'set_default_device')
        sample_on = a.device if on_device else 'cpu'

        def step():
            if on_device:
                with dev:
                    x = app.sample(batch)
            else:
                x = app.sample(batch).to(dev)
            return vae.train_step(x) / batch
    else:
        data = seed_image_vae.load_digits().to(dev)
        batch = 128
        model = (seed_image_vae.Mlp() if a.workload == 'mlp' else seed_image_vae.Conv()).to(dev)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        state = {'order': torch.randperm(data.shape[0], device=dev), 'at': 0}
        sample_on = a.device

        def step():
            if state['at'] + batch > data.shape[0]:
                state['order'], state['at'] = torch.randperm(data.shape[0], device=dev), 0
            idx = state['order'][state['at']:state['at'] + batch]
            state['at'] += batch
            x = torch.bernoulli(data[idx])
            opt.zero_grad(set_to_none=True)
            loss = seed_image_vae.loss_fn(model, x)
            loss.backward()
            opt.step()
            return loss

    loss = None
    for _ in range(a.warmup):
        loss = step()
    sync()
    t0 = t_last = time.perf_counter()
    timed = 0
    for k in range(1, a.steps + 1):
        loss = step()
        if k % a.sync_every == 0 or k == a.steps:
            sync()
            t_last = time.perf_counter()
            timed = k
            if t_last - t0 > a.max_seconds:
                break
    seconds = t_last - t0
    json.dump({
        'impl': 'pytorch', 'workload': a.workload, 'backend': a.device,
        'device': torch.cuda.get_device_name(0) if a.device == 'cuda' else f'CPU, {torch.get_num_threads()} thread' + ('s' if torch.get_num_threads() != 1 else ''),
        'sample_on': sample_on, 'warmup': a.warmup, 'steps': timed, 'seconds': seconds,
        'steps_per_s': timed / seconds if seconds > 0 else None, 'ms_per_step': 1000 * seconds / timed if timed else None,
        'stopped_by_time': timed < a.steps, 'final_loss': float(loss) if loss is not None else None,
        'threads': torch.get_num_threads(), 'sync_every': a.sync_every,
        'versions': {'torch': torch.__version__, 'python': platform.python_version(), 'cuda': torch.version.cuda},
    }, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
