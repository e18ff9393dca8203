#!/usr/bin/env python3
"""The PyTorch peer of `kif bench --mode generate` and `--mode rank` (docs/PERFORMANCE.md).

generate: greedy decoding with a KV cache, exactly --new-tokens per row (no EOS stop), random prompts of --src
tokens. rank: --labels candidate labels of --label-tokens tokens for each of --batch examples, each scored by its
summed log-likelihood given the prompt, the best one picked -- a plain loop that scores every (prompt, label)
sequence whole, --batch sequences per forward.

Two implementations, same shapes and random weights (std 0.05):
  --impl hf     HF transformers' T5ForConditionalGeneration / LlamaForCausalLM and `model.generate` (greedy,
                min_new_tokens = max_new_tokens so no row stops early). Needs `transformers`; chosen by
                --impl auto (the default) when it imports.
  --impl plain  The same architectures written out in plain PyTorch (T5 from t5_lora_step.py; a LLaMA with RoPE,
                grouped-query attention, SwiGLU), with a KV cache grown by torch.cat as HF's is, and the
                prefill's vocabulary head on the last position only (HF 4.x computes it on every position). It
                has none of generate()'s per-step Python machinery, so it is a stricter baseline than HF.
On the project machine HF transformers is not installable (no PyPI), so the figures in docs/PERFORMANCE.md are
--impl plain.

    python3 bench/generate_rank.py --mode generate --model llama-small --batch 8 --src 128 --new-tokens 64
    python3 bench/generate_rank.py --mode rank --model t5-small --batch 8 --src 128 --labels 4 --label-tokens 3
"""
import argparse
import json
import math
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

import t5_lora_step as t5

LLAMA = {"llama-small": dict(hidden=512, inter=1408, layers=8, heads=8, kv_heads=4, vocab=32000, theta=10000.0)}


def rms(x, w, eps):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


