"""A tiny numpy interpreter for the ONNX ops our exported graphs use.

onnx 1.12 has no reference evaluator and there is no onnxruntime for Python here, yet we want to
know that the exported file itself (not just the torch module) computes the right thing: dynamic
shapes, positions from the past's length, the causal mask, DequantizeLinear axes. Slow, exact,
and raises on any op it does not know rather than guessing.
"""
from __future__ import annotations

import math
from typing import Dict

import numpy as np
import onnx
from onnx import helper, mapping, numpy_helper

_erf = np.vectorize(math.erf, otypes=[np.float64])


def _attrs(node) -> dict:
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _layer_norm(x, scale, bias=None, axis=-1, epsilon=1e-5, **_):
    axes = tuple(range(axis % x.ndim, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (x - mean) / np.sqrt(var + epsilon) * scale
    return (y + bias if bias is not None else y).astype(x.dtype)


def _softmax(x, axis=-1, **_):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return (e / e.sum(axis=axis, keepdims=True)).astype(x.dtype)


def _reshape(x, shape, allowzero=0, **_):
    shape = [x.shape[i] if (s == 0 and not allowzero) else int(s) for i, s in enumerate(shape)]
    return x.reshape(shape)


def _split(x, split=None, axis=0, _n=1, **_):
    sizes = list(split) if split is not None else [x.shape[axis] // _n] * _n
    return tuple(np.split(x, np.cumsum(sizes)[:-1], axis=axis))


def _slice(x, starts, ends, axes=None, steps=None, **_):
    axes = range(len(starts)) if axes is None else axes
    steps = [1] * len(starts) if steps is None else steps
    idx = [slice(None)] * x.ndim
    for s, e, a, st in zip(starts, ends, axes, steps):
        idx[int(a)] = slice(int(s), int(e), int(st))
    return x[tuple(idx)]


def _dequantize(q, scale, zero=None, axis=1, **_):
    shape = [1] * q.ndim
    if scale.ndim == 1:
        shape[axis] = -1
    zero = np.zeros_like(scale) if zero is None else zero.astype(np.float32)
    return ((q.astype(np.float32) - zero.reshape(shape)) * scale.reshape(shape)).astype(np.float32)


def _shape(x, start=0, end=None, **_):
    return np.array(x.shape[start:end], dtype=np.int64)


_OPS = {
    'Identity': lambda x, **_: x,
    'Add': lambda a, b, **_: a + b,
    'Sub': lambda a, b, **_: a - b,
    'Mul': lambda a, b, **_: a * b,
    'Div': lambda a, b, **_: (a // b) if np.issubdtype(a.dtype, np.integer) else a / b,
    'Sqrt': lambda x, **_: np.sqrt(x),
    'Pow': lambda a, b, **_: np.power(a, b).astype(a.dtype),
    'Erf': lambda x, **_: _erf(x).astype(x.dtype),
    'Tanh': lambda x, **_: np.tanh(x),
    'MatMul': lambda a, b, **_: np.matmul(a, b),
    'Transpose': lambda x, perm=None, **_: np.transpose(x, perm),
    'Reshape': _reshape,
    'Unsqueeze': lambda x, axes, **_: np.expand_dims(x, tuple(int(a) for a in axes)),
    'Squeeze': lambda x, axes=None, **_: np.squeeze(x, None if axes is None else tuple(int(a) for a in axes)),
    'Concat': lambda *xs, axis, **_: np.concatenate(xs, axis=axis),
    'Split': _split,
    'Slice': _slice,
    'Shape': _shape,
    'Gather': lambda x, i, axis=0, **_: np.take(x, i, axis=axis),
    'Range': lambda s, l, d, **_: np.arange(s, l, d, dtype=np.result_type(s, l, d)),
    'Cast': lambda x, to, **_: x.astype(mapping.TENSOR_TYPE_TO_NP_TYPE[to]),
    'Expand': lambda x, shape, **_: x * np.ones(shape, dtype=x.dtype),
    'ConstantOfShape': lambda shape, value=None, **_: np.full(
        shape, 0.0 if value is None else numpy_helper.to_array(value)[0],
        dtype=np.float32 if value is None else numpy_helper.to_array(value).dtype),
    'Equal': lambda a, b, **_: a == b,
    'Less': lambda a, b, **_: a < b,
    'LessOrEqual': lambda a, b, **_: a <= b,
    'Greater': lambda a, b, **_: a > b,
    'Not': lambda x, **_: ~x,
    'Where': lambda c, a, b, **_: np.where(c, a, b),
    'Softmax': _softmax,
    'LayerNormalization': _layer_norm,
    'DequantizeLinear': _dequantize,
}


def run_model(model: onnx.ModelProto, feeds: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
    """Runs the graph on numpy feeds; returns every graph output by name."""
    env: Dict[str, np.ndarray] = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    env.update(feeds)
    for node in model.graph.node:
        attrs = _attrs(node)
        if node.op_type == 'Constant':
            env[node.output[0]] = numpy_helper.to_array(attrs['value'])
            continue
        fn = _OPS.get(node.op_type)
        if fn is None:
            raise NotImplementedError(f'onnx_numpy: op {node.op_type} ({node.name})')
        args = [env[n] if n else None for n in node.input]
        if node.op_type == 'Split':
            attrs['_n'] = len(node.output)
        out = fn(*args, **attrs)
        outs = out if isinstance(out, tuple) else (out,)
        for name, value in zip(node.output, outs):
            env[name] = np.asarray(value)
    return {o.name: env[o.name] for o in model.graph.output}
