import assert from "node:assert/strict";
import { renderReliabilityReport } from "./reliability_report.ts";

Deno.test("renderReliabilityReport() tabulates outcomes and lists errors without ports", () => {
  const text = renderReliabilityReport([
    {
      fault: "503",
      operation: "copy",
      outcome: "succeeded",
      faultsInjected: 1,
      ms: 5,
    },
    {
      fault: "503",
      operation: "login",
      outcome: "error",
      error: "pinging container registry 127.0.0.1:4321: status 503",
      faultsInjected: 1,
      ms: 5,
    },
    {
      fault: "corrupt",
      operation: "copy",
      outcome: "error",
      error: "a|b",
      faultsInjected: 1,
      ms: 5,
    },
    {
      fault: "drop",
      operation: "copy",
      outcome: "error",
      error:
        "uploading manifest 142 to push:17 at /tmp/x/y via uploads/d886d2e4-5356-4872-9a37-d08ef4f81c25",
      faultsInjected: 1,
      ms: 5,
    },
  ]);
  // Case numbers, temporary paths and upload ids change per run.
  assert.match(
    text,
    /^\| drop \| copy \| uploading manifest N to push:N at \/tmp\/… via uploads\/UUID \|$/m,
  );
  assert.match(text, /^\| fault \| copy \| login \|$/m);
  assert.match(text, /^\| 503 \| ok \| error \|$/m);
  assert.match(text, /^\| corrupt \| error \| — \|$/m);
  assert.match(
    text,
    /^\| 503 \| login \| pinging container registry HOST: status 503 \|$/m,
  );
  assert.match(text, /^\| corrupt \| copy \| a\\\|b \|$/m);
  assert.ok(!text.includes("4321"));
});
