#!/usr/bin/env python3
"""A T5-small-sized LoRA training step in plain PyTorch, for comparing with `kif bench` (docs/PERFORMANCE.md).

No HF transformers or PEFT: the same architecture written out (T5 v1.0: RMS layer norm, relative position bias
from block 0, unscaled attention, ReLU feed-forward, tied head scaled by d_model^-0.5), random weights, frozen
base, LoRA (r, alpha = 2r, dropout 0.05) on every q and v (self- and cross-attention), AdamW, global-norm clipping
at 1.0 -- the step `kif bench` times. Prints one JSON line like `kif bench --json`.

    python3 bench/t5_lora_step.py [--size t5-small|t5-base] [--batch 8 --src 128 --tgt 16] [--steps 10] [--threads N]
"""
import argparse
import json
import math
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

SIZES = {
    "t5-small": dict(d_model=512, d_kv=64, d_ff=2048, layers=6, heads=8),
    "t5-base": dict(d_model=768, d_kv=64, d_ff=3072, layers=12, heads=12),
}
VOCAB = 32128
BUCKETS = 32
MAX_DISTANCE = 128


def bucket(rel, bidirectional):
    n = BUCKETS
    ret = torch.zeros_like(rel)
    if bidirectional:
        n //= 2
        ret += (rel > 0).long() * n
        rel = rel.abs()
    else:
        rel = -torch.min(rel, torch.zeros_like(rel))
    max_exact = n // 2
    small = rel < max_exact
    large = max_exact + (torch.log(rel.float() / max_exact) / math.log(MAX_DISTANCE / max_exact)
                         * (n - max_exact)).long()
    large = torch.min(large, torch.full_like(large, n - 1))
    return ret + torch.where(small, rel, large)


class LoraLinear(nn.Module):
    def __init__(self, d_in, d_out, r=0):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(d_out, d_in) * 0.05, requires_grad=False)
        self.r = r
        if r:
            self.lora_A = nn.Parameter(torch.empty(r, d_in).uniform_(-1 / math.sqrt(d_in), 1 / math.sqrt(d_in)))
            self.lora_B = nn.Parameter(torch.zeros(d_out, r))
            self.drop = nn.Dropout(0.05)
            self.scaling = 2.0  # alpha / r with alpha = 2r

    def forward(self, x):
        y = F.linear(x, self.weight)
        if self.r:
            y = y + F.linear(F.linear(self.drop(x), self.lora_A), self.lora_B) * self.scaling
        return y


class Norm(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d), requires_grad=False)

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6))


class Attention(nn.Module):
    def __init__(self, c, r, bias):
        super().__init__()
        inner = c["heads"] * c["d_kv"]
        self.h, self.dk = c["heads"], c["d_kv"]
        self.q = LoraLinear(c["d_model"], inner, r)
        self.k = LoraLinear(c["d_model"], inner)
        self.v = LoraLinear(c["d_model"], inner, r)
        self.o = LoraLinear(inner, c["d_model"])
        self.rel = nn.Parameter(torch.randn(BUCKETS, c["heads"]) * 0.05, requires_grad=False) if bias else None

    def split(self, x):
        b, t, _ = x.shape
        return x.view(b, t, self.h, self.dk).transpose(1, 2)

    def forward(self, x, kv, bias):
        q, k, v = self.split(self.q(x)), self.split(self.k(kv)), self.split(self.v(kv))
        w = torch.softmax(q @ k.transpose(-1, -2) + bias, dim=-1)
        ctx = (w @ v).transpose(1, 2).reshape(x.shape[0], x.shape[1], -1)
        return self.o(ctx)


class Block(nn.Module):
    def __init__(self, c, r, decoder, first):
        super().__init__()
        self.n1, self.att = Norm(c["d_model"]), Attention(c, r, first)
        self.decoder = decoder
        if decoder:
            self.n2, self.cross = Norm(c["d_model"]), Attention(c, r, False)
        self.n3 = Norm(c["d_model"])
        self.wi, self.wo = LoraLinear(c["d_model"], c["d_ff"]), LoraLinear(c["d_ff"], c["d_model"])

    def forward(self, x, bias, enc=None, enc_bias=None):
        h = self.n1(x)
        x = x + self.att(h, h, bias)
        if self.decoder:
            x = x + self.cross(self.n2(x), enc, enc_bias)
        return x + self.wo(F.relu(self.wi(self.n3(x))))


class T5(nn.Module):
    def __init__(self, c, r):
        super().__init__()
        self.d = c["d_model"]
        self.shared = nn.Parameter(torch.randn(VOCAB, c["d_model"]) * 0.05, requires_grad=False)
        self.enc = nn.ModuleList(Block(c, r, False, i == 0) for i in range(c["layers"]))
        self.dec = nn.ModuleList(Block(c, r, True, i == 0) for i in range(c["layers"]))
        self.enc_norm, self.dec_norm = Norm(c["d_model"]), Norm(c["d_model"])

    def position_bias(self, attn, q, k, bidirectional):
        rel = torch.arange(k)[None, :] - torch.arange(q)[:, None]
        return attn.rel[bucket(rel, bidirectional)].permute(2, 0, 1)[None]

    def forward(self, ids, dec_ids, labels):
        s, t = ids.shape[1], dec_ids.shape[1]
        x = F.embedding(ids, self.shared)
        eb = self.position_bias(self.enc[0].att, s, s, True)
        for blk in self.enc:
            x = blk(x, eb)
        enc = self.enc_norm(x)
        causal = torch.triu(torch.full((t, t), -1e9), 1)
        db = self.position_bias(self.dec[0].att, t, t, False) + causal
        y = F.embedding(dec_ids, self.shared)
        for blk in self.dec:
            y = blk(y, db, enc, 0.0)
        logits = F.linear(self.dec_norm(y) * self.d ** -0.5, self.shared)
        return F.cross_entropy(logits.view(-1, VOCAB), labels.view(-1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--size", default="t5-small", choices=sorted(SIZES))
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--src", type=int, default=128)
    p.add_argument("--tgt", type=int, default=16)
    p.add_argument("--r", type=int, default=8)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=0)
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    model = T5(SIZES[a.size], a.r)
    model.train()
    params = [q for q in model.parameters() if q.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.0)
    g = torch.Generator().manual_seed(7)
    ids = torch.randint(3, VOCAB, (a.batch, a.src), generator=g)
    labels = torch.randint(3, VOCAB, (a.batch, a.tgt), generator=g)
    dec_ids = torch.cat([torch.zeros(a.batch, 1, dtype=torch.long), labels[:, :-1]], 1)
    times, cpu = [], []
    for i in range(a.warmup + a.steps):
        t0, c0 = time.perf_counter(), time.process_time()
        loss = model(ids, dec_ids, labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        if i >= a.warmup:
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    med = statistics.median(times)
    print(json.dumps({
        "impl": "pytorch " + torch.__version__, "model": a.size, "batch": a.batch, "src": a.src, "tgt": a.tgt,
        "lora_r": a.r, "threads": torch.get_num_threads(), "steps": a.steps,
        "median_step_ms": round(med, 1), "min_step_ms": round(min(times), 1), "max_step_ms": round(max(times), 1),
        "median_step_cpu_ms": round(statistics.median(cpu), 1),
        "tokens_per_s": round(a.batch * (a.src + a.tgt) / (med / 1000), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "loss": round(loss.item(), 4)}))


if __name__ == "__main__":
    main()
