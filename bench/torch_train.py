"""PyTorch reference for `adapteval bench train`: one optimiser step (forward, backward, AdamW)
of MiniLM with a mean-pooled linear head, full fine-tuning or LoRA r=8, alpha=16 on query and
value (written out here, equivalent to PEFT's defaults: A Kaiming-uniform, B zero, dropout 0.1).
Prints one JSON line with the median step time and peak RSS.
"""
import argparse
import json
import math
import resource
import statistics
import time

import torch
from torch import nn
from transformers import BertModel


class LoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, rank: int = 8, alpha: float = 16, dropout: float = 0.1):
        super().__init__()
        self.base = base
        self.down = nn.Parameter(torch.empty(rank, base.in_features))
        nn.init.kaiming_uniform_(self.down, a=math.sqrt(5))
        self.up = nn.Parameter(torch.zeros(base.out_features, rank))
        self.scale = alpha / rank
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.base(x) + (self.dropout(x) @ self.down.T @ self.up.T) * self.scale


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--strategy", choices=["full", "lora"], default="full")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--seq", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(7)
    model = BertModel.from_pretrained(args.model, add_pooling_layer=False)
    head = nn.Linear(model.config.hidden_size, 2)
    if args.strategy == "lora":
        for parameter in model.parameters():
            parameter.requires_grad_(False)
        for layer in model.encoder.layer:
            layer.attention.self.query = LoRALinear(layer.attention.self.query)
            layer.attention.self.value = LoRALinear(layer.attention.self.value)
    model.train()
    parameters = [p for p in list(model.parameters()) + list(head.parameters()) if p.requires_grad]
    optimizer = torch.optim.AdamW(parameters, lr=1e-5)
    ids = torch.randint(1000, model.config.vocab_size, (args.batch, args.seq))
    ids[:, 0], ids[:, -1] = 101, 102
    mask = torch.ones_like(ids)
    labels = torch.arange(args.batch) % 2

    def step():
        optimizer.zero_grad(set_to_none=False)
        hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state
        pooled = (hidden * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)
        loss = nn.functional.cross_entropy(head(pooled), labels)
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
        "benchmark": "train", "implementation": f"torch {torch.__version__}", "strategy": args.strategy,
        "batch": args.batch, "seq": args.seq, "threads": torch.get_num_threads(), "median_seconds": median,
        "tokens_per_second": args.batch * args.seq / median, "seconds": times,
        "trainable_parameters": sum(p.numel() for p in parameters),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
