"""PyTorch reference for `adapteval bench forward`: the same model, shapes and timing method.

Loads the checkpoint folder with transformers' BertModel (no pooler), feeds batch x seq random
token ids with a full attention mask, and prints one JSON line with the median of the timed
forwards after warm-up, under torch.inference_mode().
"""
import argparse
import json
import statistics
import time

import torch
from transformers import BertModel


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seq", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    model = BertModel.from_pretrained(args.model, add_pooling_layer=False).eval()
    generator = torch.Generator().manual_seed(42)
    vocab = model.config.vocab_size
    ids = torch.randint(1000, vocab, (args.batch, args.seq), generator=generator)
    ids[:, 0], ids[:, -1] = 101, 102
    mask = torch.ones_like(ids)
    with torch.inference_mode():
        for _ in range(args.warmup):
            model(input_ids=ids, attention_mask=mask)
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            model(input_ids=ids, attention_mask=mask)
            times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(json.dumps({
        "benchmark": "forward", "implementation": f"torch {torch.__version__}",
        "batch": args.batch, "seq": args.seq, "threads": torch.get_num_threads(),
        "median_seconds": median, "tokens_per_second": args.batch * args.seq / median,
        "seconds": times,
    }))


if __name__ == "__main__":
    main()
