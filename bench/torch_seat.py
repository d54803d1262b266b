"""PyTorch reference for `adapteval probe seat`: SEAT effect sizes of a checkpoint, computed
independently of AdaptEval.

Each example is embedded with transformers' BertModel (no pooler) and BertTokenizerFast:
the last hidden state averaged over the attention mask, texts batched 16 at a time with
padding, at most 128 tokens. Then, for X = targ1, Y = targ2, A = attr1, B = attr2 and
s(w) = mean_a cos(w, a) - mean_b cos(w, b) (May et al. 2019, following Caliskan et al. 2017):
    d = (mean_x s(x) - mean_y s(y)) / std_{w in X u Y} s(w)      (ddof = 1)
Prints one JSON line per test: {"test": file name, "effect_size": d}.

    python bench/torch_seat.py --model models/all-MiniLM-L6-v2 \
        --tests ../shared/data/03_seat/tests/weat6.jsonl ...
"""
import argparse
import json
import os

import numpy as np
import torch
from transformers import BertModel, BertTokenizerFast


def embed(model, tokenizer, texts):
    vectors = []
    with torch.inference_mode():
        for start in range(0, len(texts), 16):
            batch = tokenizer(texts[start:start + 16], padding=True, truncation=True, max_length=128, return_tensors="pt")
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            vectors.append(((hidden * mask).sum(1) / mask.sum(1)).double().numpy())
    return np.concatenate(vectors)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--tests", nargs="+", required=True)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model = BertModel.from_pretrained(args.model, add_pooling_layer=False).eval()
    tokenizer = BertTokenizerFast.from_pretrained(args.model)
    for path in args.tests:
        with open(path, encoding="utf-8") as file:
            test = json.load(file)
        sets = {key: embed(model, tokenizer, test[key]["examples"]) for key in ("targ1", "targ2", "attr1", "attr2")}
        unit = {key: value / np.linalg.norm(value, axis=1, keepdims=True) for key, value in sets.items()}

        def association(targets):
            return (targets @ unit["attr1"].T).mean(axis=1) - (targets @ unit["attr2"].T).mean(axis=1)

        x, y = association(unit["targ1"]), association(unit["targ2"])
        d = (x.mean() - y.mean()) / np.std(np.concatenate([x, y]), ddof=1)
        print(json.dumps({"test": os.path.basename(path), "effect_size": float(d)}))


if __name__ == "__main__":
    main()
