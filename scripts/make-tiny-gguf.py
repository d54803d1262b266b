#!/usr/bin/env python3
"""Writes a tiny llama-architecture GGUF model with random weights, for tests of the remote
backend against llama.cpp's OpenAI-compatible server.

The vocabulary is SentencePiece-style with byte fallback: <unk>, <s>, </s>, the 256 byte
tokens <0x00>..<0xFF>, the space piece U+2581 and the 94 printable ASCII characters, so
every ASCII character is one token (and detokenizes to itself) and anything else falls back
to bytes. Two layers, width 64: a few hundred kilobytes, answered in milliseconds. Greedy
decoding writes printable ASCII only (see `output` below).

Usage: make-tiny-gguf.py OUTPUT.gguf [--seed N]
"""
import argparse

import numpy as np
from gguf import GGUFWriter, TokenType

EMBEDDING = 64
HEADS = 4
LAYERS = 2
FEED_FORWARD = 128
CONTEXT = 512


def vocabulary():
    tokens = [("<unk>", TokenType.UNKNOWN), ("<s>", TokenType.CONTROL), ("</s>", TokenType.CONTROL)]
    tokens += [(f"<0x{byte:02X}>", TokenType.BYTE) for byte in range(256)]
    tokens.append(("\u2581", TokenType.NORMAL))
    tokens += [(chr(code), TokenType.NORMAL) for code in range(0x21, 0x7F)]
    return tokens


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output")
    parser.add_argument("--seed", type=int, default=20261201)
    arguments = parser.parse_args()
    generator = np.random.default_rng(arguments.seed)
    tokens = vocabulary()

    writer = GGUFWriter(arguments.output, "llama")
    writer.add_name("adapteval-tiny-llama")
    writer.add_context_length(CONTEXT)
    writer.add_embedding_length(EMBEDDING)
    writer.add_block_count(LAYERS)
    writer.add_feed_forward_length(FEED_FORWARD)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(HEADS)
    writer.add_rope_dimension_count(EMBEDDING // HEADS)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(0)  # all F32
    writer.add_tokenizer_model("llama")
    writer.add_token_list([text for text, _ in tokens])
    writer.add_token_scores([0.0] * len(tokens))
    writer.add_token_types([kind for _, kind in tokens])
    writer.add_unk_token_id(0)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    writer.add_add_space_prefix(False)

    def weight(*shape, scale=0.5):
        return (generator.standard_normal(shape) * scale / np.sqrt(shape[-1])).astype(np.float32)

    vocabulary_size = len(tokens)
    # numpy shapes are GGUF's dimensions reversed: (rows, columns) = (outputs, inputs).
    writer.add_tensor("token_embd.weight", weight(vocabulary_size, EMBEDDING, scale=1.0))
    for layer in range(LAYERS):
        prefix = f"blk.{layer}"
        writer.add_tensor(f"{prefix}.attn_norm.weight", np.ones(EMBEDDING, dtype=np.float32))
        for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
            writer.add_tensor(f"{prefix}.{name}.weight", weight(EMBEDDING, EMBEDDING))
        writer.add_tensor(f"{prefix}.ffn_norm.weight", np.ones(EMBEDDING, dtype=np.float32))
        writer.add_tensor(f"{prefix}.ffn_gate.weight", weight(FEED_FORWARD, EMBEDDING))
        writer.add_tensor(f"{prefix}.ffn_up.weight", weight(FEED_FORWARD, EMBEDDING))
        writer.add_tensor(f"{prefix}.ffn_down.weight", weight(EMBEDDING, FEED_FORWARD))
    writer.add_tensor("output_norm.weight", np.ones(EMBEDDING, dtype=np.float32))
    output = weight(vocabulary_size, EMBEDDING, scale=4.0)
    # Control and byte tokens get zero logits, so greedy decoding (whose best logit is always
    # positive among the ASCII tokens) writes printable ASCII and never stops early: generated
    # text then re-tokenizes into exactly the tokens that produced it.
    output[: 3 + 256] = 0
    writer.add_tensor("output.weight", output)

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


if __name__ == "__main__":
    main()
