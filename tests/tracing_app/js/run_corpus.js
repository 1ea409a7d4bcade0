/* Run the expression corpus through the browser's evaluator (node); print the mismatches
   as JSON lines and a summary on the last line. Used by test_expression_corpus.py. */
"use strict";
const fs = require("fs");
const path = require("path");
const E = require(path.resolve(__dirname, "../../../tracing_app/scripts/static/scripts/expressions.js"));

const corpus = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));

function encode(value) {
  if (typeof value === "boolean") { return { type: "boolean", value: value }; }
  if (typeof value === "number") {
    if (isFinite(value)) { return { type: "number", value: value }; }
    return { type: "number", value: value !== value ? "NaN" : value > 0 ? "inf" : "-inf" };
  }
  return { type: "string", value: value };
}

function same(expected, got) {
  if (expected.type !== got.type) { return false; }
  if (expected.type === "number" && typeof expected.value === "number") {
    const scale = Math.max(1, Math.abs(expected.value));
    return Math.abs(expected.value - got.value) <= 1e-12 * scale;  // libm's last bits may differ
  }
  return expected.value === got.value;
}

let passed = 0, serverOnly = 0;
const failures = [];
for (const item of corpus.cases) {
  const answers = corpus.answer_sets[item.answers];
  const context = {
    value: (name) => Object.prototype.hasOwnProperty.call(answers, name) ? answers[name] : "",
    current: () => item.current,
    today: () => corpus.today,
    now: () => corpus.now,
  };
  let got;
  try {
    got = encode(E.parse(item.expression).evaluate(context));
  } catch (error) {
    if (error instanceof E.SyntaxProblem) { got = { type: "syntax-error" }; }
    else if (error instanceof E.Unsupported) { got = { type: "unsupported" }; }
    else { got = { type: "crash", value: String(error) }; }
  }
  if (item.server_only && got.type === "unsupported") { serverOnly += 1; continue; }
  if (same(item.expected, got)) { passed += 1; continue; }
  failures.push({ expression: item.expression, answers: item.answers, expected: item.expected, got: got });
}
for (const failure of failures) { console.log(JSON.stringify(failure)); }
console.log(JSON.stringify({ passed: passed, server_only: serverOnly, failed: failures.length }));
