"""STS Benchmark scored as MTEB scores it, with PyTorch: the reference for AdaptEval's STS numbers.

Mean-pooled embeddings of both sentences of every pair (last hidden state averaged over the
attention mask, BertModel without the pooler, max length 128, batches of 32), cosine
similarity, then Spearman's rho and Pearson's r (x 100) against the gold scores, as MTEB's
STSEvaluator computes them. The pairs are read as AdaptEval reads the file: tab-separated,
no quoting, score in field 5, sentences in fields 6 and 7.

    python3 bench/torch_sts.py --model models/all-MiniLM-L6-v2 --sts ../shared/data/08_sts_benchmark/sts-dev.csv
"""
import argparse
import json

import torch
from scipy.stats import pearsonr, spearmanr
from transformers import AutoTokenizer, BertModel


def read_pairs(path):
    first, second, scores = [], [], []
    with open(path, encoding="utf-8") as handle:
        for line in handle.read().split("\n"):
            if not line.strip():
                continue
            fields = line.rstrip("\r").split("\t")
            scores.append(float(fields[4]))
            first.append(fields[5])
            second.append(fields[6])
    return first, second, scores


def embed(model, tokenizer, texts, max_length, batch_size=32):
    vectors = []
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            batch = tokenizer(texts[start:start + batch_size], padding=True, truncation=True, max_length=max_length,
                              return_tensors="pt")
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            vectors.append((hidden * mask).sum(1) / mask.sum(1))
    return torch.cat(vectors)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--sts", required=True)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = BertModel.from_pretrained(args.model, add_pooling_layer=False).eval()
    first, second, gold = read_pairs(args.sts)
    a = torch.nn.functional.normalize(embed(model, tokenizer, first, args.max_length), dim=1)
    b = torch.nn.functional.normalize(embed(model, tokenizer, second, args.max_length), dim=1)
    cosine = (a * b).sum(1).double().numpy()
    print(json.dumps({
        "pairs": len(gold), "spearman": 100 * spearmanr(cosine, gold).statistic,
        "pearson": 100 * pearsonr(cosine, gold).statistic, "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
