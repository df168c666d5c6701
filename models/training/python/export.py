"""Exports a trained checkpoint to ONNX as ../FORMAT.md specifies.

    /usr/bin/python3 export.py --checkpoint runs/r1/checkpoint.pt --out runs/r1/export

writes model.fp32.onnx, model.int8.onnx (weight-only int8; shipped as model.onnx) and export.json.
There is no onnxruntime for Python here, so the export is checked by (a) cached vs full-recompute
logits in torch, (b) the contract's names, types and dynamic axes, and (c) running both ONNX files
with the small numpy interpreter in onnx_numpy.py against torch.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from typing import Dict, List, Optional

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
import torch

from model import MusicTransformer, load_checkpoint

OPSET = 17
# Matrices smaller than this stay fp32: their int8 saving is noise and each adds a node.
MIN_QUANT_ELEMENTS = 4096


CACHE_INPUTS = ('settled_key', 'settled_value', 'recent_key', 'recent_value')
CACHE_OUTPUTS = ('next_recent_key', 'next_recent_value')


def input_names(layers: int) -> List[str]:
    return ['input_ids'] + [f'{n}_{i}' for i in range(layers) for n in CACHE_INPUTS]


def output_names(layers: int) -> List[str]:
    return ['logits'] + [f'{n}_{i}' for i in range(layers) for n in CACHE_OUTPUTS]


class _FlatIO(torch.nn.Module):
    """The model's split-cache step with the cache flattened into separate tensors, as the ONNX
    contract names them (../FORMAT.md)."""

    def __init__(self, model: MusicTransformer):
        super().__init__()
        self.model = model

    def forward(self, input_ids, *flat):
        layers = len(flat) // 4
        settled = [(flat[4 * i], flat[4 * i + 1]) for i in range(layers)]
        recent = [(flat[4 * i + 2], flat[4 * i + 3]) for i in range(layers)]
        logits, present = self.model.forward_split(input_ids, settled, recent)
        return (logits,) + tuple(t for kv in present for t in kv)


# ---------------------------------------------------------------------------------------------
# Checks in torch


def empty_kv(cfg, batch: int) -> List[tuple]:
    shape = (batch, cfg.heads, 0, cfg.head_dim)
    return [(torch.zeros(shape), torch.zeros(shape)) for _ in range(cfg.layers)]


def merge_kv(settled: List[tuple], recent: List[tuple]) -> List[tuple]:
    """What the engine does every few steps: the recent block joins the settled one."""
    return [(torch.cat([s[0], r[0]], dim=2), torch.cat([s[1], r[1]], dim=2)) for s, r in zip(settled, recent)]


def check_cache_consistency(model: MusicTransformer, seq: int = 12, batch: int = 2, atol: float = 1e-4, merge_every: int = 3) -> float:
    """Feeds a prompt from an empty cache, then one token at a time, and compares every step's
    logits with one full forward pass: once through forward() with the grown cache (training's
    path), once through forward_split() with the cache in settled and recent blocks merged every
    `merge_every` steps (the exported path). Returns the max abs difference (raises above atol)."""
    model = model.eval()
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(0, model.cfg.vocab_size, (batch, seq), generator=g)
    prompt = max(1, seq // 3)
    with torch.no_grad():
        full, _ = model(ids)
        parts = []
        logits, past = model(ids[:, :prompt], model.empty_past(batch))
        parts.append(logits)
        for t in range(prompt, seq):
            logits, past = model(ids[:, t:t + 1], past)
            parts.append(logits)
        split_parts = []
        settled = empty_kv(model.cfg, batch)
        logits, recent = model.forward_split(ids[:, :prompt], settled, empty_kv(model.cfg, batch))
        split_parts.append(logits)
        for t in range(prompt, seq):
            if (t - prompt) % merge_every == merge_every - 1:
                settled, recent = merge_kv(settled, recent), empty_kv(model.cfg, batch)
            logits, recent = model.forward_split(ids[:, t:t + 1], settled, recent)
            split_parts.append(logits)
        diff = max((torch.cat(parts, dim=1) - full).abs().max().item(), (torch.cat(split_parts, dim=1) - full).abs().max().item())
    if diff > atol:
        raise AssertionError(f'cached decoding differs from full recompute by {diff:.3g} (> {atol})')
    return diff


# ---------------------------------------------------------------------------------------------
# Export


def export_fp32(model: MusicTransformer, path: str) -> None:
    cfg = model.cfg
    model = model.eval()
    # Trace with both cache blocks > 0 and seq > 1 so no dimension is specialised to 0 or 1;
    # dynamic_axes keeps them symbolic, so positions and the mask are computed from shapes in-graph.
    batch, seq, settled, recent = 2, 3, 4, 2
    cache = []
    for _ in range(cfg.layers):
        for length in (settled, settled, recent, recent):
            cache.append(torch.zeros(batch, cfg.heads, length, cfg.head_dim))
    dummy = (torch.randint(0, cfg.vocab_size, (batch, seq)),) + tuple(cache)
    ins, outs = input_names(cfg.layers), output_names(cfg.layers)
    axes: Dict[str, Dict[int, str]] = {'input_ids': {0: 'batch', 1: 'seq'}, 'logits': {0: 'batch', 1: 'seq'}}
    for n in ins[1:]:
        axes[n] = {0: 'batch', 2: 'settled' if n.startswith('settled') else 'recent'}
    for n in outs[1:]:
        axes[n] = {0: 'batch', 2: 'next_recent'}  # recent + seq
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # tracer warnings about Python ints from shapes are expected
        # The wrapper must be in eval mode too: export restores the wrapper's own training flag
        # recursively afterwards, which would otherwise switch the model's dropout back on.
        torch.onnx.export(_FlatIO(model).eval(), dummy, path, input_names=ins, output_names=outs,
                          dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True)
    m = onnx.load(path)
    share_transposed_initializers(m.graph)
    onnx.checker.check_model(m)
    onnx.save(m, path)


def share_transposed_initializers(graph: onnx.GraphProto) -> int:
    """The tied output head is matmul(x, tok.weight^T); constant folding stores that transpose as a
    second copy of the embedding. Replace any initializer that is exactly another one transposed by
    a Transpose node, so the weight is stored (and later quantized) once. Returns how many."""
    by_shape: Dict[tuple, List[onnx.TensorProto]] = {}
    for init in graph.initializer:
        if len(init.dims) == 2 and init.data_type == TensorProto.FLOAT:
            by_shape.setdefault(tuple(init.dims), []).append(init)
    replaced = []
    for init in list(graph.initializer):
        if len(init.dims) != 2 or init.data_type != TensorProto.FLOAT:
            continue
        value = numpy_helper.to_array(init)
        for other in by_shape.get((init.dims[1], init.dims[0]), []):
            if other is not init and other.name not in replaced and np.array_equal(numpy_helper.to_array(other).T, value):
                replaced.append(init.name)
                graph.initializer.remove(init)
                graph.node.insert(0, helper.make_node('Transpose', [other.name], [init.name], perm=[1, 0],
                                                      name=f'share_{init.name}'))
                break
    return len(replaced)


def quantize_weights(src: str, dst: str, min_elements: int = MIN_QUANT_ELEMENTS) -> List[dict]:
    """Weight-only int8: every large 2-D float initializer read by MatMul/Gemm (as B) becomes int8 +
    per-output-channel float scale, symmetric (zero point 0), dequantized by DequantizeLinear into
    the original name so the rest of the graph is unchanged; onnxruntime fuses each such pair into
    one int8 matmul. The embeddings (read by Gather, and by the tied head through a Transpose) stay
    float: dequantizing a whole table to gather a few rows was a fifth of every decode step, and
    they are under 2 MB. Returns what was quantized."""
    m = onnx.load(src)
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    consumers: Dict[str, list] = {}
    for node in g.node:
        for pos, name in enumerate(node.input):
            consumers.setdefault(name, []).append((node, pos))

    def channel_axis(name: str) -> Optional[int]:
        """Axis of the output channel for this weight's consumer, or None unless every use is a
        matmul's weight (the tied embedding is also read through a Transpose by a Gather)."""
        uses = consumers.get(name, [])
        if any(not (node.op_type in ('MatMul', 'Gemm') and pos == 1) for node, pos in uses):
            return None
        for node, pos in uses:
            if node.op_type == 'MatMul' and pos == 1:
                return 1  # B is [in, out]
            if node.op_type == 'Gemm' and pos == 1:
                trans_b = next((a.i for a in node.attribute if a.name == 'transB'), 0)
                return 0 if trans_b else 1
        return None

    report = []
    dq_nodes = []
    for name, init in inits.items():
        if init.data_type != TensorProto.FLOAT or len(init.dims) != 2:
            continue
        w = numpy_helper.to_array(init)
        axis = channel_axis(name)
        if axis is None or w.size < min_elements:
            continue
        # Symmetric per-channel scale: the largest magnitude in each channel maps to 127.
        amax = np.abs(w).max(axis=1 - axis)
        scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
        bshape = (1, -1) if axis == 1 else (-1, 1)
        q = np.clip(np.round(w / scale.reshape(bshape)), -127, 127).astype(np.int8)
        g.initializer.remove(init)
        g.initializer.extend([
            numpy_helper.from_array(q, f'{name}_int8'),
            numpy_helper.from_array(scale, f'{name}_scale'),
            numpy_helper.from_array(np.zeros_like(scale, dtype=np.int8), f'{name}_zero'),
        ])
        dq_nodes.append(helper.make_node('DequantizeLinear', [f'{name}_int8', f'{name}_scale', f'{name}_zero'],
                                         [name], axis=axis, name=f'dq_{name}'))
        err = float(np.abs(q.astype(np.float32) * scale.reshape(bshape) - w).max())
        report.append({'name': name, 'shape': list(w.shape), 'axis': axis, 'maxAbsError': err})
    # Initializers feed everything, so the dequantize nodes go first to keep topological order.
    for node in reversed(dq_nodes):
        g.node.insert(0, node)
    onnx.checker.check_model(m)
    onnx.save(m, dst)
    return report


