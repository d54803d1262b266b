"""PyTorch reference for `adapteval bench mlm`: one masked-LM optimiser step (forward, backward,
AdamW) of `BertForMaskedLM`, full fine-tuning, with the same shape and masking density: per
sequence round(fraction x (seq - 2)) random positions between [CLS] and [SEP] replaced by [MASK]
and labelled, -100 elsewhere. A checkpoint without `cls.predictions.*` (the default model) gets
transformers' fresh head, tied to the word embeddings. Note that transformers projects every
token onto the vocabulary and masks the loss afterwards; AdaptEval projects only the labelled
positions. Prints one JSON line with the median step time and peak RSS.
"""
import argparse
import json
import resource
import statistics
import time

import torch
from transformers import BertForMaskedLM


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--seq", type=int, default=128)
    parser.add_argument("--fraction", type=float, default=0.15)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(7)
    model = BertForMaskedLM.from_pretrained(args.model)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
    ids = torch.randint(1000, model.config.vocab_size, (args.batch, args.seq))
    ids[:, 0], ids[:, -1] = 101, 102
    labels = torch.full_like(ids, -100)
    chosen = max(1, round(args.fraction * (args.seq - 2)))
    for row in range(args.batch):
        positions = torch.randperm(args.seq - 2)[:chosen] + 1
        labels[row, positions] = ids[row, positions]
        ids[row, positions] = 103
    mask = torch.ones_like(ids)

    def step():
        optimizer.zero_grad(set_to_none=False)
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        loss.backward()
        optimizer.step()

    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(json.dumps({
        "benchmark": "mlm-train", "implementation": f"torch {torch.__version__}", "batch": args.batch,
        "seq": args.seq, "scored_positions": chosen * args.batch, "threads": torch.get_num_threads(),
        "median_seconds": median, "tokens_per_second": args.batch * args.seq / median, "seconds": times,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
