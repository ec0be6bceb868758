"""Writes a HookedTransformer-shaped state dict of grokscope_torch.py's model (seeded random
weights, the PyTorch comparison program's initialisation) as safetensors by hand, the way
safetensors.torch.save_file lays it out (including the attention buffers blocks.0.attn.mask
(BOOL) and blocks.0.attn.IGNORE, and zero biases), plus a config.json of HookedTransformerConfig
fields, and prints the model's logits on the probe inputs as JSON.

usage: tl_write.py <folder of grokscope_torch.py> <out dir> <p> <seed> <probe inputs JSON>
"""
import json, struct, sys

import torch

sys.path.insert(0, sys.argv[1])
from grokscope_torch import Config, Transformer  # noqa: E402

DTYPES = {torch.float32: ('F32', 4), torch.bool: ('BOOL', 1), torch.int64: ('I64', 8)}


def save_safetensors(tensors, path, metadata=None):
    # safetensors orders tensors by dtype alignment (largest first), then name; pads the header with spaces to 8 bytes.
    names = sorted(tensors, key=lambda k: (-DTYPES[tensors[k].dtype][1], k))
    header, chunks, offset = {}, [], 0
    if metadata:
        header['__metadata__'] = metadata
    for k in names:
        t = tensors[k].contiguous()
        b = t.numpy().tobytes() if t.numel() else b''
        header[k] = {'dtype': DTYPES[t.dtype][0], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(b)]}
        chunks.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(chunks))


out, p, seed, probe = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), json.loads(sys.argv[5])
config = Config(d_vocab=p + 1, n_out=p, d_model=32, n_heads=4, d_head=8, d_mlp=64)
m = Transformer(config, seed=seed)
d, H, dh, dmlp = config.d_model, config.n_heads, config.d_head, config.d_mlp
# The model's own state_dict has TransformerLens's names and layouts; a HookedTransformer adds these.
sd = {
    **{k: v.detach() for k, v in m.state_dict().items()},
    'pos_embed.W_pos': torch.zeros(3, d),
    'blocks.0.attn.b_Q': torch.zeros(H, dh), 'blocks.0.attn.b_K': torch.zeros(H, dh), 'blocks.0.attn.b_V': torch.zeros(H, dh),
    'blocks.0.attn.b_O': torch.zeros(d),
    'blocks.0.attn.mask': torch.tril(torch.ones(3, 3, dtype=torch.bool)),
    'blocks.0.attn.IGNORE': torch.tensor(-torch.inf),
    'blocks.0.mlp.b_in': torch.zeros(dmlp), 'blocks.0.mlp.b_out': torch.zeros(d),
    'unembed.b_U': torch.zeros(p),
}
save_safetensors(sd, out + '/model.safetensors', {'format': 'pt'})
cfg = dict(n_layers=1, d_model=d, n_ctx=3, d_head=dh, n_heads=H, d_mlp=dmlp, d_vocab=config.d_vocab, d_vocab_out=p, act_fn='relu',
           normalization_type=None, positional_embedding_type='standard', attn_only=False)
json.dump(dict(cfg, task=dict(p=p, ops=['add'], seed=seed)), open(out + '/config.json', 'w'))
with torch.no_grad():
    logits = m(torch.tensor(probe))
print(json.dumps({'logits': logits.tolist()}))