# ---------------------------------------------------------------------------------------------
# Contract checks on the ONNX file


def check_contract(path: str, layers: int, heads: int, head_dim: int, vocab: int) -> None:
    """Raises unless the file has exactly the contract's inputs/outputs, types and dims."""
    m = onnx.load(path)
    onnx.checker.check_model(m)
    assert any(o.domain in ('', 'ai.onnx') and o.version == OPSET for o in m.opset_import), 'opset must be 17'

    def dims(vi):
        return [d.dim_param or d.dim_value for d in vi.type.tensor_type.shape.dim]

    ins, outs = list(m.graph.input), list(m.graph.output)
    assert [i.name for i in ins] == input_names(layers), [i.name for i in ins]
    assert [o.name for o in outs] == output_names(layers), [o.name for o in outs]
    assert ins[0].type.tensor_type.elem_type == TensorProto.INT64
    assert dims(ins[0]) == ['batch', 'seq'], dims(ins[0])
    for vi in ins[1:]:
        assert vi.type.tensor_type.elem_type == TensorProto.FLOAT
        block = 'settled' if vi.name.startswith('settled') else 'recent'
        assert dims(vi) == ['batch', heads, block, head_dim], (vi.name, dims(vi))
    assert outs[0].type.tensor_type.elem_type == TensorProto.FLOAT
    assert dims(outs[0]) == ['batch', 'seq', vocab], dims(outs[0])
    for vi in outs[1:]:
        assert vi.type.tensor_type.elem_type == TensorProto.FLOAT
        d = dims(vi)
        assert d[0] == 'batch' and d[1] == heads and d[3] == head_dim and isinstance(d[2], str), (vi.name, d)
    # No shape may have been frozen into a constant by tracing: positions must come from Shape ops.
    assert any(n.op_type == 'Range' for n in m.graph.node), 'positions must be computed in-graph'


