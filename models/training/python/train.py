"""Trains the music transformer on token shards written by data preparation (../FORMAT.md).

    /usr/bin/python3 train.py --data <shard dir> --out runs/r1 --minutes 60

Writes <out>/log.jsonl (one JSON object per line: "train" progress and "eval" results),
<out>/checkpoint.pt (the best validation loss so far) and <out>/training.json (summary at the end).
Stops cleanly when the time budget (or --max-steps) is reached, or on Ctrl-C.
"""
from __future__ import annotations

import argparse
import json
import math
import os

# torch runs its own intra-op threads (--threads); OpenBLAS starting a pool of its own inside each
# of them oversubscribes the cores and spins: on 2 cores training ran at 875 tokens/s instead of
# 2,208. Set before numpy and torch load OpenBLAS.
os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')
import random
import sys
import time
from typing import Dict, Iterator, List, Optional

import numpy as np
import torch
import torch.nn.functional as F

from model import ModelConfig, MusicTransformer


# ---------------------------------------------------------------------------------------------
# Data


class Split:
    """One split's examples, memory-mapped: tokens (uint16) plus (offset, length) rows (uint32)."""

    def __init__(self, data_dir: str, name: str, sep_id: int):
        if os.path.getsize(os.path.join(data_dir, f'{name}.idx')) == 0:
            raise ValueError(f'{data_dir}: the {name} split has no examples')
        self.tokens = np.memmap(os.path.join(data_dir, f'{name}.bin'), dtype='<u2', mode='r')
        idx = np.fromfile(os.path.join(data_dir, f'{name}.idx'), dtype='<u4').reshape(-1, 2)
        self.offsets = idx[:, 0].astype(np.int64)
        self.lengths = idx[:, 1].astype(np.int64)
        # Each example holds exactly one SEP; find them all in one vectorised pass and map each
        # back to its example, instead of scanning examples one by one.
        order = np.argsort(self.offsets, kind='stable')
        sep_at = np.flatnonzero(self.tokens == sep_id)
        owner = order[np.searchsorted(self.offsets[order], sep_at, side='right') - 1]
        inside = sep_at < self.offsets[owner] + self.lengths[owner]
        self.sep = np.full(len(self.offsets), -1, dtype=np.int64)
        self.sep[owner[inside]] = sep_at[inside] - self.offsets[owner[inside]]
        missing = int((self.sep < 0).sum())
        if missing:
            raise ValueError(f'{name}: {missing} examples have no SEP token')

    def __len__(self) -> int:
        return len(self.offsets)

    def example(self, i: int) -> np.ndarray:
        return np.asarray(self.tokens[self.offsets[i]:self.offsets[i] + self.lengths[i]], dtype=np.int64)


