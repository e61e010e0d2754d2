// Parse Mermaid diagrams with the real `mermaid` package, headless under Node.
//
// stdin:  a JSON array of diagram source strings.
// stdout: a JSON array, one entry per diagram, in order: {"ok": bool, "error": string | null}.
// Exit 0 whenever the input could be read (a diagram that fails to parse is data, not a crash);
// exit 2 on unreadable input or if mermaid itself cannot be loaded.
//
// mermaid sanitises labels with DOMPurify, which needs a `window` when the module is first
// evaluated; without one, `mermaid.parse` throws "DOMPurify.addHook is not a function".
// A happy-dom Window is therefore installed on globalThis *before* mermaid is imported
// (dynamic import, since static imports are hoisted above this setup).

import { Window } from "happy-dom";

// Keep stdout for the JSON result only: route any library logging to stderr.
for (const level of ["log", "info", "debug", "warn"]) {
  console[level] = (...args) => console.error(...args);
}

function fail(message) {
  process.stderr.write(`check.mjs: ${message}\n`);
  process.exit(2);
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function messageOf(err) {
  if (err instanceof Error) {
    return err.message || err.name || String(err);
  }
  if (err && typeof err === "object" && typeof err.message === "string") {
    return err.message;
  }
  return String(err);
}

let diagrams;
try {
  diagrams = JSON.parse(await readStdin());
} catch (err) {
  fail(`stdin is not valid JSON: ${messageOf(err)}`);
}
if (!Array.isArray(diagrams)) {
  fail("stdin must be a JSON array of strings");
}

const window = new Window();
globalThis.window = window;
globalThis.document = window.document;

let mermaid;
try {
  ({ default: mermaid } = await import("mermaid"));
  mermaid.initialize({ startOnLoad: false });
} catch (err) {
  fail(`cannot load mermaid: ${messageOf(err)}`);
}

const results = [];
for (const text of diagrams) {
  if (typeof text !== "string") {
    results.push({ ok: false, error: `not a string: ${JSON.stringify(text)}` });
    continue;
  }
  try {
    // Without suppressErrors, parse() resolves on success and rejects with the parser's error.
    await mermaid.parse(text);
    results.push({ ok: true, error: null });
  } catch (err) {
    results.push({ ok: false, error: messageOf(err) });
  }
}

await window.happyDOM.close();
process.stdout.write(`${JSON.stringify(results)}\n`, () => process.exit(0));
