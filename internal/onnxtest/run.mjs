// Runs ONNX models with onnxruntime-node's CPU library.
//
// Usage: node run.mjs NODE_MODULES JOBS.json RESULTS.json
//
// NODE_MODULES is the node_modules folder holding onnxruntime-node. JOBS.json is a list of
// {model: PATH, inputs: {NAME: {type: "float32" | "int64", dims: [...], data: [...]}}};
// RESULTS.json gets, for each job in order, {NAME: {dims: [...], data: [...]}} for every output.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [modules, jobsPath, resultsPath] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(modules), 'resolve-from-here.js'));
const ort = require('onnxruntime-node');

const results = [];
for (const job of JSON.parse(readFileSync(jobsPath, 'utf8'))) {
  const feeds = {};
  for (const [name, t] of Object.entries(job.inputs)) {
    feeds[name] = t.type === 'int64'
      ? new ort.Tensor('int64', BigInt64Array.from(t.data.map(BigInt)), t.dims)
      : new ort.Tensor('float32', Float32Array.from(t.data), t.dims);
  }
  const session = await ort.InferenceSession.create(job.model);
  const out = {};
  for (const [name, t] of Object.entries(await session.run(feeds))) {
    out[name] = { dims: t.dims, data: Array.from(t.data, Number) };
  }
  results.push(out);
}
writeFileSync(resultsPath, JSON.stringify(results));