def check_onnx_against_torch(model: MusicTransformer, path: str, atol: float, rel: float = 0.0) -> float:
    """Runs the ONNX file with the numpy interpreter as the engine does: a prompt from an empty
    cache, a token on the grown recent block, then a token after merging it into the settled block;
    compares all three calls' logits (and the recent block) with torch's full forward pass. Returns
    the max abs difference, which must stay within atol + rel * max|logit|."""
    from onnx_numpy import run_model
    model = model.eval()
    cfg = model.cfg
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, cfg.vocab_size, (2, 7), generator=g)
    m = onnx.load(path)
    empty = np.zeros((2, cfg.heads, 0, cfg.head_dim), np.float32)

    def step(tokens, settled, recent):
        feeds = {'input_ids': tokens.numpy()}
        for i in range(cfg.layers):
            feeds[f'settled_key_{i}'], feeds[f'settled_value_{i}'] = settled[i]
            feeds[f'recent_key_{i}'], feeds[f'recent_value_{i}'] = recent[i]
        out = run_model(m, feeds)
        return out, [(out[f'next_recent_key_{i}'], out[f'next_recent_value_{i}']) for i in range(cfg.layers)]

    nothing = [(empty, empty)] * cfg.layers
    out1, recent = step(ids[:, :5], nothing, nothing)
    out2, recent = step(ids[:, 5:6], nothing, recent)
    settled = [(k, v) for k, v in recent]
    out3, recent = step(ids[:, 6:], settled, nothing)
    with torch.no_grad():
        full, present = model(ids)
    diff = max(float(np.abs(out1['logits'] - full[:, :5].numpy()).max()),
               float(np.abs(out2['logits'] - full[:, 5:6].numpy()).max()),
               float(np.abs(out3['logits'] - full[:, 6:].numpy()).max()),
               float(np.abs(np.concatenate([settled[0][0], recent[0][0]], axis=2) - present[0][0].numpy()).max()))
    assert recent[0][1].shape == (2, cfg.heads, 1, cfg.head_dim)
    bound = atol + rel * float(full.abs().max())
    if diff > bound:
        raise AssertionError(f'{os.path.basename(path)} differs from torch by {diff:.3g} (> {bound:.3g})')
    return diff


