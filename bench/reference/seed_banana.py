#!/usr/bin/python3
"""
PyTorch / numpy reference of seed 003's banana problem, for the side-by-side benchmark in
bench/banana.ts. The seed's models, run as fast as PyTorch runs them on a CPU, without changing
what they compute:

- data y (100 points, read from --data as float64 .npy) with y_i ~ N(theta1 + theta2^2, 2^2),
  prior theta ~ N(0, I);
- planar: the seed's NormalizingFlowPlanar(5) (raw u, log(det + 1e-15));
- realnvp: the seed's RealNVP(5) of AffineCoupling(mid_dim 5, hidden 3) with the seed's Scale nets
  (their hidden blocks are computed and discarded, as in the seed);
- both trained as the seed does: z0 ~ N(0, I) batch 256, loss = mean(-log|J| - log p(x, z_k)),
  Adam(lr 1e-2). --likelihood loop is the seed's Python loop over the data points;
  --likelihood vectorised (default, the faster) computes the same sum as one tensor expression;
- hmc: the seed's numpy HMC (fixed L, unit mass, leapfrog, Metropolis), with its rejection bug
  fixed (a rejected proposal repeats the previous point once), gradient written out; draws saved
  to --draws (.npy, [iterations, 2]) so that bench/banana.ts measures their ESS with the same
  estimator as ours.

Prints one JSON object: mode, versions, threads, steps (or iterations) per second, wall time, and for
the flows the median time of one step and the process's CPU time (both robust to other processes on a shared
machine; CPU time sums all threads).

  /usr/bin/python3 bench/reference/seed_banana.py --mode planar --data y.npy --steps 1000 --threads 1
  /usr/bin/python3 bench/reference/seed_banana.py --mode hmc --data y.npy --iterations 20000 --draws out.npy
"""
import argparse
import json
import platform
import resource
import time

import numpy as np


def parse():
    p = argparse.ArgumentParser()
    p.add_argument('--mode', choices=['planar', 'realnvp', 'hmc'], required=True)
    p.add_argument('--data', required=True)
    p.add_argument('--steps', type=int, default=1000)
    p.add_argument('--warmup', type=int, default=50)
    p.add_argument('--batch', type=int, default=256)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--likelihood', choices=['loop', 'vectorised'], default='vectorised')
    p.add_argument('--iterations', type=int, default=20000)
    p.add_argument('--L', type=int, default=30)
    p.add_argument('--step-size', type=float, default=0.05)
    p.add_argument('--draws', default=None)
    p.add_argument('--seed', type=int, default=2022)
    return p.parse_args()


