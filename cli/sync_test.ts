import assert from "node:assert/strict";
import { formatSyncLogLine } from "./sync.ts";

Deno.test("formatSyncLogLine() prints logrus fields sorted and quoted", () => {
  const line = formatSyncLogLine(
    "info",
    "Copying image ref 1/2",
    { to: "dir:out/app:1.0", from: "docker://h/app:1.0" },
    false,
  );
  assert.match(
    line,
    /^time="[^"]+" level=info msg="Copying image ref 1\/2" from="docker:\/\/h\/app:1\.0" to="dir:out\/app:1\.0"\n$/,
  );
  assert.match(
    formatSyncLogLine("error", "Error copying ref", { error: "x" }, false),
    / level=error msg="Error copying ref" error=x\n$/,
  );
});

Deno.test("formatSyncLogLine() colours keys on a terminal", () => {
  const line = formatSyncLogLine(
    "error",
    "Error processing repo, skipping",
    { repo: "a/b" },
    true,
  );
  assert.equal(
    line.replace(/\[\d{4}\]/, "[0000]"),
    "\x1b[31mERRO\x1b[0m[0000] Error processing repo, skipping" +
      " ".repeat(15) + "\x1b[31mrepo\x1b[0m=a/b\n",
  );
});
