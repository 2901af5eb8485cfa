"""Checks an ONNX file with onnx.checker (full check: shape inference too).

Usage: python3 check.py MODEL.onnx
Prints one line about the model, exits non-zero with the checker's message if it is rejected.
"""
import sys

import onnx

model = onnx.load(sys.argv[1])
onnx.checker.check_model(model, full_check=True)
graph = model.graph
print("ok: ir_version %d, opset %d, %d nodes, inputs %s, outputs %s" % (
    model.ir_version, model.opset_import[0].version, len(graph.node),
    [i.name for i in graph.input], [o.name for o in graph.output]))
