import assert from "node:assert/strict";
import { componentTest } from "../tests/support/components.ts";
import { type CliIo, createLogger, formatLogLine } from "./_log.ts";

/** `date` as Go's RFC3339 in this process's zone, computed independently. */
function localRfc3339(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const shifted = new Date(date.getTime() + offset * 60_000);
  const base = shifted.toISOString().slice(0, 19);
  if (offset === 0) return `${base}Z`;
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${base}${offset > 0 ? "+" : "-"}${hh}:${mm}`;
}

const NOW = new Date("2024-03-04T05:06:07.891Z");

Deno.test("formatLogLine() writes logrus's key=value line off a terminal", () => {
  assert.equal(
    formatLogLine("fatal", "unknown flag: --bogus", {
      terminal: false,
      now: NOW,
    }),
    `time="${localRfc3339(NOW)}" level=fatal msg="unknown flag: --bogus"\n`,
  );
});

Deno.test("formatLogLine() quotes messages with Go's %q", () => {
  const line = (message: string) =>
    formatLogLine("fatal", message, { terminal: false, now: NOW }).replace(
      /^time="[^"]*" /,
      "",
    );
  // As skopeo printed `invalid argument "nope" for "-q, --quiet" flag: …`.
  assert.equal(
    line('invalid argument "nope" for "-q, --quiet" flag'),
    'level=fatal msg="invalid argument \\"nope\\" for \\"-q, --quiet\\" flag"\n',
  );
  assert.equal(
    line("unknown flag: --bogus\nx"),
    'level=fatal msg="unknown flag: --bogus\\nx"\n',
  );
  assert.equal(line("tab\there"), 'level=fatal msg="tab\\there"\n');
  assert.equal(line("back\\slash"), 'level=fatal msg="back\\\\slash"\n');
});

Deno.test("formatLogLine() leaves plain words unquoted, as logrus does", () => {
  const line = (message: string) =>
    formatLogLine("debug", message, { terminal: false, now: NOW }).replace(
      /^time="[^"]*" /,
      "",
    );
  assert.equal(
    line("a-b.c_d/e@f^g+h09"),
    "level=debug msg=a-b.c_d/e@f^g+h09\n",
  );
  assert.equal(line(""), "level=debug msg=\n");
  assert.equal(line("a b"), 'level=debug msg="a b"\n');
  assert.equal(line("a=b"), 'level=debug msg="a=b"\n');
  assert.equal(
    formatLogLine("warning", "w", { terminal: false, now: NOW }).replace(
      /^time="[^"]*" /,
      "",
    ),
    "level=warning msg=w\n",
  );
});

Deno.test("formatLogLine() prints the local zone offset like Go's RFC3339", async () => {
  const code = `
    import { formatLogLine } from ${
    JSON.stringify(import.meta.resolve("./_log.ts"))
  };
    console.log(formatLogLine("info", "x", { terminal: false, now: new Date("2024-07-01T10:00:00Z") }));
    console.log(formatLogLine("info", "x", { terminal: false, now: new Date("2024-01-01T10:00:00Z") }));
  `;
  const run = async (tz: string) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--quiet", code],
      env: { TZ: tz },
      stdout: "piped",
    }).output();
    assert.ok(out.success);
    return new TextDecoder().decode(out.stdout).trim().split("\n").filter((
      l,
    ) => l);
  };
  assert.deepEqual(await run("UTC"), [
    'time="2024-07-01T10:00:00Z" level=info msg=x',
    'time="2024-01-01T10:00:00Z" level=info msg=x',
  ]);
  assert.deepEqual(await run("Europe/Paris"), [
    'time="2024-07-01T12:00:00+02:00" level=info msg=x',
    'time="2024-01-01T11:00:00+01:00" level=info msg=x',
  ]);
  assert.deepEqual(await run("America/St_Johns"), [
    'time="2024-07-01T07:30:00-02:30" level=info msg=x',
    'time="2024-01-01T06:30:00-03:30" level=info msg=x',
  ]);
});

Deno.test("formatLogLine() writes logrus's coloured, padded line on a terminal", () => {
  // The bytes `skopeo copy --bogus a b` writes to a terminal.
  assert.equal(
    formatLogLine("fatal", "unknown flag: --bogus", { terminal: true }),
    "\x1b[31mFATA\x1b[0m[0000] unknown flag: --bogus" + " ".repeat(24) + "\n",
  );
  const long = "Error retrieving manifest for image: open /x/manifest.json: " +
    "no such file or directory";
  assert.equal(
    formatLogLine("fatal", long, { terminal: true }),
    `\x1b[31mFATA\x1b[0m[0000] ${long} \n`,
  );
  // Padding counts characters, not UTF-16 units; one trailing \n is dropped.
  assert.equal(
    formatLogLine("warning", "😀\n", { terminal: true }),
    "\x1b[33mWARN\x1b[0m[0000] 😀" + " ".repeat(44) + "\n",
  );
  assert.equal(
    formatLogLine("debug", "d", { terminal: true }),
    "\x1b[37mDEBU\x1b[0m[0000] d" + " ".repeat(44) + "\n",
  );
  assert.equal(
    formatLogLine("info", "i", { terminal: true }),
    "\x1b[36mINFO\x1b[0m[0000] i" + " ".repeat(44) + "\n",
  );
  // The counter is whole seconds since the program started.
  const later = new Date(Date.now() + 12_500);
  assert.match(
    formatLogLine("fatal", "x", { terminal: true, now: later }),
    /\[001[23]\] x/,
  );
});

Deno.test("createLogger() prints debug lines only with --debug", () => {
  const lines: string[] = [];
  const io: CliIo = {
    stdout: () => assert.fail("nothing goes to stdout"),
    stderr: (text) => lines.push(text),
    stderrIsTerminal: false,
    stdoutIsTerminal: false,
  };
  createLogger(io, false).debug("hidden");
  createLogger(io, false).warn("shown");
  createLogger(io, true).debug("visible");
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^time="[^"]+" level=warning msg=shown\n$/);
  assert.match(lines[1]!, /^time="[^"]+" level=debug msg=visible\n$/);
  const tty: string[] = [];
  createLogger(
    { ...io, stderr: (t) => tty.push(t), stderrIsTerminal: true },
    true,
  )
    .debug("x");
  assert.ok(tty[0]!.startsWith("\x1b[37mDEBU"));
});

componentTest({
  name: "formatLogLine() writes the bytes skopeo writes, off and on a terminal",
  components: ["skopeo", "script"],
  async fn() {
    const plain = await new Deno.Command("skopeo", {
      args: ["copy", "--quiet=nope", "a", "b"],
      stderr: "piped",
      env: { TZ: "UTC" },
    }).output();
    const theirs = new TextDecoder().decode(plain.stderr);
    const message =
      'invalid argument "nope" for "-q, --quiet" flag: strconv.ParseBool: parsing "nope": invalid syntax';
    // The time depends on each process's zone: compare what follows it.
    const withoutTime = (line: string) => line.replace(/^time="[^"]+" /, "");
    assert.match(theirs, /^time="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" /);
    assert.equal(
      withoutTime(theirs),
      withoutTime(formatLogLine("fatal", message, { terminal: false })),
    );
    // `script` gives skopeo a terminal; the pty turns \n into \r\n.
    const tty = await new Deno.Command("script", {
      args: ["-qc", "skopeo copy --bogus a b", "/dev/null"],
      stdout: "piped",
      stdin: "null",
    }).output();
    assert.equal(
      new TextDecoder().decode(tty.stdout).replaceAll("\r\n", "\n"),
      formatLogLine("fatal", "unknown flag: --bogus", { terminal: true }),
    );
  },
});
