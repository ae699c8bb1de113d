"""Runs ``python -m llama_cpp.server`` with llama.cpp's extra weight buffers (repacking, AMX)
turned off: usage ``python tests/llama_launch.py llama_cpp.server --model …``.

On virtualised Sapphire/Granite Rapids hosts (AMX_INT8 = 1) the AMX matmul of a source build
segfaults on the first token (ggml-org/llama.cpp#20824), which the tests saw as "could not
connect" after the server had answered ``/models``. Plain CPU buffers are as correct, and for
a 135M model about as fast. llama-cpp-python does not expose the switch
(``llama_model_params.use_extra_bufts``), so this sets it on the defaults it reads."""

from __future__ import annotations

import runpy
import sys
from typing import Any


def main() -> None:
    import llama_cpp.llama_cpp as native

    defaults = native.llama_model_default_params

    def without_extra_buffers() -> Any:
        params = defaults()
        params.use_extra_bufts = False
        return params

    native.llama_model_default_params = without_extra_buffers
    module, *args = sys.argv[1:]
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
