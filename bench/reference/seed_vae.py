#!/usr/bin/python3
"""
PyTorch reference of seed 000's VAE ("Emergent Classicality"), for the side-by-side benchmark
in bench/run.ts. Written to run the seed's model as fast as PyTorch runs it on a CPU, without
changing what it computes:

- Dipolar1D / Dipolar3D samplers and log-probabilities as the seed describes them;
- Apparatus: the seed's autoregressive sampler (a Python loop over the N qubits, vectorised over
  the batch) with the *consistent* backaction b(x) = artanh(x3 tanh eps) that our simulator uses
  (= eps*x on the fixed axis), under torch.no_grad;
- Encoder(x_dim, z_dim, v_dim = 2 x_dim^2 + z_dim + 5): attention Linear(d, 4v) ELU Linear(4v, 1)
  Softmax(dim=-2), value Linear(d, 4v) ELU Linear(4v, v), h = sum_i [x_i, v_i] a_i, mu and logstd
  Linear(d + v, z_dim);
- Decoder(z_dim): Linear(z, 4) ELU Linear(4, 1) Tanh -> polarisation m (shrunk by 1 - 1e-6 as in
  ours, so float32 saturation cannot give log 0);
- loss = sum_batch [ -sum_i log p(x_i|z) + reg * KL(q || N(0, 1)) ], plan A (one z per record) or
  plan B (one z per qubit); Adam(lr); a fresh apparatus batch every step; reg = tanh(step/200).

Prints one JSON object: the configuration, versions, thread settings, and per-step sampling and
training-step milliseconds (after `warmup` untimed steps).

  /usr/bin/python3 bench/reference/seed_vae.py --scheme random --epsilon 0.2 --N 200 --batch 50 \
      --zdim 1 --plan A --steps 200 --warmup 20 --threads 1
  ... --mode sampler     # the apparatus sampler alone
"""
import argparse
import json
import math
import os
import platform
import resource
import sys
import time

import torch
import torch.nn as nn

M_MAX = 1.0 - 1e-6
LOG_4PI = math.log(4 * math.pi)
LOG_2 = math.log(2.0)


class Dipolar1D:
    """x = +-1 with p(x) = (1 + x m)/2."""

    def __init__(self, m):
        self.m = m

    def sample(self):
        z = torch.bernoulli((1 - self.m) / 2)
        return 1 - 2 * z

    def log_prob(self, x):
        return torch.log1p(x * self.m) - LOG_2


class Dipolar3D:
    """Unit vectors with p(x) = (1 + x3 m)/(4 pi); x3 by inverse CDF, azimuth uniform."""

    def __init__(self, m):
        self.m = m

    def sample(self):
        m = self.m
        z = torch.rand_like(m)
        x3 = (m - 2 + 4 * z) / (1 + torch.sqrt((m - 1) ** 2 + 4 * m * z))
        theta = 2 * math.pi * torch.rand_like(m)
        rho = torch.sqrt(torch.clamp(1 - x3 ** 2, min=0))
        return torch.stack([rho * torch.cos(theta), rho * torch.sin(theta), x3], dim=-1)

    def log_prob(self, x):
        return torch.log1p(x[..., -1] * self.m) - LOG_4PI


class Apparatus:
    def __init__(self, epsilon, N, alpha0=0.0, scheme='random'):
        self.epsilon, self.N, self.alpha0, self.scheme = epsilon, N, alpha0, scheme
        self.dim = 1 if scheme == 'fixed' else 3
        self.t = math.tanh(epsilon)

    @torch.no_grad()
    def sample(self, batch_size):
        alpha = torch.full((batch_size,), float(self.alpha0))
        xs = []
        for _ in range(self.N):
            m = torch.tanh(alpha) * self.t
            if self.scheme == 'fixed':
                x = Dipolar1D(m).sample()
                alpha = alpha + self.epsilon * x
                xs.append(x.unsqueeze(-1))
            else:
                x = Dipolar3D(m).sample()
                alpha = alpha + torch.atanh(x[:, 2] * self.t)
                xs.append(x)
        return torch.stack(xs, dim=-2)  # [batch, N, dim]


class Encoder(nn.Module):
    def __init__(self, x_dim, z_dim, v_dim=None):
        super().__init__()
        v_dim = v_dim or 2 * x_dim ** 2 + z_dim + 5
        hidden = 4 * v_dim
        self.attention = nn.Sequential(nn.Linear(x_dim, hidden), nn.ELU(), nn.Linear(hidden, 1), nn.Softmax(dim=-2))
        self.value = nn.Sequential(nn.Linear(x_dim, hidden), nn.ELU(), nn.Linear(hidden, v_dim))
        self.mu = nn.Linear(x_dim + v_dim, z_dim)
        self.logstd = nn.Linear(x_dim + v_dim, z_dim)

    def forward(self, x):  # x [batch, N, d]
        # The seed's softmax of the score is the attention weight (its e^{-s} sign is absorbed in s).
        a = self.attention(x)  # [batch, N, 1]
        h = torch.sum(torch.cat([x, self.value(x)], dim=-1) * a, dim=-2)  # [batch, d + v]
        logstd = self.logstd(h)
        return self.mu(h), logstd


