"""grokscope's PyTorch comparison program.

The task, the model and the training of Furuta et al., "Interpreting Grokked
Transformers in Complex Modular Arithmetic", in plain PyTorch, written for
grokscope so that its results, fixtures and speed can be compared with an
independent implementation on the same machine. The split and the labels are
grokscope's exactly (`@grokscope/data`): the same pairs train and test, with the
same answers, for every registered operation. The model and the optimiser are
the same definitions (docs/SCIENCE.md), written separately; the initial weights
come from torch's generator, so they differ from grokscope's.

Needs only the standard library and torch; on Debian:
    apt-get install -y python3-torch libopenblas0-pthread

Run it with the system Python:
    # train add mod 31 (r = 0.5, seed 0) to 2000 steps past grokking; one `H` line per evaluation
    /usr/bin/python3 python/grokscope_torch.py --ops add --seeds 0 --p 31 --frac 0.5 --steps 6000 --every 100
    # the same, and write the final model in the format of fixtures/pytorch/*.json
    /usr/bin/python3 python/grokscope_torch.py --ops add --p 31 --frac 0.5 --steps 6000 --export add.json
    # time 20 training steps at the paper's scale; the last line is JSON (ms_per_step, threads, n_train, p)
    /usr/bin/python3 python/grokscope_torch.py --bench 20 --p 97 --frac 0.3

Each evaluation prints `H op seed step train_loss test_loss train_acc test_acc ffd fcr`
(FFD and FCR of W_E), and with `--elapsed` a line `T op seed step seconds` after it
(seconds since the run's first step, the evaluation included: what `bench --to-grok`
times); a run stops 2000 steps after its first evaluation with test
accuracy >= 0.99, then prints one `done:` line. `--warmup`, `--init-scale` are
grokscope's `--warmup` and `--init-scale`; `--threads N` sets torch's threads. Several `--ops` or `--seeds` are
separate runs, one model each. Errors are one line on stderr, exit code 2.

As a module (tests and scripts import it):
    from grokscope_torch import Transformer, Config, label_table, split_pairs, measures
"""
import argparse
import collections
import copy
import dataclasses
import functools
import json
import math
import random
import sys
import time
from typing import Optional

try:
    import torch
    import torch.nn.functional as F
except ModuleNotFoundError:
    sys.exit('grokscope_torch.py: error: torch is missing (on Debian: apt-get install -y python3-torch libopenblas0-pthread)')

PROGRAM = 'grokscope_torch.py'


class UsageError(ValueError):
    """Something the user can fix (an unknown operation, a split without test examples): one line, exit code 2."""


# ─────────────────────────────────────────────────────────────────────────────
# operations
# ─────────────────────────────────────────────────────────────────────────────
# Every registered operation of grokscope (the paper's Table A.5), with grokscope's
# id and its printed formula. Labels are Python integers reduced mod p: exact for any p.


def _power_sum(n):
    return lambda a, b, p: (pow(a, n, p) + pow(b, n, p)) % p


def _power_of_sum(n):
    return lambda a, b, p: pow(a + b, n, p)


def _power_of_difference(n):
    return lambda a, b, p: pow(a - b, n, p)


def _divide(a, b, p):
    """`a · b⁻¹ mod p`; `None` (no label: the pair is left out) where `b ≡ 0`."""
    return None if b % p == 0 else a * pow(b, -1, p) % p


# id -> (formula as grokscope prints it, f(a, b, p) -> residue or None)
EXPRESSIONS = {
    'add': ('a + b', lambda a, b, p: (a + b) % p),
    'sub': ('a - b', lambda a, b, p: (a - b) % p),
    'mul': ('a*b', lambda a, b, p: a * b % p),
    'div': ('a/b', _divide),
    '2a+b': ('2*a + b', lambda a, b, p: (2 * a + b) % p),
    '2a-b': ('2*a - b', lambda a, b, p: (2 * a - b) % p),
    '2a+3b': ('2*a + 3*b', lambda a, b, p: (2 * a + 3 * b) % p),
    '2a-3b': ('2*a - 3*b', lambda a, b, p: (2 * a - 3 * b) % p),
    'ab+b': ('a*b + b', lambda a, b, p: (a * b + b) % p),
    'ab-b': ('a*b - b', lambda a, b, p: (a * b - b) % p),
    'ab+a+b': ('a*b + a + b', lambda a, b, p: (a * b + a + b) % p),
    'a2+b': ('a^2 + b', lambda a, b, p: (a * a + b) % p),
    'a2-b': ('a^2 - b', lambda a, b, p: (a * a - b) % p),
    'a3+2b': ('a^3 + 2*b', lambda a, b, p: (a ** 3 + 2 * b) % p),
    'a3-2b': ('a^3 - 2*b', lambda a, b, p: (a ** 3 - 2 * b) % p),
    **{f'a{n}+b{n}': (f'a^{n} + b^{n}', _power_sum(n)) for n in range(2, 8)},
    'a2-b2': ('a^2 - b^2', lambda a, b, p: (a * a - b * b) % p),
    **{f'(a+b){n}': (f'(a + b)^{n}', _power_of_sum(n)) for n in range(2, 8)},
    **{f'(a-b){n}': (f'(a - b)^{n}', _power_of_difference(n)) for n in range(2, 5)},
    '(a+b)2+a+b': ('(a + b)^2 + a + b', lambda a, b, p: ((a + b) ** 2 + a + b) % p),
    'a2+ab+b2': ('a^2 + a*b + b^2', lambda a, b, p: (a * a + a * b + b * b) % p),
    'a2+ab+b2+a': ('a^2 + a*b + b^2 + a', lambda a, b, p: (a * a + a * b + b * b + a) % p),
    'a3+ab': ('a^3 + a*b', lambda a, b, p: (a ** 3 + a * b) % p),
    'a3+ab2+b': ('a^3 + a*b^2 + b', lambda a, b, p: (a ** 3 + a * b * b + b) % p),
}