# ---------------------------------------------------------------------------------------------


def export(checkpoint: str, out_dir: str, verify: bool = True) -> dict:
    model, ckpt = load_checkpoint(checkpoint)
    cfg = model.cfg
    os.makedirs(out_dir, exist_ok=True)
    fp32 = os.path.join(out_dir, 'model.fp32.onnx')
    int8 = os.path.join(out_dir, 'model.int8.onnx')
    checks = {}
    if verify:
        checks['cacheVsFullMaxDiff'] = check_cache_consistency(model)
    export_fp32(model, fp32)
    quantized = quantize_weights(fp32, int8)
    for path in (fp32, int8):
        check_contract(path, cfg.layers, cfg.heads, cfg.head_dim, cfg.vocab_size)
    if verify:
        checks['onnxFp32VsTorchMaxDiff'] = check_onnx_against_torch(model, fp32, atol=1e-4)
        # int8 rounding moves logits a little (typically < 1% of the largest logit); this bound
        # only catches a broken graph (a wrong scale axis, a missing dequantize).
        checks['onnxInt8VsTorchMaxDiff'] = check_onnx_against_torch(model, int8, atol=0.05, rel=0.05)
    info = {
        'layers': cfg.layers,
        'heads': cfg.heads,
        'headDim': cfg.head_dim,
        'dModel': cfg.d_model,
        'vocabSize': cfg.vocab_size,
        'maxPositions': cfg.max_positions,
        'opset': OPSET,
        'inputs': input_names(cfg.layers),
        'outputs': output_names(cfg.layers),
        'files': {'model.fp32.onnx': os.path.getsize(fp32), 'model.int8.onnx': os.path.getsize(int8)},
        'quantization': {'scheme': 'weight-only int8, symmetric, per output channel, DequantizeLinear',
                         'minElements': MIN_QUANT_ELEMENTS, 'weights': quantized},
        'checkpoint': {'path': os.path.abspath(checkpoint), 'step': ckpt.get('step'),
                       'validLoss': ckpt.get('valid_loss'), 'vocabulary': ckpt.get('vocabulary')},
        'checks': checks,
    }
    with open(os.path.join(out_dir, 'export.json'), 'w') as f:
        json.dump(info, f, indent=2)
    return info


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--checkpoint', required=True)
    p.add_argument('--out', required=True)
    p.add_argument('--no-verify', action='store_true', help='skip the torch/numpy output checks')
    args = p.parse_args(argv)
    info = export(args.checkpoint, args.out, verify=not args.no_verify)
    sizes = ', '.join(f'{k} {v / 1e6:.2f} MB' for k, v in info['files'].items())
    print(f'exported to {args.out}: {sizes}; checks {info["checks"]}')


if __name__ == '__main__':
    main(sys.argv[1:])