def make_batch(split: Split, rows: List[int], pad_id: int):
    """Pads examples into (inputs, targets, loss mask, role ids).

    inputs = tokens[:-1], targets = tokens[1:]; target j is token j+1, which is a model-written
    token (after SEP) when j + 1 > sep, i.e. j >= sep. Padding is masked out.
    """
    width = int(max(split.lengths[i] for i in rows)) - 1
    x = np.full((len(rows), width), pad_id, dtype=np.int64)
    y = np.full((len(rows), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=bool)
    roles = np.zeros(len(rows), dtype=np.int64)
    for r, i in enumerate(rows):
        ex = split.example(i)
        n = len(ex) - 1
        x[r, :n] = ex[:-1]
        y[r, :n] = ex[1:]
        mask[r, split.sep[i]:n] = True
        roles[r] = ex[1]  # FORMAT.md: token 1 (after BOS) is the role
    return torch.from_numpy(x), torch.from_numpy(y), torch.from_numpy(mask), torch.from_numpy(roles)


def length_batches(lengths: np.ndarray, rows: np.ndarray, batch_tokens: int) -> List[List[int]]:
    """Cuts rows (already in the order wanted) into batches whose padded size, rows x longest,
    stays within batch_tokens. Rows should be sorted by length so little is padding."""
    batches, cur, longest = [], [], 0
    for i in rows:
        n = int(lengths[i])
        if cur and max(longest, n) * (len(cur) + 1) > batch_tokens:
            batches.append(cur)
            cur, longest = [], 0
        cur.append(int(i))
        longest = max(longest, n)
    if cur:
        batches.append(cur)
    return batches


def train_batches(split: Split, batch_tokens: int, rng: random.Random) -> Iterator[List[int]]:
    """Endless batches. Each epoch: shuffle, sort within pools of a few hundred examples by length
    (bucketing, so batches are of similar lengths yet still vary), cut, and shuffle the batches."""
    pool = 512
    while True:
        rows = np.array(rng.sample(range(len(split)), len(split)), dtype=np.int64)
        batches = []
        for s in range(0, len(rows), pool):
            chunk = rows[s:s + pool]
            chunk = chunk[np.argsort(split.lengths[chunk], kind='stable')]
            batches.extend(length_batches(split.lengths, chunk, batch_tokens))
        rng.shuffle(batches)
        yield from batches


# ---------------------------------------------------------------------------------------------
# Loss and evaluation


def token_nll(model, x, y):
    """Per-position NLL [batch, seq]; callers weight it with the loss mask."""
    logits, _ = model(x)
    return F.cross_entropy(logits.float().flatten(0, 1), y.flatten(), reduction='none').view_as(y)


@torch.no_grad()
def evaluate(model, split: Split, rows: np.ndarray, args, device, role_names: Dict[int, str]) -> dict:
    """Mean NLL per target token (nats) over the given rows, overall and per role."""
    model.eval()
    total, count = 0.0, 0
    per_role: Dict[str, List[float]] = {}
    ordered = rows[np.argsort(split.lengths[rows], kind='stable')]
    for batch in length_batches(split.lengths, ordered, args.batch_tokens):
        x, y, mask, roles = (t.to(device) for t in make_batch(split, batch, args.pad_id))
        with autocast(device, args):
            nll = token_nll(model, x, y)
        nll = (nll * mask).sum(dim=1).double().cpu()
        n = mask.sum(dim=1).cpu()
        total += float(nll.sum())
        count += int(n.sum())
        for r, role in enumerate(roles.cpu().tolist()):
            name = role_names.get(role, f'role_{role}')
            acc = per_role.setdefault(name, [0.0, 0])
            acc[0] += float(nll[r])
            acc[1] += int(n[r])
    model.train()
    return {
        'loss': total / max(count, 1),
        'tokens': count,
        'byRole': {k: v[0] / max(v[1], 1) for k, v in sorted(per_role.items())},
    }


# ---------------------------------------------------------------------------------------------
# Schedule, device


def lr_at(step: int, args, total_steps: int) -> float:
    """Linear warmup to --lr, then cosine decay to 10% of it at total_steps."""
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    progress = min(1.0, (step - args.warmup) / max(1, total_steps - args.warmup))
    return args.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def pick_device(name: str) -> torch.device:
    if name == 'auto':
        name = 'cuda' if torch.cuda.is_available() else 'cpu'
    return torch.device(name)


def device_description(device: torch.device) -> str:
    version = '.'.join(torch.__version__.split('+')[0].split('.')[:2])
    if device.type == 'cuda':
        return f'{torch.cuda.get_device_name(device)}, torch {version}'
    return f'cpu, {torch.get_num_threads()} threads, torch {version}'


def autocast(device: torch.device, args):
    # bf16 autocast on CUDA roughly doubles throughput; CPU stays fp32 (bf16 is slower there).
    enabled = device.type == 'cuda' and args.amp and torch.cuda.is_bf16_supported()
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=enabled)


