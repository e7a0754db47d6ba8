"""ItemCF in SciPy sparse, the bench's reference for RecLab's ItemCF, under both cuts.

Same model as src/recsys/models/retrieval/item-cf.ts: binary interactions, cosine with shrinkage
sim(a, b) = |a ∩ b| / (sqrt(|a| |b|) + shrink), the top `neighbours` per item in S (row i: i's
top k). Per target, as RecBole's ItemKNN (ComputeSimilarity keeps each column's top k in W,
then scores X @ W): score(u, j) = sum of sim(i, j) over u's items i among j's top k, X @ S.T.
Per source: over u's items i that hold j among their top k, X @ S.

Reads the split RecLab wrote (spec.json: neighbours, shrink; int32 files), times the fit
(the similarities, then each cut's scoring matrix), and scores the test users with full
ranking (training items excluded) so the quality can be compared too. Prints one JSON line:
for each cut, its fit seconds, Recall@10 and NDCG@10.
"""
import json
import sys
import time

import numpy as np
import scipy.sparse as sp


def neighbours_matrix(x, neighbours, shrink):
    """S: row i holds i's top `neighbours` items by shrunk cosine (none sharing no user)."""
    num_items = x.shape[1]
    xt = x.T.tocsr()
    norms = np.sqrt(np.asarray(xt.sum(axis=1)).ravel())
    rows, cols, vals = [], [], []
    block = 1024
    k = min(neighbours, num_items - 1)
    for start in range(0, num_items, block):
        stop = min(num_items, start + block)
        co = (xt[start:stop] @ x).toarray()
        sim = co / (np.outer(norms[start:stop], norms) + shrink)
        sim[np.arange(stop - start), np.arange(start, stop)] = 0
        sim[co == 0] = 0
        top = np.argpartition(-sim, k, axis=1)[:, :k]
        top_sim = np.take_along_axis(sim, top, axis=1)
        keep = top_sim > 0
        rows.append(np.repeat(np.arange(start, stop), k)[keep.ravel()])
        cols.append(top.ravel()[keep.ravel()])
        vals.append(top_sim.ravel()[keep.ravel()])
    return sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(num_items, num_items)
    )


def quality(x, w, truth, evaluated):
    """Recall@10 and NDCG@10 of the scores X @ W over the evaluated users."""
    num_items = x.shape[1]
    scores = (x[evaluated] @ w).toarray()
    seen = x[evaluated].toarray() > 0
    scores[seen] = -np.inf
    recall = ndcg = 0.0
    counted = 0
    discounts = 1 / np.log2(np.arange(2, 12))
    for r, u in enumerate(evaluated):
        relevant = set(truth.indices[truth.indptr[u] : truth.indptr[u + 1]]) - set(np.flatnonzero(seen[r]))
        if not relevant:
            continue
        # Ties to the lower index, as RecLab ranks.
        order = np.lexsort((np.arange(num_items), -scores[r]))[:10]
        hits = np.array([i in relevant for i in order])
        recall += hits.sum() / len(relevant)
        ndcg += (hits * discounts).sum() / discounts[: min(len(relevant), 10)].sum()
        counted += 1
    return recall / counted, ndcg / counted, counted


def main(folder):
    with open(f"{folder}/spec.json") as f:
        spec = json.load(f)
    read = lambda name: np.fromfile(f"{folder}/{name}.bin", dtype=np.int32)
    users, items, test_users, test_items = read("train_users"), read("train_items"), read("test_users"), read("test_items")
    num_users, num_items = (int(x) for x in read("shape"))

    started = time.perf_counter()
    x = sp.csr_matrix((np.ones(len(users), dtype=np.float64), (users, items)), shape=(num_users, num_items))
    x.data[:] = 1.0  # duplicates summed by the constructor count once
    s = neighbours_matrix(x, spec["neighbours"], spec["shrink"])
    similarities_seconds = time.perf_counter() - started
    # Each cut's W, scored as X @ W; per target the transpose, built as RecBole keeps it (CSC → CSR).
    started = time.perf_counter()
    w_target = s.T.tocsr()
    target_seconds = time.perf_counter() - started

    truth = sp.csr_matrix((np.ones(len(test_users)), (test_users, test_items)), shape=(num_users, num_items))
    evaluated = np.unique(test_users)
    out = {}
    for cut, w, extra in (("target", w_target, target_seconds), ("source", s, 0.0)):
        recall, ndcg, counted = quality(x, w, truth, evaluated)
        out[cut] = {"fit_seconds": similarities_seconds + extra, "recall10": recall, "ndcg10": ndcg, "users": counted}
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