def flows(args, data_np):
    import torch
    import torch.nn as nn
    from torch.nn import functional as F

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    data = torch.tensor(data_np, dtype=torch.float32)

    def log_joint_loop(x, zk):
        sigma_y = torch.tensor(2)
        sigma_theta = torch.tensor(1)
        t = torch.zeros(zk.shape[0])
        for x_i in x:
            t += - (x_i - zk[:, 0] - zk[:, 1] ** 2) ** 2 / (2 * sigma_y ** 2)
        return t - (zk[:, 0] ** 2 + zk[:, 1] ** 2) / (2 * sigma_theta ** 2)

    def log_joint_vec(x, zk):
        mu = zk[:, 0] + zk[:, 1] ** 2
        return -((x[None, :] - mu[:, None]) ** 2).sum(1) / 8.0 - (zk ** 2).sum(1) / 2.0

    log_joint = log_joint_loop if args.likelihood == 'loop' else log_joint_vec

    class PlanarFlow(nn.Module):
        def __init__(self, d=2):
            super().__init__()
            self.u = nn.Parameter(torch.rand(1, d))
            self.w = nn.Parameter(torch.rand(1, d))
            self.b = nn.Parameter(torch.rand(1))

        def forward(self, z):
            a = F.linear(z, self.w, self.b)
            t = torch.tanh(a)
            x = z + self.u * t
            psi = (1 - t ** 2) * self.w
            return x, torch.log(1 + torch.mm(psi, self.u.t()) + 1e-15)

    class Scale(nn.Module):
        def __init__(self, d=2, mid=5, hidden=3):
            super().__init__()
            self.in_block = nn.Sequential(nn.Linear(d // 2, mid), nn.ReLU())
            self.mid_block = nn.ModuleList([nn.Sequential(nn.Linear(mid, mid), nn.ReLU()) for _ in range(hidden - 1)])
            self.out_block = nn.Linear(mid, d // 2)

        def forward(self, x):
            x = self.in_block(x)
            for i in range(len(self.mid_block)):
                _ = self.mid_block[i](x)  # the seed computes and discards these
            return self.out_block(x)

    class AffineCoupling(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = Scale()
            self.translate = Scale()

        def forward(self, x):
            B, W = x.size()
            x = x.reshape((B, W // 2, 2))
            off, on = x[:, :, 0], x[:, :, 1]
            s = self.scale(off)
            on = on * torch.exp(s) + self.translate(off)
            return torch.stack((on, off), dim=2).reshape((B, W)), s.sum(-1)

    class Chain(nn.Module):
        def __init__(self, layers):
            super().__init__()
            self.layers = nn.Sequential(*layers)

        def forward(self, z):
            total = 0
            for layer in self.layers:
                z, ld = layer(z)
                total = total + ld
            return z, total

    flow = Chain([PlanarFlow() for _ in range(5)] if args.mode == 'planar' else [AffineCoupling() for _ in range(5)])
    opt = torch.optim.Adam(flow.parameters(), lr=1e-2)

    def step():
        z0 = torch.randn(args.batch, 2)
        zk, ld = flow(z0)
        opt.zero_grad()
        loss = (-ld.reshape(-1) - log_joint(data, zk)).mean()
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    t0 = time.perf_counter()
    c0 = time.process_time()
    loss = 0.0
    ends = np.empty(args.steps)
    for k in range(args.steps):
        loss = step()
        ends[k] = time.perf_counter()
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    step_ms = np.diff(np.concatenate(([t0], ends))) * 1000
    return {'steps': args.steps, 'steps_per_s': args.steps / wall, 'wall_s': wall, 'step_ms_median': float(np.median(step_ms)),
            'cpu_s': cpu, 'final_loss': loss, 'torch': torch.__version__, 'threads': torch.get_num_threads()}


def hmc(args, data):
    rng = np.random.default_rng(args.seed)

    def U(theta):
        return np.sum((data - theta[0] - theta[1] ** 2) ** 2) / (2 * 2.0 ** 2) + (theta[0] ** 2 + theta[1] ** 2) / 2

    def dU(theta):
        r = data - theta[0] - theta[1] ** 2
        s = np.sum(r) / 2.0 ** 2
        return np.array((-s + theta[0], -2 * theta[1] * s + theta[1]))

    x = np.array([1.0, 0.5])
    samples = np.empty((args.iterations, 2))
    accepted = 0
    t0 = time.perf_counter()
    c0 = time.process_time()
    for it in range(args.iterations):
        r = rng.normal(0, 1, 2)
        x_prev, r_prev = np.copy(x), np.copy(r)
        for _ in range(args.L):
            r = r - 0.5 * args.step_size * dU(x)
            x = x + args.step_size * r
            r = r - 0.5 * args.step_size * dU(x)
        ratio = np.exp(-(U(x) + 0.5 * r @ r) + (U(x_prev) + 0.5 * r_prev @ r_prev))
        if rng.uniform(0, 1) <= min(1.0, ratio):
            accepted += 1
        else:
            x = x_prev
        samples[it] = x
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    if args.draws:
        np.save(args.draws, samples)
    return {'iterations': args.iterations, 'iterations_per_s': args.iterations / wall, 'wall_s': wall, 'cpu_s': cpu,
            'acceptance': accepted / args.iterations, 'numpy': np.__version__}


def main():
    args = parse()
    data = np.load(args.data).astype(np.float64)
    out = hmc(args, data) if args.mode == 'hmc' else flows(args, data)
    out.update({'mode': args.mode, 'likelihood': args.likelihood, 'python': platform.python_version(),
                'max_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
    print(json.dumps(out))


if __name__ == '__main__':
    main()