# ---------------------------------------------------------------------------------------------


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', required=True, help='shard directory (train/valid .bin/.idx, manifest.json)')
    p.add_argument('--out', required=True, help='run directory (created)')
    p.add_argument('--minutes', type=float, default=None, help='wall-clock budget; stop cleanly when reached')
    p.add_argument('--max-steps', type=int, default=None, help='step budget (with --minutes: whichever is first)')
    p.add_argument('--d-model', type=int, default=256)
    p.add_argument('--layers', type=int, default=4)
    p.add_argument('--heads', type=int, default=4)
    p.add_argument('--max-positions', type=int, default=1024)
    p.add_argument('--dropout', type=float, default=0.1)
    p.add_argument('--alibi', action='store_true', help='bias attention towards recent tokens (ALiBi)')
    p.add_argument('--init', default=None,
                   help='start from this checkpoint.pt (continued training on another mix); its model config wins')
    p.add_argument('--batch-tokens', type=int, default=8192, help='padded tokens per batch (rows x longest)')
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--warmup', type=int, default=200, help='linear warmup steps')
    p.add_argument('--weight-decay', type=float, default=0.1)
    p.add_argument('--grad-clip', type=float, default=1.0)
    p.add_argument('--eval-minutes', type=float, default=5.0, help='evaluate this often (wall clock)')
    p.add_argument('--eval-every', type=int, default=None, help='also evaluate every N steps')
    p.add_argument('--valid-examples', type=int, default=2000, help='fixed random subset of valid used for evals')
    p.add_argument('--log-every', type=int, default=50, help='train-loss log line every N steps')
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--device', default='auto', help='auto, cpu, cuda, cuda:1 ...')
    p.add_argument('--threads', type=int, default=2, help='CPU threads for torch')
    p.add_argument('--no-amp', dest='amp', action='store_false', help='disable bf16 autocast on CUDA')
    args = p.parse_args(argv)
    if args.minutes is None and args.max_steps is None:
        p.error('give --minutes and/or --max-steps')
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)  # torch's default here is 1 thread; the machine has 2 cores
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    device = pick_device(args.device)
    if device.type == 'cuda':
        torch.backends.cuda.matmul.allow_tf32 = True  # only matters with --no-amp

    with open(os.path.join(args.data, 'manifest.json')) as f:
        manifest = json.load(f)
    vocab = manifest['vocabulary']
    ids = vocab['ids']
    args.pad_id = ids['PAD']
    role_names = {int(v): k for k, v in vocab.get('roleIds', {}).items()}
    train_split = Split(args.data, 'train', ids['SEP'])
    valid_split = Split(args.data, 'valid', ids['SEP'])
    # A fixed subset keeps evals cheap and comparable across the run (and across runs with one seed).
    valid_rows = np.arange(len(valid_split))
    if len(valid_rows) > args.valid_examples:
        valid_rows = np.sort(np.random.default_rng(args.seed).choice(valid_rows, args.valid_examples, replace=False))

    cfg = ModelConfig(vocab_size=int(vocab['size']), d_model=args.d_model, layers=args.layers,
                      heads=args.heads, max_positions=args.max_positions, dropout=args.dropout, alibi=args.alibi)
    init = None
    if args.init:
        init = torch.load(args.init, map_location='cpu')
        cfg = ModelConfig(**{**init['model_config'], 'dropout': args.dropout})
        if cfg.vocab_size != int(vocab['size']):
            raise ValueError(f'{args.init} has vocabulary size {cfg.vocab_size}, the shards {vocab["size"]}')
    longest = int(max(train_split.lengths.max(), valid_split.lengths.max()))
    if longest - 1 > cfg.max_positions:
        raise ValueError(f'examples of {longest} tokens exceed max_positions {cfg.max_positions}')
    model = MusicTransformer(cfg)
    if init is not None:
        model.load_state_dict(init['model_state'])
    model = model.to(device)
    # Decay matrices only; LayerNorm gains and biases are left alone (standard GPT practice).
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': args.weight_decay},
                             {'params': no_decay, 'weight_decay': 0.0}], lr=args.lr, betas=(0.9, 0.95))

    os.makedirs(args.out, exist_ok=True)
    log_file = open(os.path.join(args.out, 'log.jsonl'), 'a')

    def log(entry: dict) -> None:
        log_file.write(json.dumps(entry) + '\n')
        log_file.flush()
        print(json.dumps(entry), flush=True)

    budget_s = args.minutes * 60 if args.minutes is not None else math.inf
    max_steps = args.max_steps if args.max_steps is not None else 10 ** 9
    # The LR schedule needs its length in steps. With only --max-steps that is known; with a time
    # budget it is estimated from the measured speed at steps 10, 20, 40, 80, ... and after every
    # eval (so eval pauses are counted). Only the clock or --max-steps ends training, never the
    # estimate: an estimate that is short leaves the LR at its 10% floor until time is up.
    schedule_steps = max_steps
    next_estimate = 10
    first_step_done = None  # (time, step) after step 1, whose one-off allocations make it slow
    start = time.time()
    step, tokens_seen, target_tokens = 0, 0, 0
    # Train loss averaged (per target token) since the last log line, and since the last eval.
    log_loss, log_tokens, eval_loss, eval_tokens = 0.0, 0, 0.0, 0
    last_eval_time, last_eval_cost, last_step_cost = start, 0.0, 0.0
    best, final_eval = None, None
    batches = train_batches(train_split, args.batch_tokens, random.Random(args.seed))
    log({'event': 'start', 'params': model.num_params(), 'device': device_description(device),
         'trainExamples': len(train_split), 'validExamples': len(valid_split),
         'validSubset': len(valid_rows), 'config': cfg.to_dict()})

    def run_eval() -> dict:
        nonlocal best, last_eval_time, last_eval_cost
        t0 = time.time()
        result = evaluate(model, valid_split, valid_rows, args, device, role_names)
        last_eval_cost = time.time() - t0
        last_eval_time = time.time()
        entry = {'event': 'eval', 'step': step, 'tokens': tokens_seen, 'targetTokens': target_tokens,
                 'trainLoss': eval_loss / eval_tokens if eval_tokens else None,
                 'validLoss': result['loss'], 'validByRole': result['byRole'],
                 'elapsed': round(time.time() - start, 1), 'evalSeconds': round(last_eval_cost, 1)}
        if best is None or result['loss'] < best['validLoss']:
            best = entry
            torch.save({'model_config': cfg.to_dict(), 'model_state': model.state_dict(), 'step': step,
                        'tokens': tokens_seen, 'valid_loss': result['loss'], 'valid_by_role': result['byRole'],
                        'vocabulary': {k: vocab.get(k) for k in ('version', 'size', 'sha256', 'ids', 'roleIds')},
                        'train_args': vars(args)}, os.path.join(args.out, 'checkpoint.pt'))
            entry['saved'] = True
        log(entry)
        return entry

    def estimate_steps(now: float) -> int:
        rate = (now - first_step_done[0]) / (step - first_step_done[1])  # seconds per step, evals included
        remaining = budget_s - (now - start) - last_eval_cost  # the final eval also has to fit
        estimate = min(max_steps, step + max(0, int(remaining / rate)))
        log({'event': 'schedule', 'step': step, 'estimatedTotalSteps': estimate})
        return estimate

    model.train()
    stopped = 'budget'
    last_step_started = None  # seconds after start: what "stopped within its budget" is judged by
    try:
        while step < max_steps:
            step_start = time.time()
            # Stop while one more step and the final eval still fit, so the run ends within budget.
            if step_start - start + last_step_cost + last_eval_cost >= budget_s:
                break
            last_step_started = step_start - start
            rows = next(batches)
            x, y, mask, _ = (t.to(device, non_blocking=True) for t in make_batch(train_split, rows, args.pad_id))
            lr = lr_at(step, args, schedule_steps)
            for group in opt.param_groups:
                group['lr'] = lr
            with autocast(device, args):
                nll = token_nll(model, x, y)
            n = int(mask.sum())
            loss = (nll * mask).sum() / max(n, 1)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
            opt.step()
            step += 1
            tokens_seen += int((x != args.pad_id).sum())
            target_tokens += n
            log_loss += float(loss) * n
            log_tokens += n
            eval_loss += float(loss) * n
            eval_tokens += n

            now = time.time()
            last_step_cost = now - step_start
            if step == 1:
                first_step_done = (now, step)
            elif budget_s < math.inf and step >= next_estimate:
                next_estimate *= 2
                schedule_steps = estimate_steps(now)
            if step % args.log_every == 0:
                log({'event': 'train', 'step': step, 'tokens': tokens_seen, 'trainLoss': log_loss / max(log_tokens, 1),
                     'lr': lr, 'elapsed': round(now - start, 1),
                     'tokensPerSecond': round(tokens_seen / (now - start))})
                log_loss, log_tokens = 0.0, 0
            due = now - last_eval_time >= args.eval_minutes * 60 or (args.eval_every and step % args.eval_every == 0)
            if due and step < max_steps:
                final_eval = run_eval()
                eval_loss, eval_tokens = 0.0, 0
                if budget_s < math.inf and step > 1:
                    schedule_steps = estimate_steps(time.time())
    except KeyboardInterrupt:
        stopped = 'interrupted'
    if step >= max_steps:
        stopped = 'steps'
    if final_eval is None or final_eval['step'] != step:
        final_eval = run_eval()
    wall = time.time() - start
    summary = {
        'config': cfg.to_dict(),
        'params': model.num_params(),
        'args': dict(vars(args)),
        'data': {'dir': os.path.abspath(args.data), 'vocabulary': {k: vocab.get(k) for k in ('version', 'size', 'sha256')},
                 'trainExamples': len(train_split), 'validExamples': len(valid_split), 'validSubset': len(valid_rows)},
        'steps': step,
        'tokensSeen': tokens_seen,
        'targetTokensSeen': target_tokens,
        'tokensPerSecond': round(tokens_seen / wall, 1),
        'wallSeconds': round(wall, 1),
        'lastStepStartedSeconds': None if last_step_started is None else round(last_step_started, 3),
        'stopped': stopped,
        'device': device_description(device),
        'final': {'step': final_eval['step'], 'validLoss': final_eval['validLoss'], 'validByRole': final_eval['validByRole']},
        'best': {'step': best['step'], 'validLoss': best['validLoss'], 'validByRole': best['validByRole']},
    }
    with open(os.path.join(args.out, 'training.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    log({'event': 'end', 'steps': step, 'stopped': stopped, 'wallSeconds': summary['wallSeconds'],
         'bestValidLoss': best['validLoss']})
    log_file.close()
    return summary


if __name__ == '__main__':
    main(sys.argv[1:])
