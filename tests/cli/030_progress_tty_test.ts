// deno-lint-ignore-file no-control-regex -- terminal output is the subject
/**
 * Progress bars on a real terminal: our CLI runs under util-linux `script`
 * so its stdout is a pseudo-terminal. The bytes it wrote are replayed on a
 * tiny ANSI screen (cursor up, erase line, carriage return) and the final
 * screen must read like skopeo's: one `Copying blob <12 hex> done` line per
 * layer, the config's line, the static lines, and no escape left over.
 */
import assert from "node:assert/strict";
import { componentTest } from "../support/components.ts";
import { ourShellCommand, REPO_ROOT } from "../support/skopeo.ts";
import { makeTempDir } from "../support/temp_dir.ts";

const fixtureDigests = JSON.parse(
  await Deno.readTextFile(
    new URL("../fixtures/digests.json", import.meta.url),
  ),
);

/**
 * Replays terminal output: printable text overwrites at the cursor, `\r`
 * returns to column 0, `\n` moves down, `ESC[nA` up, `ESC[2K` erases the
 * line. Any other escape sequence is kept as visible text, so it fails the
 * checks.
 */
function replay(output: string): string[] {
  const screen: string[] = [""];
  let row = 0;
  let col = 0;
  for (let i = 0; i < output.length; i++) {
    const ch = output[i]!;
    if (ch === "\x1b") {
      const m = /^\x1b\[(\d*)([AK])/.exec(output.slice(i));
      if (m) {
        const n = m[1] === "" ? 1 : Number(m[1]);
        if (m[2] === "A") row = Math.max(0, row - n);
        else if (n === 2) screen[row] = "";
        else screen[row] = screen[row]!.slice(0, col);
        i += m[0].length - 1;
        continue;
      }
    }
    if (ch === "\r") {
      col = 0;
    } else if (ch === "\n") {
      row++;
      col = 0;
      while (screen.length <= row) screen.push("");
    } else {
      const line = screen[row]!.padEnd(col);
      screen[row] = line.slice(0, col) + ch + line.slice(col + 1);
      col++;
    }
  }
  while (screen.length > 0 && screen.at(-1) === "") screen.pop();
  return screen;
}

/** Runs our CLI with a terminal as stdout; returns exit code and output. */
async function runOnTerminal(
  args: string[],
  columns = 100,
): Promise<{ code: number; output: string }> {
  const command = ourShellCommand(["--insecure-policy", ...args]);
  const out = await new Deno.Command("script", {
    args: ["-qfec", `stty cols ${columns}; ${command}`, "/dev/null"],
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    output: new TextDecoder().decode(out.stdout),
  };
}

const short = (digest: string): string => digest.slice(7, 19);

componentTest({
  name: "copy on a terminal draws bars that end as skopeo's `done` lines",
  components: ["script"],
  fn: async () => {
    await using tmp = await makeTempDir();
    const { code, output } = await runOnTerminal([
      "copy",
      "oci:tests/fixtures/oci:demo",
      `dir:${tmp.path}/d`,
    ], 52);
    assert.equal(code, 0, output);
    // No drawn line may wrap on this narrow terminal (it would break the
    // cursor-up count and leave stale bars behind).
    for (const line of output.split("\n")) {
      const text = line.replace(/\x1b\[\d*[A-Za-z]/g, "").replace("\r", "");
      assert.ok(text.length < 52, `too wide: ${text}`);
    }
    // Bars were really drawn in place (it was a terminal)…
    assert.match(output, /\x1b\[\d+A/);
    // …and the final screen holds only plain, finished lines.
    const screen = replay(output);
    const demo = fixtureDigests["oci:demo"];
    const blobs = demo.layers.map((d: string) =>
      `Copying blob ${short(d)} done`
    )
      .sort();
    assert.deepEqual(screen[0], "Getting image source signatures");
    assert.deepEqual(
      screen.slice(1, 1 + blobs.length).sort(),
      blobs,
      screen.join("\n"),
    );
    assert.deepEqual(screen.slice(1 + blobs.length), [
      `Copying config ${short(demo.config)} done`,
      "Writing manifest to image destination",
      "Storing signatures",
    ]);
    for (const line of screen) {
      assert.doesNotMatch(line, /[\x00-\x1f\x7f]/, `control bytes in ${line}`);
    }
  },
});

componentTest({
  name: "copy on a terminal shows skipped blobs and each instance of a list",
  components: ["script"],
  fn: async () => {
    await using tmp = await makeTempDir();
    const dest = `oci:${tmp.path}/o:multi`;
    const first = await runOnTerminal([
      "copy",
      "--all",
      "oci:tests/fixtures/oci:multi",
      dest,
    ]);
    assert.equal(first.code, 0, first.output);
    const again = await runOnTerminal([
      "copy",
      "--all",
      "oci:tests/fixtures/oci:multi",
      dest,
    ]);
    assert.equal(again.code, 0, again.output);
    const screen = replay(again.output);
    const multi = fixtureDigests["oci:multi"];
    const copying = screen.filter((l) => l.startsWith("Copying image "));
    assert.equal(copying.length, multi.instances.length, screen.join("\n"));
    const blobLines = screen.filter((l) => l.startsWith("Copying blob "));
    assert.ok(blobLines.length > 0, screen.join("\n"));
    for (const line of blobLines) {
      assert.match(line, /^Copying blob [0-9a-f]{12} skipped: already exists$/);
    }
    for (const line of screen) {
      assert.doesNotMatch(line, /[\x00-\x1f\x7f]/, `control bytes in ${line}`);
    }
  },
});
