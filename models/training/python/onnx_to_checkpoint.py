"""Rebuilds a training checkpoint from an exported int8 ONNX model, to warm-start training from a
shipped model whose checkpoint was not kept (riffroom-bandmate-v2 started from v1 this way).

    /usr/bin/python3 onnx_to_checkpoint.py --onnx models/<id>/model.onnx --out <run>/from-onnx.pt

Weights are dequantized (int8 * per-channel scale); each MatMul weight is matched to its
parameter by the named bias added after it; the embeddings are the tables read by Gather. The
rebuilt model is checked against the ONNX graph (numpy interpreter) before it is saved.
"""
from __future__ import annotations

import argparse
import sys
from typing import Dict

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from model import ModelConfig, MusicTransformer


def onnx_values(graph: onnx.GraphProto) -> Dict[str, np.ndarray]:
    """Every constant the graph computes from its initializers: dequantized and transposed weights."""
    values = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    for node in graph.node:
        if node.op_type == 'DequantizeLinear' and all(i in values for i in node.input[:2]):
            q, scale = values[node.input[0]].astype(np.float32), values[node.input[1]]
            axis = next((a.i for a in node.attribute if a.name == 'axis'), 1)
            shape = [1] * q.ndim
            shape[axis] = -1
            values[node.output[0]] = q * scale.reshape(shape)
        elif node.op_type == 'Transpose' and node.input[0] in values:
            perm = next(a.ints for a in node.attribute if a.name == 'perm')
            values[node.output[0]] = np.transpose(values[node.input[0]], perm)
    return values


def rebuild(path: str, cfg: ModelConfig) -> MusicTransformer:
    graph = onnx.load(path).graph
    values = onnx_values(graph)
    consumers: Dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    model = MusicTransformer(cfg)
    state: Dict[str, torch.Tensor] = {}
    tensor = lambda a: torch.from_numpy(np.array(a, dtype=np.float32))  # a writable copy
    for name in model.state_dict():
        if f'model.{name}' in values:  # biases and LayerNorms keep their torch names (export wraps the model as `model`)
            state[name] = tensor(values[f'model.{name}'])
    for node in graph.node:
        if node.op_type == 'MatMul' and node.input[1] in values:
            for after in consumers.get(node.output[0], []):
                bias = [i for i in after.input if after.op_type == 'Add' and i.startswith('model.') and i.endswith('.bias')]
                if bias:
                    state[bias[0][len('model.'):-len('.bias')] + '.weight'] = tensor(values[node.input[1]].T)
        if node.op_type == 'Gather' and node.input[0] in values:
            table = values[node.input[0]]
            state['tok.weight' if table.shape[0] == cfg.vocab_size else 'pos.weight'] = tensor(table)
    model.load_state_dict(state)  # strict: every parameter must have been found
    return model.eval()


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--onnx', required=True)
    p.add_argument('--out', required=True)
    p.add_argument('--vocab-size', type=int, default=566)
    p.add_argument('--d-model', type=int, default=256)
    p.add_argument('--layers', type=int, default=4)
    p.add_argument('--heads', type=int, default=4)
    p.add_argument('--alibi', action='store_true')
    args = p.parse_args(argv)
    cfg = ModelConfig(vocab_size=args.vocab_size, d_model=args.d_model, layers=args.layers, heads=args.heads, dropout=0.0, alibi=args.alibi)
    model = rebuild(args.onnx, cfg)
    # The rebuilt model must compute what the ONNX graph computes.
    from onnx_numpy import run_model
    ids = torch.randint(0, cfg.vocab_size, (1, 24), generator=torch.Generator().manual_seed(0))
    graph = onnx.load(args.onnx)
    feeds = {'input_ids': ids.numpy()}
    for i in graph.graph.input[1:]:
        feeds[i.name] = np.zeros((1, cfg.heads, 0, cfg.head_dim), np.float32)
    with torch.no_grad():
        diff = float(np.abs(run_model(graph, feeds)['logits'] - model(ids)[0].numpy()).max())
    if diff > 1e-3:
        raise SystemExit(f'the rebuilt model differs from {args.onnx} by {diff}')
    torch.save({'model_config': cfg.to_dict(), 'model_state': model.state_dict(), 'step': 0, 'rebuiltFrom': args.onnx}, args.out)
    print(f'rebuilt {args.onnx} -> {args.out} (max logit difference {diff:.2g})')


if __name__ == '__main__':
    main(sys.argv[1:])
