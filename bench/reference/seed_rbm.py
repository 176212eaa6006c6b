"""Seed 004's RBM in PyTorch, for bench/rbm.ts: CD-1 on 784 x 500, SGD 0.1, batch 64, one epoch = the
given images (dynamic binarisation, data.bernoulli(), as the seed).

  --mode seed    the seed's class and loop verbatim in spirit: autograd through F(v) - F(v_k)
  --mode manual  the same update written by hand under no_grad (addmm, in-place SGD): the fastest
                 PyTorch we know for this model

Prints one JSON line: seconds per epoch for each timed epoch (after --warmup epochs), the final loss.
"""
import argparse
import json
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--data', required=True)
p.add_argument('--mode', choices=['seed', 'manual'], default='seed')
p.add_argument('--threads', type=int, default=0)
p.add_argument('--epochs', type=int, default=3)
p.add_argument('--warmup', type=int, default=1)
p.add_argument('--batch', type=int, default=64)
p.add_argument('--hidden', type=int, default=500)
args = p.parse_args()
if args.threads > 0:
    torch.set_num_threads(args.threads)
torch.manual_seed(0)
images = torch.from_numpy(np.load(args.data).astype(np.float32))
n, V = images.shape


class RBM(nn.Module):
    def __init__(self, n_vis=784, n_hin=500, k=1):
        super().__init__()
        self.W = nn.Parameter(torch.randn(n_hin, n_vis) * 1e-2)
        self.v_bias = nn.Parameter(torch.zeros(n_vis))
        self.h_bias = nn.Parameter(torch.zeros(n_hin))
        self.k = k

    def sample_from_p(self, p):
        return F.relu(torch.sign(p - torch.rand(p.size())))

    def v_to_h(self, v):
        p_h = torch.sigmoid(F.linear(v, self.W, self.h_bias))
        return p_h, self.sample_from_p(p_h)

    def h_to_v(self, h):
        p_v = torch.sigmoid(F.linear(h, self.W.t(), self.v_bias))
        return p_v, self.sample_from_p(p_v)

    def forward(self, v):
        _, h1 = self.v_to_h(v)
        h_ = h1
        for _ in range(self.k):
            _, v_ = self.h_to_v(h_)
            _, h_ = self.v_to_h(v_)
        return v, v_

    def free_energy(self, v):
        vbias_term = v.mv(self.v_bias)
        wx_b = F.linear(v, self.W, self.h_bias)
        hidden_term = F.softplus(wx_b).sum(1)  # the seed's exp().add(1).log(), without its overflow
        return (-hidden_term - vbias_term).mean()


def epoch_seed(rbm, opt):
    losses = []
    perm = torch.randperm(n)
    for s in range(0, n, args.batch):
        data = images[perm[s:s + args.batch]].bernoulli()
        v, v1 = rbm(data)
        loss = rbm.free_energy(v) - rbm.free_energy(v1)
        losses.append(loss.item())
        opt.zero_grad()
        loss.backward()
        opt.step()
    return float(np.mean(losses))


def epoch_manual(W, vb, hb, lr=0.1):
    losses = []
    perm = torch.randperm(n)
    with torch.no_grad():
        for s in range(0, n, args.batch):
            v0 = images[perm[s:s + args.batch]].bernoulli()
            m = v0.shape[0]
            pre0 = torch.addmm(hb, v0, W.t())
            ph0 = torch.sigmoid(pre0)
            h0 = torch.bernoulli(ph0)
            pv = torch.sigmoid(torch.addmm(vb, h0, W))
            vk = torch.bernoulli(pv)
            prek = torch.addmm(hb, vk, W.t())
            phk = torch.sigmoid(prek)
            f0 = -(v0 @ vb) - F.softplus(pre0).sum(1)
            fk = -(vk @ vb) - F.softplus(prek).sum(1)
            losses.append((f0.mean() - fk.mean()).item())
            # dL/dW = <phk vk^T> - <ph0 v0^T>; one GEMM on the stacked batch.
            W.addmm_(torch.cat([phk, -ph0]).t(), torch.cat([vk, v0]), alpha=-lr / m)
            vb.add_(vk.mean(0) - v0.mean(0), alpha=-lr)
            hb.add_(phk.mean(0) - ph0.mean(0), alpha=-lr)
    return float(np.mean(losses))


times = []
if args.mode == 'seed':
    rbm = RBM(V, args.hidden, k=1)
    opt = torch.optim.SGD(rbm.parameters(), 0.1)
    step = lambda: epoch_seed(rbm, opt)
else:
    W = torch.randn(args.hidden, V) * 1e-2
    vb = torch.zeros(V)
    hb = torch.zeros(args.hidden)
    step = lambda: epoch_manual(W, vb, hb)
loss = None
for e in range(args.warmup + args.epochs):
    t0 = time.perf_counter()
    loss = step()
    dt = time.perf_counter() - t0
    if e >= args.warmup:
        times.append(dt)
print(json.dumps({'impl': 'torch', 'mode': args.mode, 'threads': torch.get_num_threads(), 'epoch_seconds': times, 'loss': loss, 'images': n}))
