"""Reads a grokscope TransformerLens checkpoint with json + struct + torch.frombuffer
(no safetensors package), puts its weights into ref_torch.py's independent model,
and prints that model's logits on the probe inputs as JSON.

usage: tl_read.py <ref_torch dir> <checkpoint dir> <probe inputs JSON: [[a, op, b], ...]>
"""
import json, math, struct, sys

import torch

sys.path.insert(0, sys.argv[1])
from ref_torch import Model  # noqa: E402


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
assert h['n_layers'] == 1 and h['normalization_type'] is None and h['use_attn_scale'] and abs(h['attn_scale'] - math.sqrt(h['d_head'])) < 1e-9
for name, t in sd.items():
    if '.b_' in name or name == 'pos_embed.W_pos':
        assert torch.count_nonzero(t) == 0, name
m = Model(h['d_vocab'], d=h['d_model'], H=h['n_heads'], dmlp=h['d_mlp'], n_out=h['d_vocab_out'])
H, dh, d = h['n_heads'], h['d_head'], h['d_model']
assert m.dh == dh
with torch.no_grad():
    m.W_E.copy_(sd['embed.W_E'])
    m.W_Q.copy_(sd['blocks.0.attn.W_Q'])
    m.W_K.copy_(sd['blocks.0.attn.W_K'])
    m.W_V.copy_(sd['blocks.0.attn.W_V'])
    m.W_O.copy_(sd['blocks.0.attn.W_O'].reshape(H * dh, d))  # [n_heads, d_head, d_model] -> [(n_heads d_head), d_model]
    m.W_in.copy_(sd['blocks.0.mlp.W_in'])
    m.W_out.copy_(sd['blocks.0.mlp.W_out'])
    m.W_U.copy_(sd['unembed.W_U'])
    logits = m(torch.tensor(probe))
print(json.dumps({'logits': logits.tolist(), 'task': cfg['task'], 'keys': sorted(sd)}))