# The random control's table is drawn from its own stream, seeded with the run's seed + 0x5eed
# (grokscope's `labelTable`): CPython's randrange(p) is the same draw as grokscope's `below(p)`.
RAND_SEED_OFFSET = 0x5EED

# Every id in grokscope's order, with its formula.
OPERATIONS = {**{op: formula for op, (formula, _) in EXPRESSIONS.items()}, 'rand': 'rand'}


def label_table(op, p, seed):
    """The labels of `op` for every pair, `table[a*p + b]`: a residue, or None where the pair has none (b = 0 for div)."""
    if op == 'rand':
        rng = random.Random(seed + RAND_SEED_OFFSET)
        return [rng.randrange(p) for _ in range(p * p)]
    if op not in EXPRESSIONS:
        raise UsageError(f'unknown operation {op!r} (allowed: {", ".join(OPERATIONS)})')
    f = EXPRESSIONS[op][1]
    return [f(a, b, p) for a in range(p) for b in range(p)]


# ─────────────────────────────────────────────────────────────────────────────
# the task: split and examples
# ─────────────────────────────────────────────────────────────────────────────


def train_size(p, frac):
    """The number of training pairs, `int(frac·p·p)` evaluated as grokscope does (`(frac·p)·p`)."""
    return int(frac * p * p)


def split_pairs(p, frac, seed):
    """The pairs `a*p + b` shuffled by `random.Random(seed)`; the first `train_size` train, the rest test."""
    pairs = list(range(p * p))
    random.Random(seed).shuffle(pairs)
    n = train_size(p, frac)
    return pairs[:n], pairs[n:]


@dataclasses.dataclass(frozen=True)
class Examples:
    tokens: torch.Tensor  # [n, 3] int64: a, op token, b
    labels: torch.Tensor  # [n] int64


