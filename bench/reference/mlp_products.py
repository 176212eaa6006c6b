#!/usr/bin/python3
"""
PyTorch side of bench/image-vae-products.ts: the five matrix products of one training step of seed
003's MLP VAE (batch 128, 784-512-2-512-784), each timed alone on the same random data shapes as
ours, with torch.set_num_threads(THREADS). x is binary (on-probability 0.13, as binarised MNIST).

Prints one JSON line: {"threads": n, "torch": version, "ms": {product: median ms}}.

  /usr/bin/python3 bench/reference/mlp_products.py --threads 1 --seconds 1
"""
import argparse
import json
import time

import torch

p = argparse.ArgumentParser()
p.add_argument('--threads', type=int, default=1)
p.add_argument('--seconds', type=float, default=1.0)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
B, D, H = 128, 784, 512
x = (torch.rand(B, D) < 0.13).float()
w1, w2 = torch.randn(D, H) * 0.05, torch.randn(H, D) * 0.05
h, g1, g2 = torch.randn(B, H), torch.randn(B, H), torch.randn(B, D)
products = {
    'encoder x·W1': lambda: x @ w1,
    'encoder xᵀ·G (dW1)': lambda: x.t() @ g1,
    'decoder h·W2': lambda: h @ w2,
    'decoder G·W2ᵀ (dh)': lambda: g2 @ w2.t(),
    'decoder hᵀ·G (dW2)': lambda: h.t() @ g2,
}


def median_ms(f):
    for _ in range(20):
        f()
    times = []
    t_end = time.perf_counter() + a.seconds
    while time.perf_counter() < t_end or len(times) < 5:
        t0 = time.perf_counter()
        f()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[len(times) // 2]


print(json.dumps({'threads': a.threads, 'torch': torch.__version__, 'ms': {k: median_ms(f) for k, f in products.items()}}))
