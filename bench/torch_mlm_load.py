"""Checks that a folder written by AdaptEval's `Checkpoint.writeMaskedLanguageModel` is a
complete Hugging Face `BertForMaskedLM`: runs `adapteval bench mlm-export` (which writes the
folder and prints AdaptEval's masked log-probabilities of a sentence), loads the folder with
`BertForMaskedLM.from_pretrained(..., output_loading_info=True)`, asserts that no key is missing,
unexpected or mismatched and that the decoder is tied, and compares PyTorch's masked
log-probabilities (log-softmax in float64) with AdaptEval's. Exits non-zero on any difference.

    python3 bench/torch_mlm_load.py --model models/all-MiniLM-L6-v2           # fresh head
    python3 bench/torch_mlm_load.py --model ../shared/reference/mlm/tiny-bert-mlm
"""
import argparse
import json
import pathlib
import subprocess
import sys
import tempfile

import torch
from transformers import BertForMaskedLM, BertTokenizerFast


def main() -> int:
    root = pathlib.Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--binary", default=str(root / ".build/release/adapteval"))
    parser.add_argument("--text", default="The quick brown fox jumps over the lazy dog.")
    parser.add_argument("--tolerance", type=float, default=1e-4)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        output = pathlib.Path(folder) / "mlm"
        ours = json.loads(subprocess.run(
            [args.binary, "bench", "mlm-export", "--model", args.model, "--output", str(output), "--text", args.text],
            check=True, capture_output=True, text=True).stdout)
        model, info = BertForMaskedLM.from_pretrained(str(output), output_loading_info=True)
        problems = {key: value for key, value in info.items() if value}
        tied = model.cls.predictions.decoder.weight.data_ptr() == model.bert.embeddings.word_embeddings.weight.data_ptr()
        tokenizer = BertTokenizerFast.from_pretrained(str(output))
        ids = tokenizer(args.text)["input_ids"]
        model.eval()
        theirs = []
        with torch.inference_mode():
            for position in ours["positions"]:
                masked = list(ids)
                masked[position] = tokenizer.mask_token_id
                logits = model(input_ids=torch.tensor([masked])).logits[0, position].double()
                theirs.append(torch.log_softmax(logits, dim=-1)[ids[position]].item())
    worst = max(abs(a - b) for a, b in zip(ours["log_probabilities"], theirs))
    print(json.dumps({
        "model": args.model, "fresh_head": ours["fresh_head"], "loading_problems": problems, "decoder_tied": tied,
        "same_ids": ids == ours["ids"], "positions": len(theirs), "largest_difference": worst,
    }))
    return 0 if not problems and tied and ids == ours["ids"] and worst <= args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
