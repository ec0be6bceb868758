"""Answers the questions of test/torch-program.test.ts with grokscope_torch.py (the PyTorch
comparison program) imported as a module, in one process (torch's import takes most of a
second), and prints the answers as one JSON document: its operations, its logits and Fourier
measures for fixtures, its train and test examples for tasks, what its Grokfast filters make
of a known gradient sequence, and the error its command line gives for each refused argv.

usage: torch_program.py <folder of grokscope_torch.py> <request JSON>
  request: {"fixtures": [path, ...], "tasks": [{"op", "p", "frac", "seed"}, ...],
            "filters": {"gradients": [g1, g2, ...], "ema": [alpha, lamb], "ma": [window, lamb]},
            "refusals": [argv, ...]}
"""
import contextlib, io, json, sys

import torch

sys.path.insert(0, sys.argv[1])
import grokscope_torch as gt  # noqa: E402


def fixture(path):
    with open(path) as f:
        fx = json.load(f)
    p, probe = fx['config']['p'], torch.tensor(fx['probe_inputs'])
    m64, m32 = gt.Transformer.from_fixture(fx, torch.float64), gt.Transformer.from_fixture(fx, torch.float32)
    with torch.no_grad():
        return {
            'logits64': m64(probe).tolist(),
            'logits32': m32(probe).tolist(),
            'embedding': gt.measures(gt.embedding_matrix(m64, p)),
            'neuron_logit_map': gt.measures(gt.neuron_logit_map(m64)),
        }


def task(t):
    made = gt.make_task(t['op'], t['p'], t['frac'], t['seed'])
    return {part: {'tokens': ex.tokens.flatten().tolist(), 'labels': ex.labels.tolist()} for part, ex in (('train', made.train), ('test', made.test))}


def filtered(make, gradients):
    """The gradient after the filter at each step, for one scalar weight whose raw gradients are given."""
    w = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    f, out = make(), []
    for g in gradients:
        w.grad = torch.tensor([float(g)], dtype=torch.float64)
        f([w])
        out.append(w.grad.item())
    return out


def refusal(argv):
    """The message of the UsageError that `main(argv)` raises (what the program prints after `error: `), or None."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            gt.main(argv)
    except gt.UsageError as e:
        return str(e)
    return None


request = json.loads(sys.argv[2])
filters = request.get('filters')
print(json.dumps({
    'operations': gt.OPERATIONS,
    'fixtures': [fixture(path) for path in request.get('fixtures', [])],
    'tasks': [task(t) for t in request.get('tasks', [])],
    'filters': None if filters is None else {
        'ema': filtered(lambda: gt.GrokfastEMA(*filters['ema']), filters['gradients']),
        'ma': filtered(lambda: gt.GrokfastMA(*filters['ma']), filters['gradients']),
    },
    'refusals': [refusal(argv) for argv in request.get('refusals', [])],
}))
