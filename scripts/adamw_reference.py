#!/usr/bin/python3
"""PyTorch reference trajectory for kif4j's optimizer golden test (AdamWGoldenTest).

Runs 10 training steps on a LLaMA fixture's LoRA with torch.optim.AdamW, HF's linear warm-up/decay
(get_linear_schedule_with_warmup as a LambdaLR) and torch.nn.utils.clip_grad_norm_, exactly as HF's Trainer orders
them (backward, clip, optimizer.step, scheduler.step), and writes the per-step losses, learning rates, gradient
norms and the final LoRA A/B as JSON. Plain torch only (no transformers/peft): the LLaMA forward and PEFT's LoRA
(y = W·x + α/r · B·(A·x), dropout 0) are written out below and checked against the fixture's expected losses first.

    /usr/bin/python3 scripts/adamw_reference.py ../shared/fixtures/llama_gqa \
        lora/src/test/resources/adamw-golden/llama_gqa.json
"""
import json
import math
import struct
import sys

import numpy as np
import torch

STEPS, WARMUP, LR, WEIGHT_DECAY, MAX_GRAD_NORM = 10, 3, 1e-2, 0.1, 0.5
BETAS, EPS = (0.9, 0.999), 1e-8


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    dtypes = {"F32": np.float32, "F64": np.float64}
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        b, e = meta["data_offsets"]
        arr = np.frombuffer(raw[8 + n + b:8 + n + e], dtype=dtypes[meta["dtype"]]).reshape(meta["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


def rms_norm(x, w, eps):
    var = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(var + eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Llama:
    def __init__(self, folder):
        self.cfg = json.load(open(f"{folder}/config.json"))
        self.w = read_safetensors(f"{folder}/model.safetensors")
        lora_cfg = json.load(open(f"{folder}/lora/adapter_config.json"))
        assert lora_cfg["lora_dropout"] == 0.0
        self.scaling = lora_cfg["lora_alpha"] / lora_cfg["r"]
        prefix = "base_model.model."
        self.lora = {k[len(prefix):]: v.clone().requires_grad_(True)
                     for k, v in read_safetensors(f"{folder}/lora/adapter_model.safetensors").items()}

    def linear(self, path, x):
        y = x @ self.w[path + ".weight"].T
        a = self.lora.get(path + ".lora_A.weight")
        if a is not None:  # PEFT: result + lora_B(lora_A(dropout(x))) * scaling
            y = y + (x @ a.T) @ self.lora[path + ".lora_B.weight"].T * self.scaling
        return y

    def loss(self, ids, mask, labels):
        c = self.cfg
        heads, kv = c["num_attention_heads"], c["num_key_value_heads"]
        d = c["hidden_size"] // heads
        bsz, length = ids.shape
        x = self.w["model.embed_tokens.weight"][ids]
        inv_freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, d, 2).float() / d))
        freqs = torch.outer(torch.arange(length).float(), inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[None, None], emb.sin()[None, None]
        neg = torch.finfo(torch.float32).min
        causal = torch.full((length, length), neg).triu(1)
        bias = causal[None, None] + (1.0 - mask[:, None, None, :].float()) * neg
        bias = bias.clamp(min=neg)
        for i in range(c["num_hidden_layers"]):
            p = f"model.layers.{i}."
            h = rms_norm(x, self.w[p + "input_layernorm.weight"], c["rms_norm_eps"])
            q = self.linear(p + "self_attn.q_proj", h).view(bsz, length, heads, d).transpose(1, 2)
            k = self.linear(p + "self_attn.k_proj", h).view(bsz, length, kv, d).transpose(1, 2)
            v = self.linear(p + "self_attn.v_proj", h).view(bsz, length, kv, d).transpose(1, 2)
            q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
            k = k.repeat_interleave(heads // kv, dim=1)  # HF repeat_kv: query head h uses kv head h // groups
            v = v.repeat_interleave(heads // kv, dim=1)
            scores = q @ k.transpose(2, 3) / math.sqrt(d) + bias
            attn = torch.softmax(scores, dim=-1, dtype=torch.float32) @ v
            attn = attn.transpose(1, 2).reshape(bsz, length, heads * d)
            x = x + self.linear(p + "self_attn.o_proj", attn)
            h = rms_norm(x, self.w[p + "post_attention_layernorm.weight"], c["rms_norm_eps"])
            mlp = torch.nn.functional.silu(self.linear(p + "mlp.gate_proj", h)) * self.linear(p + "mlp.up_proj", h)
            x = x + self.linear(p + "mlp.down_proj", mlp)
        x = rms_norm(x, self.w["model.norm.weight"], c["rms_norm_eps"])
        logits = x @ self.w["lm_head.weight"].T
        return torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]),
                                                 labels[:, 1:].reshape(-1), ignore_index=-100)


def linear_schedule(step):  # transformers.get_linear_schedule_with_warmup
    if step < WARMUP:
        return step / max(1, WARMUP)
    return max(0.0, (STEPS - step) / max(1, STEPS - WARMUP))


def main(folder, out):
    model = Llama(folder)
    inputs = json.load(open(f"{folder}/inputs.json"))
    ids = torch.tensor(inputs["input_ids"])
    mask = torch.tensor(inputs["attention_mask"])
    labels = torch.tensor(inputs["labels"])
    expected = json.load(open(f"{folder}/expected.json"))
    lora_saved = {k: v.detach().clone() for k, v in model.lora.items()}
    with torch.no_grad():
        for k in model.lora:
            model.lora[k].zero_()
        base = model.loss(ids, mask, labels).item()
        for k in model.lora:
            model.lora[k].copy_(lora_saved[k])
        with_lora = model.loss(ids, mask, labels).item()
    assert abs(base - expected["loss"]) <= 1e-5, (base, expected["loss"])
    assert abs(with_lora - expected["lora"]["loss"]) <= 1e-5, (with_lora, expected["lora"]["loss"])

    names = sorted(model.lora)
    params = [model.lora[n] for n in names]
    opt = torch.optim.AdamW(params, lr=LR, betas=BETAS, eps=EPS, weight_decay=WEIGHT_DECAY)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, linear_schedule)
    losses, lrs, norms = [], [], []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = model.loss(ids, mask, labels)
        loss.backward()
        norms.append(torch.nn.utils.clip_grad_norm_(params, MAX_GRAD_NORM).item())
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
        losses.append(loss.item())
    dump = {
        "made_by": "scripts/adamw_reference.py (torch " + torch.__version__ + ")",
        "fixture": folder.rstrip("/").split("/")[-1],
        "checked": {"base_loss": base, "lora_loss": with_lora},
        "settings": {"steps": STEPS, "warmup_steps": WARMUP, "lr": LR, "weight_decay": WEIGHT_DECAY,
                     "max_grad_norm": MAX_GRAD_NORM, "betas": list(BETAS), "eps": EPS},
        "losses": losses, "lrs": lrs, "grad_norms_before_clipping": norms,
        "final": {n: {"shape": list(model.lora[n].shape), "values": model.lora[n].detach().reshape(-1).tolist()}
                  for n in names},
    }
    with open(out, "w") as f:
        json.dump(dump, f, indent=1)
        f.write("\n")
    print(f"base loss {base:.7f} (fixture {expected['loss']:.7f}), LoRA loss {with_lora:.7f}; "
          f"losses {losses[0]:.6f} -> {losses[-1]:.6f}; grad norms {min(norms):.3f}..{max(norms):.3f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
