// Parse Mermaid diagrams with the real Mermaid parser (no rendering): one diagram per stdin JSON list
// entry; prints a JSON list of {ok, type, error}. Mermaid's bundle expects a DOM, which jsdom provides.
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const diagrams = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const results = [];
for (const text of diagrams) {
  try {
    const parsed = await mermaid.parse(text);
    results.push({ ok: true, type: parsed.diagramType });
  } catch (err) {
    results.push({ ok: false, error: String(err && err.message ? err.message : err).slice(0, 500) });
  }
}
process.stdout.write(JSON.stringify(results));
