"""A tiny GPT-2 and a byte-level tokenizer built locally: no download, seconds to train."""

from __future__ import annotations

CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)
EOS = "<|endoftext|>"


def tiny_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    # Sorted: the alphabet comes in a different order in every process, and with it every id.
    vocab = {ch: i for i, ch in enumerate(sorted(pre_tokenizers.ByteLevel.alphabet()))}
    vocab[EOS] = len(vocab)
    core = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core, eos_token=EOS, pad_token=EOS, bos_token=EOS
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def tiny_gpt2(tokenizer, seed: int = 0):
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(seed)
    config = GPT2Config(
        vocab_size=len(tokenizer), n_positions=256, n_embd=32, n_layer=1, n_head=2,
        bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )  # fmt: skip
    return GPT2LMHeadModel(config)


def speaking_only(model, tokenizer, characters: str):
    """Make `model` write only `characters`, about equally often, whatever the prompt."""
    import torch

    ids = [tokenizer.convert_tokens_to_ids(tokenizer.tokenize(ch))[0] for ch in characters]
    body = model.transformer
    with torch.no_grad():
        body.ln_f.weight.zero_()  # the last hidden state is ln_f's bias, at every position
        body.ln_f.bias.zero_()
        body.ln_f.bias[0] = 1.0
        body.wte.weight[:, 0] = 0.0  # tied to lm_head: every logit 0 ...
        body.wte.weight[ids, 0] = 20.0  # ... but these
    return model
