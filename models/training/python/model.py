"""Decoder-only transformer for Riffroom's symbolic-music tokens.

The same module is trained by train.py and exported by export.py, so the attention is written out
by hand (no fused kernels): the ONNX graph must take the K/V cache as plain inputs and return the
grown cache as outputs (see ../FORMAT.md), and positions must come from the cache length.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

KV = Tuple[torch.Tensor, torch.Tensor]  # (k, v), each [batch, heads, len, head_dim]


@dataclass
class ModelConfig:
    vocab_size: int = 530
    d_model: int = 256
    layers: int = 4
    heads: int = 4
    max_positions: int = 1024
    dropout: float = 0.1
    # ALiBi: each head's attention is biased towards recent tokens by -slope * distance. Music
    # tokens are locally structured (POS PITCH VEL DUR ...), and the locality prior lets a small
    # model on a small compute budget learn those patterns far sooner than positions alone.
    alibi: bool = False

    @property
    def head_dim(self) -> int:
        return self.d_model // self.heads

    def to_dict(self) -> dict:
        return asdict(self)


class CausalSelfAttention(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        assert cfg.d_model % cfg.heads == 0, 'd_model must be a multiple of heads'
        self.heads = cfg.heads
        self.head_dim = cfg.head_dim
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)
        self.attn_drop = nn.Dropout(cfg.dropout)
        self.resid_drop = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, past: Optional[KV], bias: torch.Tensor) -> Tuple[torch.Tensor, KV]:
        """bias: [1 or heads, t, past + t], added to the attention scores (causal mask and ALiBi)."""
        b, t, d = x.shape
        q, k, v = self.qkv(x).split(d, dim=2)
        # [b, t, d] -> [b, heads, t, head_dim]
        q = q.view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = k.view(b, t, self.heads, self.head_dim).transpose(1, 2)
        v = v.view(b, t, self.heads, self.head_dim).transpose(1, 2)
        if past is not None:
            # An empty past (length 0) concatenates to nothing, so the first call needs no branch.
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.head_dim)) + bias
        att = self.attn_drop(F.softmax(att, dim=-1))
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        return self.resid_drop(self.proj(y)), (k, v)


    def forward_split(self, x: torch.Tensor, settled: KV, recent: KV, bias: torch.Tensor) -> Tuple[torch.Tensor, KV]:
        """Attention over a cache kept in two blocks, as the engine decodes: `settled` (long, only
        read here) and `recent` (the last few positions, grown by this call and returned). Reading
        the settled block in place, instead of concatenating everything into one grown cache and
        returning it, spares a copy of the whole cache per step (most of a long batched step)."""
        b, t, d = x.shape
        q, k, v = self.qkv(x).split(d, dim=2)
        q = q.view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = torch.cat([recent[0], k.view(b, t, self.heads, self.head_dim).transpose(1, 2)], dim=2)
        v = torch.cat([recent[1], v.view(b, t, self.heads, self.head_dim).transpose(1, 2)], dim=2)
        scale = 1.0 / math.sqrt(self.head_dim)
        # Keys in order: settled, then recent (which ends with this call's own tokens).
        att = torch.cat([q @ settled[0].transpose(-2, -1), q @ k.transpose(-2, -1)], dim=-1) * scale + bias
        att = F.softmax(att, dim=-1)
        p = settled[0].shape[2]
        y = att[..., :p] @ settled[1] + att[..., p:] @ v
        return self.proj(y.transpose(1, 2).reshape(b, t, d)), (k, v)


def attention_bias(t: int, past_len: int, slopes: Optional[torch.Tensor], device=None) -> torch.Tensor:
    """The scores' additive bias, shared by every layer: -inf where a query may not see a key
    (query i sits at absolute position past_len + i and sees keys 0..past_len + i) and, with ALiBi,
    -slope * distance. Built from shapes (not a fixed buffer) so the exported graph stays dynamic
    in past and seq, and built once per forward pass: per layer it was a fifth of a decode step."""
    key_pos = torch.arange(t + past_len, device=device)
    query_pos = torch.arange(t, device=device) + past_len
    distance = (query_pos.unsqueeze(1) - key_pos.unsqueeze(0)).to(torch.float32)  # [t, total]
    bias = torch.zeros_like(distance).masked_fill(distance < 0, float('-inf')).unsqueeze(0)
    if slopes is not None:
        bias = bias - slopes.view(-1, 1, 1) * distance
    return bias


class Block(nn.Module):
    """Pre-LayerNorm block: x + attn(ln(x)), then x + mlp(ln(x))."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.ln1 = nn.LayerNorm(cfg.d_model)
        self.attn = CausalSelfAttention(cfg)
        self.ln2 = nn.LayerNorm(cfg.d_model)
        self.fc = nn.Linear(cfg.d_model, 4 * cfg.d_model)
        self.out = nn.Linear(4 * cfg.d_model, cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, past: Optional[KV], bias: torch.Tensor) -> Tuple[torch.Tensor, KV]:
        a, present = self.attn(self.ln1(x), past, bias)
        x = x + a
        # Exact (erf) GELU: exports to ONNX Erf ops that every runtime has.
        x = x + self.drop(self.out(F.gelu(self.fc(self.ln2(x)))))
        return x, present


    def forward_split(self, x: torch.Tensor, settled: KV, recent: KV, bias: torch.Tensor) -> Tuple[torch.Tensor, KV]:
        a, present = self.attn.forward_split(self.ln1(x), settled, recent, bias)
        x = x + a
        x = x + self.out(F.gelu(self.fc(self.ln2(x))))
        return x, present


