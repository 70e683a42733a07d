"""text-dedup's clusters, read from what `python -m text_dedup.minhash --debug` left in its output folder.

Runs in text-dedup's own virtual environment (its union-find class is needed to unpickle `uf.pkl`):

    python text_dedup_clusters.py OUTPUT_DIR

Writes OUTPUT_DIR/clusters.json in datatrove_dedup.py's format: {"kept": [[id, cluster], ...],
"removed": [[id, cluster], ...]}. Kept documents are those in the saved dataset; a document in a
cluster and not saved was removed; cluster is the union-find root (-1: in no cluster). Documents
text-dedup dropped before hashing (shorter than its --min_length) are in neither list.
"""

import json
import os
import pickle
import sys

from datasets import load_from_disk


def main():
    out = sys.argv[1]
    with open(os.path.join(out, "uf.pkl"), "rb") as f:
        uf = pickle.load(f)
    kept_ids = [str(i) for i in load_from_disk(out)["id"]]
    kept_set = set(kept_ids)
    members = {str(x) for x in uf.parent}
    cluster = {x: str(uf.find(x)) for x in uf.parent}
    result = {
        "kept": [[i, cluster.get(i, -1)] for i in kept_ids],
        "removed": [[str(x), cluster[x]] for x in uf.parent if str(x) not in kept_set and str(x) in members],
    }
    with open(os.path.join(out, "clusters.json"), "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
