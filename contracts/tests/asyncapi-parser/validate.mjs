// Parse AsyncAPI documents with the official parser (and its Spectral rules) and print, as one
// JSON array on stdout, each document's diagnostics (an array of them per document, in order).
// Exit 0 when every document parsed, 1 otherwise.
// Usage: node validate.mjs <document.json>...
import { readFileSync } from "node:fs";
import { Parser } from "@asyncapi/parser";

const parser = new Parser();
const severities = ["error", "warning", "information", "hint"];
const results = [];
let failed = false;
for (const path of process.argv.slice(2)) {
  const { document, diagnostics } = await parser.parse(readFileSync(path, "utf8"), { source: path });
  failed ||= !document;
  results.push(
    diagnostics.map((d) => ({
      severity: severities[d.severity] ?? String(d.severity),
      code: String(d.code),
      path: d.path.join("."),
      message: d.message,
    })),
  );
}
process.stdout.write(JSON.stringify(results, null, 1) + "\n");
process.exit(failed ? 1 : 0);
