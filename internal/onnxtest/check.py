"""Checks ONNX files with onnx.checker (full check: shape inference too).

Usage: python3 check.py MODEL.onnx...
Prints one line per model, exits non-zero with the checker's message at the first one rejected.
"""
import sys

import onnx

for path in sys.argv[1:]:
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    graph = model.graph
    print("%s ok: ir_version %d, opset %d, %d nodes, inputs %s, outputs %s" % (
        path, model.ir_version, model.opset_import[0].version, len(graph.node),
        [i.name for i in graph.input], [o.name for o in graph.output]))
