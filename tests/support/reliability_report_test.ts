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
  ]);
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