class Decoder(nn.Module):
    def __init__(self, z_dim):
        super().__init__()
        self.predict = nn.Sequential(nn.Linear(z_dim, 4 * z_dim), nn.ELU(), nn.Linear(4 * z_dim, 1), nn.Tanh())

    def forward(self, z):
        return self.predict(z).squeeze(-1) * M_MAX


class VAE(nn.Module):
    def __init__(self, z_dim, apparatus, plan='A', lr=1e-3):
        super().__init__()
        self.apparatus, self.plan = apparatus, plan
        self.encoder = Encoder(apparatus.dim, z_dim)
        self.decoder = Decoder(z_dim)
        self.dist = Dipolar1D if apparatus.dim == 1 else Dipolar3D
        self.optimizer = torch.optim.Adam(self.parameters(), lr=lr)
        self.reg = 1.0
        self.step = 0

    def loss(self, x):
        loc, logstd = self.encoder(x)
        scale = torch.exp(logstd)
        if self.plan == 'A':
            z = loc + scale * torch.randn_like(loc)  # [batch, z]
            m = self.decoder(z).unsqueeze(-1)  # [batch, 1], broadcast over qubits
        else:
            n = x.shape[1]
            eps = torch.randn((n,) + tuple(loc.shape))
            z = (loc + scale * eps).transpose(0, 1)  # [batch, N, z]
            m = self.decoder(z)  # [batch, N]
        xs = x[..., 0] if self.apparatus.dim == 1 else x
        re = -torch.sum(self.dist(m).log_prob(xs))
        kl = torch.sum(0.5 * (loc ** 2 + scale ** 2 - 1) - logstd)
        return re + self.reg * kl

    def train_step(self, x):
        self.step += 1
        self.reg = math.tanh(self.step / 200)
        loss = self.loss(x)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return loss


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    ap.add_argument('--scheme', choices=['fixed', 'random'], default='random')
    ap.add_argument('--epsilon', type=float, default=0.2)
    ap.add_argument('--N', type=int, default=200)
    ap.add_argument('--batch', type=int, default=50)
    ap.add_argument('--zdim', type=int, default=1)
    ap.add_argument('--plan', choices=['A', 'B'], default='A')
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--steps', type=int, default=100)
    ap.add_argument('--warmup', type=int, default=10)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--mode', choices=['train', 'sampler'], default='train')
    ap.add_argument('--per-step', action='store_true', help='include every step time in the JSON')
    args = ap.parse_args()
    for name in ('N', 'batch', 'zdim', 'steps', 'threads'):
        if getattr(args, name) < 1:
            ap.error(f'--{name} must be an integer >= 1 (got {getattr(args, name)})')

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    app = Apparatus(args.epsilon, args.N, scheme=args.scheme)
    vae = VAE(args.zdim, app, plan=args.plan, lr=args.lr)

    sample_ms, train_ms, losses = [], [], []
    t_start = time.perf_counter()
    for k in range(args.warmup + args.steps):
        t0 = time.perf_counter()
        x = app.sample(args.batch)
        t1 = time.perf_counter()
        if args.mode == 'train':
            losses.append(float(vae.train_step(x)))
        t2 = time.perf_counter()
        if k >= args.warmup:
            sample_ms.append((t1 - t0) * 1e3)
            train_ms.append((t2 - t1) * 1e3)
    wall = time.perf_counter() - t_start

    def median(v):
        s = sorted(v)
        return s[len(s) // 2] if s else None

    out = {
        'impl': 'pytorch',
        'config': {k: getattr(args, k) for k in ('scheme', 'epsilon', 'N', 'batch', 'zdim', 'plan', 'lr', 'steps', 'warmup', 'mode')},
        'threads': {
            'torch': torch.get_num_threads(),
            'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS'),
            'OPENBLAS_NUM_THREADS': os.environ.get('OPENBLAS_NUM_THREADS'),
            'LD_LIBRARY_PATH': os.environ.get('LD_LIBRARY_PATH'),
        },
        'versions': {'torch': torch.__version__, 'python': platform.python_version()},
        'sample_ms_median': median(sample_ms),
        'train_ms_median': median(train_ms),
        'step_ms_median': median([a + b for a, b in zip(sample_ms, train_ms)]),
        'step_ms_mean': (sum(sample_ms) + sum(train_ms)) / len(sample_ms),
        'wall_s': wall,
        # Per record, as our pipeline reports it.
        'final_loss': losses[-1] / args.batch if losses else None,
        'max_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if args.per_step:
        out['sample_ms'] = sample_ms
        out['train_ms'] = train_ms
    json.dump(out, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
