"""Reads a grokscope TransformerLens checkpoint with json + struct + torch.frombuffer
(no safetensors package), loads its weights by their TransformerLens names into the
model of grokscope_torch.py (the PyTorch comparison program), and prints that model's
logits on the probe inputs as JSON.

usage: tl_read.py <folder of grokscope_torch.py> <checkpoint dir> <probe inputs JSON: [[a, op, b], ...]>
"""
import json, math, struct, sys

import torch

sys.path.insert(0, sys.argv[1])
from grokscope_torch import Config, Transformer  # noqa: E402


def read_safetensors(path):
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    data = bytearray(raw[8 + n:])
    out = {}
    for name, e in header.items():
        if name == '__metadata__':
            continue
        assert e['dtype'] == 'F32', (name, e['dtype'])
        begin, end = e['data_offsets']
        out[name] = torch.frombuffer(data[begin:end], dtype=torch.float32).reshape(e['shape']) if end > begin else torch.zeros(e['shape'])
    return header.get('__metadata__', {}), out


folder, probe = sys.argv[2], json.loads(sys.argv[3])
cfg = json.load(open(folder + '/config.json'))
h = cfg['hooked_transformer_config']
_, sd = read_safetensors(folder + '/model.safetensors')
assert h['normalization_type'] is None and h['use_attn_scale'] and abs(h['attn_scale'] - math.sqrt(h['d_head'])) < 1e-9
for name, t in sd.items():
    if '.b_' in name or name == 'pos_embed.W_pos':
        assert torch.count_nonzero(t) == 0, name
config = Config(d_vocab=h['d_vocab'], n_out=h['d_vocab_out'], d_model=h['d_model'], n_heads=h['n_heads'], d_head=h['d_head'], d_mlp=h['d_mlp'], n_layers=h['n_layers'])
# The checkpoint's keys are the model's own state_dict keys (embed.W_E, blocks.0.attn.W_O [n_heads, d_head, d_model], …).
m = Transformer.from_weights(config, sd, dtype=torch.float32)
with torch.no_grad():
    logits = m(torch.tensor(probe))
print(json.dumps({'logits': logits.tolist(), 'task': cfg['task'], 'keys': sorted(sd)}))