class Llama(nn.Module):
    """LlamaForCausalLM's arithmetic (untied head, rms eps 1e-5), frozen random weights."""

    def __init__(self, c):
        super().__init__()
        self.c = c
        h, hd = c["hidden"], c["hidden"] // c["heads"]
        self.hd = hd

        def w(*shape):
            return nn.Parameter(torch.randn(*shape) * 0.05, requires_grad=False)

        self.embed, self.head = w(c["vocab"], h), w(c["vocab"], h)
        self.norm = nn.Parameter(torch.ones(h), requires_grad=False)
        self.layers = nn.ModuleList()
        for _ in range(c["layers"]):
            m = nn.Module()
            m.q, m.k, m.v = w(c["heads"] * hd, h), w(c["kv_heads"] * hd, h), w(c["kv_heads"] * hd, h)
            m.o = w(h, c["heads"] * hd)
            m.gate, m.up, m.down = w(c["inter"], h), w(c["inter"], h), w(h, c["inter"])
            m.n1 = nn.Parameter(torch.ones(h), requires_grad=False)
            m.n2 = nn.Parameter(torch.ones(h), requires_grad=False)
            self.layers.append(m)
        self.inv_freq = 1.0 / (c["theta"] ** (torch.arange(0, hd, 2).float() / hd))

    def rope(self, x, pos):
        f = pos[..., None].float() * self.inv_freq          # [B, T, hd/2]
        emb = torch.cat([f, f], -1)[:, None]                 # [B, 1, T, hd]
        x1, x2 = x[..., : self.hd // 2], x[..., self.hd // 2:]
        return x * emb.cos() + torch.cat([-x2, x1], -1) * emb.sin()

    def forward(self, ids, pos, past=None, last_only=False):
        """ids, pos [B, T]; past: per layer (k, v) [B, kv, P, hd] or None. Returns logits and the new cache."""
        c = self.c
        b, t = ids.shape
        x = F.embedding(ids, self.embed)
        p = 0 if past is None else past[0][0].shape[2]
        mask = torch.triu(torch.full((t, p + t), float("-inf")), p + 1) if t > 1 else None
        cache = []
        g = c["heads"] // c["kv_heads"]
        for i, m in enumerate(self.layers):
            h = rms(x, m.n1, 1e-5)
            q = self.rope(F.linear(h, m.q).view(b, t, c["heads"], self.hd).transpose(1, 2), pos)
            k = self.rope(F.linear(h, m.k).view(b, t, c["kv_heads"], self.hd).transpose(1, 2), pos)
            v = F.linear(h, m.v).view(b, t, c["kv_heads"], self.hd).transpose(1, 2)
            if past is not None:
                k, v = torch.cat([past[i][0], k], 2), torch.cat([past[i][1], v], 2)
            cache.append((k, v))
            kk, vv = k.repeat_interleave(g, 1), v.repeat_interleave(g, 1)
            s = q @ kk.transpose(-1, -2) / math.sqrt(self.hd)
            if mask is not None:
                s = s + mask
            ctx = (torch.softmax(s, -1) @ vv).transpose(1, 2).reshape(b, t, -1)
            x = x + F.linear(ctx, m.o)
            h = rms(x, m.n2, 1e-5)
            x = x + F.linear(F.silu(F.linear(h, m.gate)) * F.linear(h, m.up), m.down)
        x = rms(x[:, -1:] if last_only else x, self.norm, 1e-5)
        return F.linear(x, self.head), cache


def llama_generate(model, ids, n):
    b, t = ids.shape
    pos = torch.arange(t).expand(b, t)
    logits, cache = model(ids, pos, last_only=True)
    out = []
    for s in range(n):
        nxt = logits[:, -1].argmax(-1)
        out.append(nxt)
        if s == n - 1:
            break
        logits, cache = model(nxt[:, None], torch.full((b, 1), t + s), cache)
    return torch.stack(out, 1)


def t5_encode(model, ids):
    x = F.embedding(ids, model.shared)
    eb = model.position_bias(model.enc[0].att, ids.shape[1], ids.shape[1], True)
    for blk in model.enc:
        x = blk(x, eb)
    return model.enc_norm(x)


def t5_generate(model, ids, n):
    """Greedy T5 decoding: the encoder once, cross keys/values once per layer, self-attention cache by torch.cat."""
    b = ids.shape[0]
    enc = t5_encode(model, ids)
    cross = [(blk.cross.split(blk.cross.k(enc)), blk.cross.split(blk.cross.v(enc))) for blk in model.dec]
    cache = [None] * len(model.dec)
    tok = torch.zeros(b, 1, dtype=torch.long)
    out = []
    for s in range(n):
        bias = model.position_bias(model.dec[0].att, s + 1, s + 1, False)[:, :, -1:]   # query s over keys 0..s
        y = F.embedding(tok, model.shared)
        for i, blk in enumerate(model.dec):
            a, h = blk.att, blk.n1(y)
            q, k, v = a.split(a.q(h)), a.split(a.k(h)), a.split(a.v(h))
            if cache[i] is not None:
                k, v = torch.cat([cache[i][0], k], 2), torch.cat([cache[i][1], v], 2)
            cache[i] = (k, v)
            ctx = torch.softmax(q @ k.transpose(-1, -2) + bias, -1) @ v
            y = y + a.o(ctx.transpose(1, 2).reshape(b, 1, -1))
            c = blk.cross
            q = c.split(c.q(blk.n2(y)))
            ctx = torch.softmax(q @ cross[i][0].transpose(-1, -2), -1) @ cross[i][1]
            y = y + c.o(ctx.transpose(1, 2).reshape(b, 1, -1))
            y = y + blk.wo(F.relu(blk.wi(blk.n3(y))))
        logits = F.linear(model.dec_norm(y) * model.d ** -0.5, model.shared)
        tok = logits[:, -1].argmax(-1, keepdim=True)
        out.append(tok[:, 0])
    return torch.stack(out, 1)


def t5_logits(model, ids, dec_ids):
    enc = t5_encode(model, ids)
    t = dec_ids.shape[1]
    db = model.position_bias(model.dec[0].att, t, t, False) + torch.triu(torch.full((t, t), -1e9), 1)
    y = F.embedding(dec_ids, model.shared)
    for blk in model.dec:
        y = blk(y, db, enc, 0.0)
    return F.linear(model.dec_norm(y) * model.d ** -0.5, model.shared)


def label_scorer(model, is_t5, impl):
    """(prompts [n, S], labels [n, L]) -> logits [n, L, V] predicting each label token, from one forward."""
    def score(ids, lab):
        if is_t5:
            dec = torch.cat([torch.zeros(len(ids), 1, dtype=torch.long), lab[:, :-1]], 1)
            if impl == "hf":
                return model(input_ids=ids, decoder_input_ids=dec).logits
            return t5_logits(model, ids, dec)
        seq = torch.cat([ids, lab], 1)
        if impl == "hf":
            logits = model(input_ids=seq).logits
        else:
            logits, _ = model(seq, torch.arange(seq.shape[1]).expand_as(seq))
        return logits[:, ids.shape[1] - 1:-1]
    return score


def rank(score, prompts, labels, per_forward):
    """Σ log p(label | prompt) of every (prompt, label) sequence scored whole; the best label per example."""
    e, n_labels = labels.shape[0], labels.shape[1]
    pairs = [(i, j) for i in range(e) for j in range(n_labels)]
    ll = torch.zeros(e, n_labels)
    for s in range(0, len(pairs), per_forward):
        chunk = pairs[s:s + per_forward]
        ids = torch.stack([prompts[i] for i, _ in chunk])
        lab = torch.stack([labels[i, j] for i, j in chunk])
        lp = torch.log_softmax(score(ids, lab), -1)
        tok = lp.gather(-1, lab[..., None])[..., 0].sum(-1)
        for (i, j), v in zip(chunk, tok):
            ll[i, j] = v
    return ll.argmax(-1)


def hf_model(name):
    import transformers as tf
    if name in LLAMA:
        c = LLAMA[name]
        cfg = tf.LlamaConfig(hidden_size=c["hidden"], intermediate_size=c["inter"], num_hidden_layers=c["layers"],
                             num_attention_heads=c["heads"], num_key_value_heads=c["kv_heads"],
                             vocab_size=c["vocab"], rms_norm_eps=1e-5, tie_word_embeddings=False,
                             initializer_range=0.05)
        return tf.LlamaForCausalLM(cfg).eval()
    c = t5.SIZES[name]
    cfg = tf.T5Config(d_model=c["d_model"], d_kv=c["d_kv"], d_ff=c["d_ff"], num_layers=c["layers"],
                      num_heads=c["heads"], vocab_size=t5.VOCAB, initializer_factor=0.05)
    return tf.T5ForConditionalGeneration(cfg).eval()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mode", default="generate", choices=["generate", "rank"])
    p.add_argument("--model", default="llama-small", choices=sorted(list(t5.SIZES) + list(LLAMA)))
    p.add_argument("--impl", default="auto", choices=["auto", "hf", "plain"])
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--src", type=int, default=128)
    p.add_argument("--new-tokens", type=int, default=64)
    p.add_argument("--labels", type=int, default=4)
    p.add_argument("--label-tokens", type=int, default=3)
    p.add_argument("--runs", type=int, default=0, help="timed calls (default: generate 3, rank 5)")
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--threads", type=int, default=0)
    a = p.parse_args()
    if a.threads and os.environ.get("OPENBLAS_NUM_THREADS") != str(a.threads):
        # Debian's torch multiplies through OpenBLAS, which sizes its own thread pool from the environment when it
        # loads and ignores torch.set_num_threads: with --threads 1 the products still ran on 2 threads (process CPU
        # 2x the wall time on an idle machine). Run again with the pool sized.
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(a.threads), OMP_NUM_THREADS=str(a.threads))
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    if a.threads:
        torch.set_num_threads(a.threads)
    runs = a.runs or (3 if a.mode == "generate" else 5)
    impl = a.impl
    if impl == "auto":
        try:
            import transformers  # noqa: F401
            impl = "hf"
        except ImportError:
            impl = "plain"
    torch.manual_seed(42)
    is_t5 = a.model in t5.SIZES
    if impl == "hf":
        model = hf_model(a.model)
    else:
        model = t5.T5(t5.SIZES[a.model], 0).eval() if is_t5 else Llama(LLAMA[a.model]).eval()
    vocab = t5.VOCAB if is_t5 else LLAMA[a.model]["vocab"]
    g = torch.Generator().manual_seed(7)
    prompts = torch.randint(3, vocab, (a.batch, a.src), generator=g)
    labels = torch.randint(3, vocab, (a.batch, a.labels, a.label_tokens), generator=g)
    labels[..., -1] = 1 if is_t5 else 2                                       # EOS last, as the evaluator's labels

    def generate(n):
        if impl == "hf":
            return model.generate(prompts, attention_mask=torch.ones_like(prompts), max_new_tokens=n,
                                  min_new_tokens=n, do_sample=False, num_beams=1)
        return t5_generate(model, prompts, n) if is_t5 else llama_generate(model, prompts, n)

    cpu = []  # process CPU ms of each timed call (on one thread, about the idle-machine time)

    def timed(call):
        for _ in range(a.warmup):
            call()
        ms = []
        cpu.clear()
        for _ in range(runs):
            t0, c0 = time.perf_counter(), time.process_time()
            call()
            ms.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        return ms

    out = {"impl": ("hf transformers " + __import__("transformers").__version__ if impl == "hf" else "plain")
           + ", pytorch " + torch.__version__, "mode": a.mode, "model": a.model, "batch": a.batch, "src": a.src,
           "threads": torch.get_num_threads(), "runs": runs}
    with torch.inference_mode():
        if a.mode == "generate":
            ms = timed(lambda: generate(a.new_tokens))
            gen_cpu = list(cpu)
            first = timed(lambda: generate(1)) if a.new_tokens > 1 else ms
            med = statistics.median(ms)
            out.update({"new_tokens": a.new_tokens, "median_ms": round(med, 1), "min_ms": round(min(ms), 1),
                        "max_ms": round(max(ms), 1),
                        "generated_tokens_per_s": round(a.batch * a.new_tokens / (med / 1000), 1),
                        "median_cpu_ms": round(statistics.median(gen_cpu), 1),
                        "prefill_ms": round(statistics.median(first), 1),
                        "decode_step_ms": round((med - statistics.median(first)) / max(1, a.new_tokens - 1), 1)})
        else:
            score = label_scorer(model, is_t5, impl)
            ms = timed(lambda: rank(score, prompts, labels, a.batch))
            med = statistics.median(ms)
            out.update({"labels": a.labels, "label_tokens": a.label_tokens, "median_ms": round(med, 1),
                        "min_ms": round(min(ms), 1), "max_ms": round(max(ms), 1),
                        "examples_per_s": round(a.batch / (med / 1000), 1),
                        "median_cpu_ms": round(statistics.median(cpu), 1),
                        "method": "every (prompt, label) sequence scored whole, %d per forward" % a.batch})
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