class MusicTransformer(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.tok = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.pos = nn.Embedding(cfg.max_positions, cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.layers)])
        self.ln_f = nn.LayerNorm(cfg.d_model)
        # ALiBi's geometric slopes 2^(-8h/heads), as in Press et al. 2022; not saved (derived from config).
        slopes = torch.tensor([2.0 ** (-8.0 * (h + 1) / cfg.heads) for h in range(cfg.heads)]) if cfg.alibi else None
        self.register_buffer('slopes', slopes, persistent=False)
        self.apply(self._init)
        # GPT-2 style: shrink the residual-path projections so the residual stream's variance
        # does not grow with depth.
        for blk in self.blocks:
            nn.init.normal_(blk.attn.proj.weight, std=0.02 / math.sqrt(2 * cfg.layers))
            nn.init.normal_(blk.out.weight, std=0.02 / math.sqrt(2 * cfg.layers))

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.02)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)

    def forward(
        self, input_ids: torch.Tensor, past: Optional[List[KV]] = None
    ) -> Tuple[torch.Tensor, List[KV]]:
        """input_ids [batch, seq] -> logits [batch, seq, vocab] and the grown cache, one (k, v)
        per layer, each [batch, heads, past + seq, head_dim]."""
        t = input_ids.shape[1]
        past_len = 0 if past is None else past[0][0].shape[2]
        # Positions past_len .. past_len + t - 1, taken from the cache's shape so the exported graph
        # works for any past (including 0) without a separate position input.
        positions = torch.arange(t, device=input_ids.device) + past_len
        x = self.drop(self.tok(input_ids) + self.pos(positions).unsqueeze(0))
        bias = attention_bias(t, past_len, self.slopes, input_ids.device).to(x.dtype)
        present: List[KV] = []
        for i, blk in enumerate(self.blocks):
            x, kv = blk(x, None if past is None else past[i], bias)
            present.append(kv)
        # Output head tied to the token embedding: fewer parameters, and it helps small models.
        logits = F.linear(self.ln_f(x), self.tok.weight)
        return logits, present

    def forward_split(self, input_ids: torch.Tensor, settled: List[KV], recent: List[KV]) -> Tuple[torch.Tensor, List[KV]]:
        """The exported decoding step (../FORMAT.md): the cache in two blocks per layer, settled
        and recent, each [batch, heads, len, head_dim]; returns logits and the grown recent block.
        Same logits as forward() over the concatenated cache (inference only: no dropout)."""
        t = input_ids.shape[1]
        past_len = settled[0][0].shape[2] + recent[0][0].shape[2]
        positions = torch.arange(t, device=input_ids.device) + past_len
        x = self.tok(input_ids) + self.pos(positions).unsqueeze(0)
        bias = attention_bias(t, past_len, self.slopes, input_ids.device).to(x.dtype)
        present: List[KV] = []
        for i, blk in enumerate(self.blocks):
            x, kv = blk.forward_split(x, settled[i], recent[i], bias)
            present.append(kv)
        return F.linear(self.ln_f(x), self.tok.weight), present

    def num_params(self) -> int:
        # The tied head shares tok.weight, which parameters() already counts once.
        return sum(p.numel() for p in self.parameters())

    def empty_past(self, batch: int, device=None, dtype=torch.float32) -> List[KV]:
        """A zero-length cache: what the first ONNX call receives."""
        shape = (batch, self.cfg.heads, 0, self.cfg.head_dim)
        return [(torch.zeros(shape, device=device, dtype=dtype),) * 2 for _ in self.blocks]


def load_checkpoint(path: str, device: str = 'cpu') -> Tuple[MusicTransformer, dict]:
    """Rebuilds the model from checkpoint.pt (written by train.py); returns (model, checkpoint)."""
    ckpt = torch.load(path, map_location=device)
    model = MusicTransformer(ModelConfig(**ckpt['model_config']))
    model.load_state_dict(ckpt['model_state'])
    return model.to(device).eval(), ckpt