def examples(p, table, pairs, op_token, device='cpu'):
    """The examples `[a, op_token, b] -> c` of these pairs, in their order; pairs without a label are left out."""
    kept = [pair for pair in pairs if table[pair] is not None]
    tokens = torch.tensor([[pair // p, op_token, pair % p] for pair in kept], dtype=torch.long, device=device)
    labels = torch.tensor([table[pair] for pair in kept], dtype=torch.long, device=device)
    return Examples(tokens.reshape(len(kept), 3), labels)


@dataclasses.dataclass(frozen=True)
class Task:
    op: str
    p: int
    frac: float
    seed: int
    train: Examples
    test: Examples


def make_task(op, p, frac, seed, device='cpu'):
    """One operation's task: token `p` is its operation token; refuses a split that leaves no training or test example."""
    table = label_table(op, p, seed)
    train_pairs, test_pairs = split_pairs(p, frac, seed)
    task = Task(op, p, frac, seed, examples(p, table, train_pairs, p, device), examples(p, table, test_pairs, p, device))
    n_train, n_test = len(task.train.labels), len(task.test.labels)
    if n_train == 0 or n_test == 0:
        raise UsageError(f'{op} mod {p} at frac {frac}: {n_train} training and {n_test} test examples (both must be non-empty)')
    return task


# ─────────────────────────────────────────────────────────────────────────────
# model
# ─────────────────────────────────────────────────────────────────────────────
# The paper's Transformer with TransformerLens's weight names and layouts (right-multiplying),
# so that `state_dict()` keys are a HookedTransformer's: embed.W_E, blocks.0.attn.W_Q, …, unembed.W_U.
# No LayerNorm, biases or positional embedding; every position is computed, as TransformerLens does.


@dataclasses.dataclass(frozen=True)
class Config:
    d_vocab: int  # p residues + one token per operation
    n_out: int  # p
    d_model: int = 128
    n_heads: int = 4
    d_head: int = 32
    d_mlp: int = 512
    n_layers: int = 1


class Embed(torch.nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.W_E = torch.nn.Parameter(torch.empty(cfg.d_vocab, cfg.d_model))  # [d_vocab, d_model]

    def forward(self, tokens):  # [batch, pos] -> [batch, pos, d_model]
        return self.W_E[tokens]


class Attention(torch.nn.Module):
    def __init__(self, cfg):
        super().__init__()
        H, d, e = cfg.n_heads, cfg.d_model, cfg.d_head
        self.W_Q = torch.nn.Parameter(torch.empty(H, d, e))  # [n_heads, d_model, d_head]
        self.W_K = torch.nn.Parameter(torch.empty(H, d, e))
        self.W_V = torch.nn.Parameter(torch.empty(H, d, e))
        self.W_O = torch.nn.Parameter(torch.empty(H, e, d))  # [n_heads, d_head, d_model]
        self.scale = math.sqrt(e)

    def forward(self, x):  # [batch, pos, d_model] -> [batch, pos, d_model]
        q = torch.einsum('bpd,hde->bhpe', x, self.W_Q)  # [batch, head, pos, d_head]
        k = torch.einsum('bpd,hde->bhpe', x, self.W_K)
        v = torch.einsum('bpd,hde->bhpe', x, self.W_V)
        scores = q @ k.transpose(-1, -2) / self.scale  # [batch, head, query, key]
        n = x.shape[1]
        later = torch.triu(torch.ones(n, n, dtype=torch.bool, device=x.device), diagonal=1)  # a key after its query
        pattern = torch.softmax(scores.masked_fill(later, float('-inf')), dim=-1)
        z = pattern @ v  # [batch, head, pos, d_head]
        return torch.einsum('bhpe,hed->bpd', z, self.W_O)


class MLP(torch.nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.W_in = torch.nn.Parameter(torch.empty(cfg.d_model, cfg.d_mlp))  # [d_model, d_mlp]
        self.W_out = torch.nn.Parameter(torch.empty(cfg.d_mlp, cfg.d_model))  # [d_mlp, d_model]

    def forward(self, x):  # [batch, pos, d_model] -> [batch, pos, d_model]
        return torch.relu(x @ self.W_in) @ self.W_out


class Block(torch.nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attn = Attention(cfg)
        self.mlp = MLP(cfg)

    def forward(self, x):
        x = x + self.attn(x)
        return x + self.mlp(x)


class Unembed(torch.nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.W_U = torch.nn.Parameter(torch.empty(cfg.d_model, cfg.n_out))  # [d_model, n_out]

    def forward(self, x):  # [batch, d_model] -> [batch, n_out]
        return x @ self.W_U


class Transformer(torch.nn.Module):
    """The paper's model: `x = W_E[tok]; x += Attn(x); x += MLP(x)` per block; logits `x[:, -1] · W_U`."""

    def __init__(self, cfg, seed=0, scale=1.0):
        super().__init__()
        self.cfg = cfg
        self.embed = Embed(cfg)
        self.blocks = torch.nn.ModuleList([Block(cfg) for _ in range(cfg.n_layers)])
        self.unembed = Unembed(cfg)
        self.reset(seed, scale)

    def reset(self, seed, scale=1.0):
        """Gaussian weights from a generator seeded with `seed`: std 1/sqrt(d_vocab) for W_E, 1/sqrt(d_model) for the others; times `scale`."""
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for name, w in self.named_parameters():
                std = 1 / math.sqrt(self.cfg.d_vocab if name == 'embed.W_E' else self.cfg.d_model)
                w.copy_(torch.randn(w.shape, generator=g, dtype=torch.float32) * std)
                if scale != 1.0:
                    w.mul_(scale)

    def forward(self, tokens):  # [batch, pos] -> [batch, n_out], the logits at the last position
        x = self.embed(tokens)  # [batch, pos, d_model]
        for block in self.blocks:
            x = block(x)
        return self.unembed(x[:, -1])

    @classmethod
    def from_weights(cls, cfg, weights, dtype=torch.float64):
        """A model with these weights, by TransformerLens name (`embed.W_E`, `blocks.0.attn.W_Q`, …), in `dtype`."""
        model = cls(cfg).to(dtype)
        expected = model.state_dict()
        missing = sorted(set(expected) - set(weights))
        if missing:
            raise UsageError(f'weights: {", ".join(missing)} missing')
        with torch.no_grad():
            for name, w in expected.items():
                value = torch.as_tensor(weights[name], dtype=dtype)
                if tuple(value.shape) != tuple(w.shape):
                    raise UsageError(f'weights: {name} has shape {list(value.shape)}, the config needs {list(w.shape)}')
                w.copy_(value)
        return model

    @classmethod
    def from_fixture(cls, fixture, dtype=torch.float64):
        """A model from a fixture's `config` and `weights` (fixtures/pytorch/*.json: short names, one block)."""
        c = fixture['config']
        cfg = Config(d_vocab=c['d_vocab'], n_out=c['n_out'], d_model=c['d_model'], n_heads=c['n_heads'], d_head=c['d_head'], d_mlp=c['d_mlp'])
        return cls.from_weights(cfg, {FIXTURE_NAMES[k]: v for k, v in fixture['weights'].items()}, dtype)


# A fixture's short weight names and their TransformerLens names (one block).
FIXTURE_NAMES = {
    'W_E': 'embed.W_E',
    'W_Q': 'blocks.0.attn.W_Q',
    'W_K': 'blocks.0.attn.W_K',
    'W_V': 'blocks.0.attn.W_V',
    'W_O': 'blocks.0.attn.W_O',
    'W_in': 'blocks.0.mlp.W_in',
    'W_out': 'blocks.0.mlp.W_out',
    'W_U': 'unembed.W_U',
}


def loss_fn(logits, labels):
    """Mean cross-entropy over the p classes, computed in float64."""
    return F.cross_entropy(logits.to(torch.float64), labels)


# ─────────────────────────────────────────────────────────────────────────────
# Fourier measures
# ─────────────────────────────────────────────────────────────────────────────


@functools.lru_cache(maxsize=None)
def fourier_basis(p):
    """The orthonormal Fourier basis of ℤ_p (odd p), `[p, p]` float64 (cached: read only), and its row names: const, cos 1, sin 1, …"""
    t = torch.arange(p, dtype=torch.float64)
    rows, names = [torch.full((p,), 1 / math.sqrt(p), dtype=torch.float64)], ['const']
    for k in range(1, p // 2 + 1):
        for name, row in (('cos', torch.cos(2 * math.pi * k * t / p)), ('sin', torch.sin(2 * math.pi * k * t / p))):
            rows.append(row / row.norm())
            names.append(f'{name} {k}')
    return torch.stack(rows), names


def spectrum(W):
    """For `W` `[p, n]` (rows are residues): the norms `μ_k` of the `cos k` rows and `ν_k` of the `sin k` rows of `B·W`."""
    B, _ = fourier_basis(W.shape[0])
    norms = (B @ W.detach().to(torch.float64).cpu()).norm(dim=1)  # [p]
    return norms[1::2], norms[2::2]


def ffd(mu, nu, eta=0.5):
    """Fourier Frequency Density (arXiv v2: FFS): the share of cos and sin rows above `eta` times their kind's largest (none if that is 0)."""
    def above(xs):
        top = xs.max().item()
        return 0 if top == 0 else int((xs / top > eta).sum().item())
    return (above(mu) + above(nu)) / (len(mu) + len(nu))


def fcr(mu, nu):
    """Fourier Coefficient Ratio: the mean over k of `min(μ_k/ν_k, ν_k/μ_k)`; a frequency with `μ_k = ν_k = 0` counts 1."""
    ratios = [1.0 if m == 0 and n == 0 else min(m, n) / max(m, n) for m, n in zip(mu.tolist(), nu.tolist())]
    return sum(ratios) / len(ratios)


def embedding_matrix(model, p):
    """`W_E[0:p]`, `[p, d_model]`: the residues' rows (the operation tokens left out)."""
    return model.embed.W_E[:p]


def neuron_logit_map(model):
    """`W_L = (W_out · W_U)ᵀ`, `[n_out, d_mlp]`: the last block's neurons' effect on each output residue."""
    return (model.blocks[-1].mlp.W_out @ model.unembed.W_U).T


def measures(W):
    """The spectrum of `W` with its FFD (η = 0.5) and FCR, as the fixtures record them."""
    mu, nu = spectrum(W)
    return {'cos_norms': mu.tolist(), 'sin_norms': nu.tolist(), 'ffd_eta_0_5': ffd(mu, nu), 'fcr': fcr(mu, nu)}


# ─────────────────────────────────────────────────────────────────────────────
# optimiser: full-batch AdamW, optionally after a Grokfast gradient filter
# ─────────────────────────────────────────────────────────────────────────────


@dataclasses.dataclass(frozen=True)
class Optimiser:
    lr: float = 1e-3
    wd: float = 1.0
    betas: tuple = (0.9, 0.98)
    eps: float = 1e-8
    grokfast_ema: Optional[tuple] = None  # (alpha, lamb)
    grokfast_ma: Optional[tuple] = None  # (window, lamb)
    warmup: int = 0  # linear warm-up: lr·t/warmup at steps t < warmup (t from 1), as grokscope's warmupLr
    init_scale: float = 1.0  # every initial weight times this (Omnigrok), as grokscope's --init-scale


class GrokfastEMA:
    """Lee et al. 2024 (`gradfilter_ema`): `e ← αe + (1−α)g` (the first e is the first gradient), then `g ← g + λe`."""

    def __init__(self, alpha, lamb):
        self.alpha, self.lamb, self.ema = alpha, lamb, None

    def __call__(self, params):
        grads = [w.grad for w in params]
        if self.ema is None:
            self.ema = [g.detach().clone() for g in grads]
        else:
            for e, g in zip(self.ema, grads):
                e.mul_(self.alpha).add_(g, alpha=1 - self.alpha)
        for e, g in zip(self.ema, grads):
            g.add_(e, alpha=self.lamb)


class GrokfastMA:
    """Lee et al. 2024 (`gradfilter_ma`, mean, warm-up): `g ← g + λ·mean(last w gradients)` once w are in, `g` before."""

    def __init__(self, window, lamb):
        self.window, self.lamb, self.history = window, lamb, collections.deque(maxlen=window)

    def __call__(self, params):
        grads = [w.grad for w in params]
        self.history.append([g.detach().clone() for g in grads])
        if len(self.history) < self.window:
            return
        for i, g in enumerate(grads):
            g.add_(sum(step[i] for step in self.history) / self.window, alpha=self.lamb)


class Trainer:
    """One model on one task: `step()` is one full-batch step (forward, float64 loss, backward, filter, AdamW)."""

    def __init__(self, model, task, opt=Optimiser()):
        self.model, self.task, self.opt, self.t = model, task, opt, 0
        self.params = list(model.parameters())
        self.optimizer = torch.optim.AdamW(self.params, lr=opt.lr, weight_decay=opt.wd, betas=opt.betas, eps=opt.eps)
        self.filters = []
        if opt.grokfast_ema is not None:
            self.filters.append(GrokfastEMA(*opt.grokfast_ema))
        if opt.grokfast_ma is not None:
            self.filters.append(GrokfastMA(*opt.grokfast_ma))

    def step(self):
        logits = self.model(self.task.train.tokens)  # [n_train, p]
        loss = loss_fn(logits, self.task.train.labels)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        for f in self.filters:
            f(self.params)
        self.t += 1
        if self.opt.warmup > 0:
            for group in self.optimizer.param_groups:
                group['lr'] = self.opt.lr if self.t >= self.opt.warmup else self.opt.lr * self.t / self.opt.warmup
        self.optimizer.step()
        return logits, loss


def steps(trainer, n):
    """Steps 1..n of a trainer, each with its (logits, loss). Training and `--bench` both run exactly this loop."""
    for step in range(1, n + 1):
        yield step, trainer.step()


# ─────────────────────────────────────────────────────────────────────────────
# training
# ─────────────────────────────────────────────────────────────────────────────

GROK_THRESHOLD = 0.99
STOP_AFTER_GROK = 2000


@dataclasses.dataclass(frozen=True)
class Evaluation:
    step: int
    train_loss: float
    test_loss: float
    train_acc: float
    test_acc: float
    ffd: float  # of W_E[0:p]
    fcr: float


def evaluate(model, task, step):
    """Loss and accuracy on the train and test sets, and FFD/FCR of W_E, with the current weights."""
    with torch.no_grad():
        def on(ex):
            logits = model(ex.tokens)
            return loss_fn(logits, ex.labels).item(), (logits.argmax(-1) == ex.labels).double().mean().item()
        (train_loss, train_acc), (test_loss, test_acc) = on(task.train), on(task.test)
        mu, nu = spectrum(embedding_matrix(model, task.p))
    return Evaluation(step, train_loss, test_loss, train_acc, test_acc, ffd(mu, nu), fcr(mu, nu))


@dataclasses.dataclass(frozen=True)
class Run:
    model: Transformer
    grok_step: Optional[int]  # None: it did not grok
    steps: int
    seconds: float
    history: list


def train(task, opt, max_steps, every, on_eval=lambda e, seconds: None, device='cpu'):
    """
    Trains from the task's seed; evaluates every `every` steps and at the last; stops STOP_AFTER_GROK steps after
    grokking. `on_eval(e, seconds)`: seconds since the first step started, the evaluation included.
    """
    model = Transformer(Config(d_vocab=task.p + 1, n_out=task.p), seed=task.seed, scale=opt.init_scale).to(device)
    trainer = Trainer(model, task, opt)
    grok_step, history, step, t0 = None, [], 0, time.perf_counter()
    for step, _result in steps(trainer, max_steps):
        if step % every != 0 and step != max_steps:
            continue
        e = evaluate(model, task, step)
        history.append(e)
        on_eval(e, time.perf_counter() - t0)
        if grok_step is None and e.test_acc >= GROK_THRESHOLD:
            grok_step = step
        if grok_step is not None and step >= grok_step + STOP_AFTER_GROK:
            break
    return Run(model, grok_step, step, time.perf_counter() - t0, history)


def bench(p, frac, n, opt, device='cpu'):
    """
    ms per step of the training loop itself (`steps`, as `train` runs it), add mod p at seed 0,
    after one untimed step. A separate timing loop is not the same work: one that zeroed the
    gradients in place and kept nothing between steps ran 20–40 % slower here, because glibc
    gave the step's freed memory back to the kernel at each step's end and the next step
    faulted it in again (4× the page faults); what stays alive between steps decides that.
    """
    trainer = Trainer(Transformer(Config(d_vocab=p + 1, n_out=p), seed=0).to(device), make_task('add', p, frac, 0, device), opt)
    loop = steps(trainer, n + 1)
    next(loop)
    t0 = time.perf_counter()
    for _step, _result in loop:  # held until the next step, as in `train`
        pass
    if device.startswith('cuda'):
        torch.cuda.synchronize()
    ms = 1000 * (time.perf_counter() - t0) / n
    return {'device': device, 'p': p, 'frac': frac, 'n_train': len(trainer.task.train.labels), 'steps': n, 'threads': torch.get_num_threads(), 'ms_per_step': round(ms, 2)}


def step_products(cfg, batch):
    """
    The matrix products of one training step of this program's model on `batch` examples (`Trainer.step`: every
    position through Q, K, V, W_O and the MLP, the last through W_U), forward and backward, as
    (what, m, k, n, count, transposed operand): each `[m, k] · [k, n]`; the backward products read a transposed view
    (`a`: the first operand, `b`: the second), as autograd's `mm` does. The 3×3 attention per head is left out
    (under 1 % of the FLOPs).
    """
    n_rows, d, hd, m, p = 3 * batch, cfg.d_model, cfg.n_heads * cfg.d_head, cfg.d_mlp, cfg.n_out
    products = []
    for what, rows, k, n in (('Q, K, V: x · W', n_rows, d, hd), ('attention out: z · W_O', n_rows, hd, d),
                             ('MLP in: x · W_in', n_rows, d, m), ('MLP out: post · W_out', n_rows, m, d),
                             ('unembed: x[:, -1] · W_U', batch, d, p)):
        count = 3 if what.startswith('Q, K, V') else 1
        products.append((what, rows, k, n, count, None))
        products.append((f'{what.split(":")[0]} backward: dy · Wᵀ', rows, n, k, count, 'b'))
        products.append((f'{what.split(":")[0]} grad: xᵀ · dy', k, rows, n, count, 'a'))
    return products


def bench_products(p, frac, rounds=9, device='cpu'):
    """Each product of `step_products` timed alone (median of `rounds` after 2 untimed), in ms and GFLOP/s, at add mod p's train size."""
    cfg = Config(d_vocab=p + 1, n_out=p)
    batch = len(split_pairs(p, frac, 0)[0])
    out = []
    for what, m, k, n, count, transposed in step_products(cfg, batch):
        a = torch.randn((k, m) if transposed == 'a' else (m, k), device=device)
        b = torch.randn((n, k) if transposed == 'b' else (k, n), device=device)
        a, b = (a.t() if transposed == 'a' else a), (b.t() if transposed == 'b' else b)
        times = []
        for i in range(rounds + 2):
            t0 = time.perf_counter()
            a @ b
            if i >= 2:
                times.append(time.perf_counter() - t0)
        ms = 1000 * sorted(times)[len(times) // 2]
        out.append({'what': what, 'm': m, 'k': k, 'n': n, 'count': count, 'transpose': transposed, 'ms': round(ms, 3),
                    'gflops': round(2 * m * k * n / (ms * 1e6), 2)})
    return {'p': p, 'frac': frac, 'n_train': batch, 'threads': torch.get_num_threads(), 'products': out}


# ─────────────────────────────────────────────────────────────────────────────
# fixtures
# ─────────────────────────────────────────────────────────────────────────────

PROBE_SEED = 1234
PROBE_SIZE = 64


def probe_inputs(p):
    """The fixture's probe inputs `[a, p, b]`: 64 pairs (all, if fewer) drawn by `random.Random(1234)`."""
    pairs = random.Random(PROBE_SEED).sample(range(p * p), min(PROBE_SIZE, p * p))
    return [[pair // p, p, pair % p] for pair in pairs]


def fixture(run, task, opt):
    """The final model as fixtures/pytorch/*.json hold it, every number re-evaluated in float64."""
    model = copy.deepcopy(run.model).cpu().to(torch.float64)
    p = task.p
    weights = {short: model.state_dict()[name] for short, name in FIXTURE_NAMES.items()}
    probe = probe_inputs(p)
    with torch.no_grad():
        logits = model(torch.tensor(probe))
        cfg = model.cfg
        return {
            'about': f'grokscope_torch.py (PyTorch {torch.__version__}): trained in float32, every value below in float64.',
            'config': {
                'op': task.op, 'p': p, 'frac_train': task.frac, 'seed': task.seed, 'steps': run.steps, 'grok_step': run.grok_step,
                'lr': opt.lr, 'wd': opt.wd,
                'd_model': cfg.d_model, 'n_heads': cfg.n_heads, 'd_head': cfg.d_head, 'd_mlp': cfg.d_mlp, 'd_vocab': cfg.d_vocab,
                'n_out': cfg.n_out, 'op_token': p, 'act': 'relu', 'layer_norm': False, 'bias': False, 'positional_embedding': False,
                'attn_scale': '1/sqrt(d_head)', 'causal': True, 'input': '[a, op, b]', 'logits_at': 'last position',
            },
            'weights': {k: w.tolist() for k, w in weights.items()},
            'shapes': {k: list(w.shape) for k, w in weights.items()},
            'probe_inputs': probe,
            'probe_logits': logits.tolist(),
            'embedding': {'matrix': 'W_E[0:p] (rows = residues 0..p-1)', **measures(embedding_matrix(model, p))},
            'neuron_logit_map': {'matrix': 'W_L = (W_out @ W_U)^T, shape [p, d_mlp]', **measures(neuron_logit_map(model))},
        }


# ─────────────────────────────────────────────────────────────────────────────
# command line
# ─────────────────────────────────────────────────────────────────────────────

MIN_P, MAX_P = 3, 997


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def _is_prime(n):
    return n >= 2 and all(n % d for d in range(2, math.isqrt(n) + 1))


def _number(kind, check, what):
    def parse(s):
        try:
            v = kind(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f'{s!r} is not {what}')
        if not check(v):
            raise argparse.ArgumentTypeError(f'{s!r} is not {what}')
        return v
    return parse


def _pair(first, second, what):
    def parse(s):
        parts = s.split(',')
        if len(parts) != 2:
            raise argparse.ArgumentTypeError(f'{s!r} is not {what}')
        return first(parts[0]), second(parts[1])
    return parse


def _list(item, what):
    def parse(s):
        values = [v.strip() for v in s.split(',')]
        if '' in values:
            raise argparse.ArgumentTypeError(f'{s!r} is not {what}')
        return [item(v) for v in values]
    return parse


def _operation(s):
    if s not in OPERATIONS:
        raise argparse.ArgumentTypeError(f'unknown operation {s!r} (allowed: {", ".join(OPERATIONS)})')
    return s


_positive = _number(int, lambda v: v >= 1, 'an integer >= 1')
_seed = _number(int, lambda v: 0 <= v < 2 ** 53, 'a seed (an integer from 0 to 2^53 - 1)')
_prime = _number(int, lambda v: MIN_P <= v <= MAX_P and _is_prime(v), f'a prime from {MIN_P} to {MAX_P}')
_fraction = _number(float, lambda v: 0 < v < 1, 'a fraction strictly between 0 and 1')
_rate = _number(float, lambda v: v > 0 and math.isfinite(v), 'a positive number')
_decay = _number(float, lambda v: v >= 0 and math.isfinite(v), 'a number >= 0')
_alpha = _number(float, lambda v: 0 <= v < 1, 'alpha in [0, 1)')
_beta = _number(float, lambda v: 0 <= v < 1, 'a number in [0, 1)')
_steps = _number(int, lambda v: v >= 0, 'an integer >= 0')


def parser():
    ap = Parser(prog=PROGRAM, description='grokscope\'s PyTorch comparison program: train the paper\'s model on a ∘ b mod p, or time its training step.')
    ap.add_argument('--ops', type=_list(_operation, 'a list of operation ids'), default=['add'], help='operation ids, comma-separated (one run each; grokscope ops lists them)')
    ap.add_argument('--seeds', type=_list(_seed, 'a list of seeds'), default=[0], help='seeds, comma-separated (split, labels of rand, initial weights)')
    ap.add_argument('--p', type=_prime, default=97, help='the prime modulus (97)')
    ap.add_argument('--frac', type=_fraction, default=0.3, help='training fraction r (0.3)')
    ap.add_argument('--steps', type=_positive, default=30000, help='step budget of each run (30000)')
    ap.add_argument('--every', type=_positive, default=100, help='evaluate every n steps (100)')
    ap.add_argument('--device', default='cpu', help='torch device (cpu)')
    ap.add_argument('--lr', type=_rate, default=1e-3, help="AdamW's learning rate (1e-3)")
    ap.add_argument('--wd', type=_decay, default=1.0, help="AdamW's weight decay (1.0)")
    ap.add_argument('--beta1', type=_beta, default=0.9, help="AdamW's beta1 (0.9)")
    ap.add_argument('--beta2', type=_beta, default=0.98, help="AdamW's beta2 (0.98)")
    ap.add_argument('--eps', type=_rate, default=1e-8, help="AdamW's eps (1e-8)")
    ap.add_argument('--grokfast', type=_pair(_alpha, _decay, 'alpha,lamb (e.g. 0.98,2)'), metavar='ALPHA,LAMB', help='Grokfast-EMA gradient filter')
    ap.add_argument('--grokfast-ma', type=_pair(_positive, _decay, 'window,lamb (e.g. 100,5)'), metavar='WINDOW,LAMB', help='Grokfast-MA gradient filter')
    ap.add_argument('--warmup', type=_steps, default=0, help='linear learning-rate warm-up over this many steps (0)')
    ap.add_argument('--init-scale', type=_rate, default=1.0, help='every initial weight times this (1)')
    ap.add_argument('--threads', type=_positive, help="torch's intra-op threads (torch.set_num_threads; default: torch's own)")
    ap.add_argument('--elapsed', action='store_true', help='after each H line, print `T op seed step seconds` (since the first step)')
    ap.add_argument('--out', help='append one JSON line per run to this file')
    ap.add_argument('--export', help='write the final model as a fixture (fixtures/pytorch format); one run only')
    ap.add_argument('--bench', type=_positive, metavar='N', help='instead: time N training steps of add mod p (seed 0) and print JSON')
    ap.add_argument('--bench-products', action='store_true', help="instead: time each matrix product of a training step alone and print JSON")
    return ap


def result_line(run, task, opt):
    """One JSON line for --out: the run, its grokking step, its final FFD/FCR of W_E and W_L, its history."""
    final = run.history[-1]
    with torch.no_grad():
        w_l = measures(neuron_logit_map(run.model))
    return json.dumps({
        'op': task.op, 'p': task.p, 'frac': task.frac, 'seed': task.seed, 'lr': opt.lr, 'wd': opt.wd, 'betas': list(opt.betas), 'eps': opt.eps,
        'warmup': opt.warmup, 'init_scale': opt.init_scale,
        'grokfast': opt.grokfast_ema, 'grokfast_ma': opt.grokfast_ma,
        'grok_step': run.grok_step, 'steps': run.steps, 'sec': round(run.seconds, 1), 'ms_per_step': round(1000 * run.seconds / run.steps, 2),
        'ffd': final.ffd, 'fcr': final.fcr, 'w_l_ffd': w_l['ffd_eta_0_5'], 'w_l_fcr': w_l['fcr'],
        'history': [dataclasses.astuple(e) for e in run.history],
    })


def main(argv):
    a = parser().parse_args(argv)
    if a.grokfast and a.grokfast_ma:
        raise UsageError('--grokfast and --grokfast-ma: choose one filter')
    if a.device != 'cpu' and not (a.device.startswith('cuda') and torch.cuda.is_available()):
        raise UsageError(f'--device: {a.device!r} is not available here (cpu)')
    opt = Optimiser(
        lr=a.lr, wd=a.wd, betas=(a.beta1, a.beta2), eps=a.eps, grokfast_ema=a.grokfast, grokfast_ma=a.grokfast_ma,
        warmup=a.warmup, init_scale=a.init_scale,
    )
    if a.threads:
        torch.set_num_threads(a.threads)
    if a.bench:
        print(json.dumps(bench(a.p, a.frac, a.bench, opt, a.device)), flush=True)
        return
    if a.bench_products:
        print(json.dumps(bench_products(a.p, a.frac, device=a.device)), flush=True)
        return
    if a.export and len(a.ops) * len(a.seeds) > 1:
        raise UsageError('--export writes one run: give one operation and one seed')
    tasks = [make_task(op, a.p, a.frac, seed, a.device) for op in a.ops for seed in a.seeds]
    for task in tasks:
        def show(e, seconds, op=task.op, seed=task.seed):
            print('H', op, seed, e.step, f'{e.train_loss:.6g}', f'{e.test_loss:.6g}', f'{e.train_acc:.10g}', f'{e.test_acc:.10g}', f'{e.ffd:.6g}', f'{e.fcr:.6g}', flush=True)
            if a.elapsed:
                print('T', op, seed, e.step, f'{seconds:.4f}', flush=True)
        run = train(task, opt, a.steps, a.every, show, a.device)
        if a.out:
            with open(a.out, 'a') as f:
                f.write(result_line(run, task, opt) + '\n')
        if a.export:
            with open(a.export, 'w') as f:
                json.dump(fixture(run, task, opt), f)
        final = run.history[-1]
        grokked = f'grokked at step {run.grok_step}' if run.grok_step is not None else f'did not grok (test accuracy {final.test_acc:.3f})'
        print(f'done: {task.op} mod {task.p}, seed {task.seed}, {grokked}; {run.steps} steps in {run.seconds:.1f} s; W_E FFD {final.ffd:.3f} FCR {final.fcr:.3f}', flush=True)


if __name__ == '__main__':
    try:
        main(sys.argv[1:])
    except UsageError as e:
        print(f'{PROGRAM}: error: {e}', file=sys.stderr)
        sys.exit(2)
    except OSError as e:
        print(f'{PROGRAM}: error: {e.filename}: {e.strerror}', file=sys.stderr)
        sys.exit(1)
