// Runs an ONNX model with onnxruntime-node's CPU library.
//
// Usage: node run.mjs NODE_MODULES MODEL.onnx INPUTS.json OUTPUTS.json
//
// NODE_MODULES is the node_modules folder holding onnxruntime-node. INPUTS.json maps each
// input's name to {type: "float32" | "int64", dims: [...], data: [...]}; OUTPUTS.json gets
// {name: {dims: [...], data: [...]}} for every output.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [modules, model, inputsPath, outputsPath] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(modules), 'resolve-from-here.js'));
const ort = require('onnxruntime-node');

const feeds = {};
for (const [name, t] of Object.entries(JSON.parse(readFileSync(inputsPath, 'utf8')))) {
  feeds[name] = t.type === 'int64'
    ? new ort.Tensor('int64', BigInt64Array.from(t.data.map(BigInt)), t.dims)
    : new ort.Tensor('float32', Float32Array.from(t.data), t.dims);
}
const session = await ort.InferenceSession.create(model);
const results = await session.run(feeds);
const out = {};
for (const [name, t] of Object.entries(results)) {
  out[name] = { dims: t.dims, data: Array.from(t.data, Number) };
}
writeFileSync(outputsPath, JSON.stringify(out));
