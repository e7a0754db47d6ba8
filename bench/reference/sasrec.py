"""PyTorch reference for RecLab's SASRec (src/recsys/models/sequence/sasrec.ts): the same
layers, initialisation, loss, batches and optimiser, on the training windows
`bench/sequence.ts` writes, so samples/second compare like with like.

    python3 sasrec.py DIR     (DIR holds spec.json, inputs.i32, targets.i32 and counts.i32)

Prints one JSON line (see sequence_training.py). The model: item embeddings (row 0 is
padding, masked) scaled by sqrt(d) plus learned positions, dropout, `blocks` pre-norm
transformer blocks (x + attention(norm(x)), then + feed-forward(norm(.)), dropout on both
branches, padding slots zeroed after each block) under a causal and a padding mask, a final
layer norm; each slot's state scores its next item by inner product with the item
embeddings. Loss (spec "loss"): "bce", binary cross-entropy against one sampled negative per
slot (uniform, as RecLab's default sampler draws); "full", the softmax over every item.
"""
import math

import torch
import torch.nn.functional as F

from sequence_training import MASKED, dense, embedding, main


class Block(torch.nn.Module):
    """transformer-block.ts and attention.ts: pre-norm, one Dense per query/key/value/output, ReLU feed-forward as wide as the model."""

    def __init__(self, d, heads, rate):
        super().__init__()
        self.heads, self.rate = heads, rate
        self.norm1, self.norm2 = torch.nn.LayerNorm(d, eps=1e-6), torch.nn.LayerNorm(d, eps=1e-6)
        self.q, self.k, self.v, self.o = (dense(d, d) for _ in range(4))
        self.inner, self.outer = dense(d, d), dense(d, d)

    def forward(self, x, mask):
        b, length, d = x.shape
        split = lambda t: t.view(b, length, self.heads, d // self.heads).transpose(1, 2)
        normed = self.norm1(x)
        q, k, v = split(self.q(normed)), split(self.k(normed)), split(self.v(normed))
        weights = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // self.heads) + mask, dim=-1)
        attended = self.o((weights @ v).transpose(1, 2).reshape(b, length, d))
        h = x + F.dropout(attended, self.rate, self.training)
        ffn = self.outer(F.dropout(F.relu(self.inner(self.norm2(h))), self.rate, self.training))
        return h + F.dropout(ffn, self.rate, self.training)


class SASRec(torch.nn.Module):
    def __init__(self, spec, num_items):
        super().__init__()
        d, self.rate, self.full = spec["embeddingDim"], spec["dropout"], spec["loss"] == "full"
        self.items = embedding(num_items + 1, d)
        self.positions = torch.nn.Parameter(torch.randn(spec["maxLen"], d) / math.sqrt(d))
        self.blocks = torch.nn.ModuleList(Block(d, spec["heads"], self.rate) for _ in range(spec["blocks"]))
        self.norm = torch.nn.LayerNorm(d, eps=1e-6)
        length = spec["maxLen"]
        self.register_buffer("causal", torch.triu(torch.full((length, length), MASKED), diagonal=1))

    def forward(self, inputs):
        d = self.items.embedding_dim
        keep = (inputs > 0).float()
        x = self.items(inputs) * math.sqrt(d) + self.positions[-inputs.shape[1]:]
        x = F.dropout(x, self.rate, self.training) * keep[..., None]
        mask = self.causal + ((1 - keep) * MASKED)[:, None, None, :]
        for block in self.blocks:
            x = block(x, mask) * keep[..., None]
        return self.norm(x)

    def loss(self, inputs, targets, sampler):
        states = self(inputs).reshape(-1, self.items.embedding_dim)
        targets = targets.reshape(-1)
        rows = targets > 0
        h, positives = states[rows], targets[rows]
        if self.full:
            return F.cross_entropy(h @ self.items.weight[1:].T, positives - 1)
        negatives = sampler.draw(positives.numel()) + 1
        positive = (h * self.items(positives)).sum(1)
        negative = (h * self.items(negatives)).sum(1)
        return (F.softplus(-positive).sum() + F.softplus(negative).sum()) / positives.numel()


if __name__ == "__main__":
    main(SASRec)
