"""ItemCF in SciPy sparse, the bench's reference for RecLab's ItemCF.

Same model as src/recsys/models/retrieval/item-cf.ts: binary interactions, cosine with shrinkage
sim(a, b) = |a ∩ b| / (sqrt(|a| |b|) + shrink), the top `neighbours` per item, a user's
score = sum of the similarities of their items' neighbours. Reads the split RecLab wrote
(int32 files), times the fit, and scores the test users with full ranking (training items
excluded) so the quality can be compared too. Prints one JSON line.
"""
import json
import sys
import time

import numpy as np
import scipy.sparse as sp


def main(folder, neighbours, shrink):
    read = lambda name: np.fromfile(f"{folder}/{name}.bin", dtype=np.int32)
    users, items, test_users, test_items = read("train_users"), read("train_items"), read("test_users"), read("test_items")
    num_users, num_items = (int(x) for x in read("shape"))

    started = time.perf_counter()
    x = sp.csr_matrix((np.ones(len(users), dtype=np.float64), (users, items)), shape=(num_users, num_items))
    x.data[:] = 1.0  # duplicates summed by the constructor count once
    xt = x.T.tocsr()
    norms = np.sqrt(np.asarray(xt.sum(axis=1)).ravel())
    rows, cols, vals = [], [], []
    block = 1024
    for start in range(0, num_items, block):
        stop = min(num_items, start + block)
        co = (xt[start:stop] @ x).toarray()
        sim = co / (np.outer(norms[start:stop], norms) + shrink)
        sim[np.arange(stop - start), np.arange(start, stop)] = 0
        sim[co == 0] = 0
        k = min(neighbours, num_items - 1)
        top = np.argpartition(-sim, k, axis=1)[:, :k]
        top_sim = np.take_along_axis(sim, top, axis=1)
        keep = top_sim > 0
        rows.append(np.repeat(np.arange(start, stop), k)[keep.ravel()])
        cols.append(top.ravel()[keep.ravel()])
        vals.append(top_sim.ravel()[keep.ravel()])
    s = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(num_items, num_items))
    fit_seconds = time.perf_counter() - started

    truth = sp.csr_matrix((np.ones(len(test_users)), (test_users, test_items)), shape=(num_users, num_items))
    evaluated = np.unique(test_users)
    scores = (x[evaluated] @ s).toarray()
    seen = x[evaluated].toarray() > 0
    scores[seen] = -np.inf
    recall = ndcg = 0.0
    counted = 0
    discounts = 1 / np.log2(np.arange(2, 12))
    for r, u in enumerate(evaluated):
        relevant = set(truth.indices[truth.indptr[u]:truth.indptr[u + 1]]) - set(np.flatnonzero(seen[r]))
        if not relevant:
            continue
        # Ties to the lower index, as RecLab ranks.
        order = np.lexsort((np.arange(num_items), -scores[r]))[:10]
        hits = np.array([i in relevant for i in order])
        recall += hits.sum() / len(relevant)
        ndcg += (hits * discounts).sum() / discounts[: min(len(relevant), 10)].sum()
        counted += 1
    print(json.dumps({"fit_seconds": fit_seconds, "recall10": recall / counted, "ndcg10": ndcg / counted, "users": counted}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))
