import assert from "node:assert/strict";
import { UsageError } from "../core/errors.ts";
import { componentTest } from "../tests/support/components.ts";
import { type FlagSpec, formatFlagUsages, parseFlags } from "./_flags.ts";

/** A slice of `skopeo copy`'s flags, declared as skopeo declares them. */
const COPY: FlagSpec[] = [
  {
    name: "all",
    short: "a",
    kind: "bool",
    usage: "Copy all images if SOURCE-IMAGE is a list",
  },
  {
    name: "quiet",
    short: "q",
    kind: "bool",
    usage: "Suppress output information when copying images",
  },
  {
    name: "format",
    short: "f",
    kind: "string",
    usage:
      "MANIFEST TYPE (oci, v2s1, or v2s2) to use in the destination (default is manifest type of source, with fallbacks)",
  },
  {
    name: "retry-times",
    kind: "int",
    usage: "the number of times to possibly retry",
  },
  {
    name: "additional-tag",
    kind: "strings",
    usage: "additional tags (supports docker-archive)",
  },
  {
    name: "encrypt-layer",
    kind: "ints",
    usage:
      "*Experimental* the 0-indexed layer indices, with support for negative indexing (e.g. 0 is the first layer, -1 is the last layer)",
  },
  {
    name: "dest-creds",
    kind: "string",
    usage: "Use `USERNAME[:PASSWORD]` for accessing the registry",
  },
  {
    name: "dest-oci-accept-uncompressed-layers",
    kind: "bool",
    usage:
      "Allow uncompressed image layers when saving to an OCI image using the 'oci' transport. (default is to compress things that aren't compressed)",
  },
  {
    name: "dest-tls-verify",
    kind: "bool",
    usage:
      "require HTTPS and verify certificates when talking to the container registry or daemon",
  },
  {
    name: "command-timeout",
    kind: "duration",
    usage: "timeout for the command execution",
  },
  { name: "tag", kind: "stringArray", usage: "a tag" },
  { name: "secret", kind: "string", usage: "hidden", hidden: true },
  { name: "help", short: "h", kind: "bool", usage: "help for copy" },
];

function parse(...args: string[]) {
  return parseFlags(args, COPY);
}

function usageError(message: string) {
  return (error: unknown) => {
    assert.ok(error instanceof UsageError, String(error));
    assert.equal(error.message, message);
    assert.equal(error.exitCode, 2);
    return true;
  };
}

Deno.test("parseFlags() sets booleans from --x, --x=false and -x", () => {
  assert.deepEqual(parse("--all").flags, new Map([["all", true]]));
  assert.deepEqual(parse("--all=false").flags, new Map([["all", false]]));
  assert.deepEqual(parse("--all=T").flags, new Map([["all", true]]));
  assert.deepEqual(parse("-a").flags, new Map([["all", true]]));
  assert.deepEqual(parse("-a=0").flags, new Map([["all", false]]));
  // A bool never consumes the next argument.
  const parsed = parse("--all", "false");
  assert.deepEqual(parsed.flags, new Map([["all", true]]));
  assert.deepEqual(parsed.positionals, ["false"]);
});

Deno.test("parseFlags() reports bad values with pflag's wording", () => {
  // The texts are skopeo 1.9.3's, e.g. `skopeo copy --quiet=nope a b`.
  assert.throws(
    () => parse("--quiet=nope", "a", "b"),
    usageError(
      'invalid argument "nope" for "-q, --quiet" flag: strconv.ParseBool: parsing "nope": invalid syntax',
    ),
  );
  assert.throws(
    () => parse("-q=nope"),
    usageError(
      'invalid argument "nope" for "-q, --quiet" flag: strconv.ParseBool: parsing "nope": invalid syntax',
    ),
  );
  assert.throws(
    () => parse("--all="),
    usageError(
      'invalid argument "" for "-a, --all" flag: strconv.ParseBool: parsing "": invalid syntax',
    ),
  );
  assert.throws(
    () => parse("--dest-tls-verify=bogus"),
    usageError(
      'invalid argument "bogus" for "--dest-tls-verify" flag: strconv.ParseBool: parsing "bogus": invalid syntax',
    ),
  );
  assert.throws(
    () => parse("--retry-times=abc", "a", "b"),
    usageError(
      'invalid argument "abc" for "--retry-times" flag: strconv.ParseInt: parsing "abc": invalid syntax',
    ),
  );
  assert.throws(
    () => parse("--retry-times", "99999999999999999999"),
    usageError(
      'invalid argument "99999999999999999999" for "--retry-times" flag: strconv.ParseInt: parsing "99999999999999999999": value out of range',
    ),
  );
  assert.throws(
    () => parse("--command-timeout", "5"),
    usageError(
      'invalid argument "5" for "--command-timeout" flag: time: missing unit in duration "5"',
    ),
  );
});

Deno.test("parseFlags() rejects unknown flags and missing values like pflag", () => {
  assert.throws(
    () => parse("--format"),
    usageError("flag needs an argument: --format"),
  );
  assert.throws(
    () => parse("-f"),
    usageError("flag needs an argument: 'f' in -f"),
  );
  assert.throws(
    () => parse("-qf"),
    usageError("flag needs an argument: 'f' in -f"),
  );
  assert.throws(
    () => parse("-z", "a", "b"),
    usageError("unknown shorthand flag: 'z' in -z"),
  );
  // pflag names the shorthands left to parse, not the whole argument.
  assert.throws(
    () => parse("-qz"),
    usageError("unknown shorthand flag: 'z' in -z"),
  );
  assert.throws(
    () => parse("-zq"),
    usageError("unknown shorthand flag: 'z' in -zq"),
  );
  assert.throws(
    () => parse("-q="),
    usageError("unknown shorthand flag: '=' in -="),
  );
  assert.throws(
    () => parse("--bogus", "a"),
    usageError("unknown flag: --bogus"),
  );
  assert.throws(() => parse("--bogus=1"), usageError("unknown flag: --bogus"));
  assert.throws(() => parse("---x"), usageError("bad flag syntax: ---x"));
  assert.throws(() => parse("--=x"), usageError("bad flag syntax: --=x"));
});

Deno.test("parseFlags() takes values as --x v, --x=v, -x v, -xv and -x=v", () => {
  for (
    const args of [
      ["--format", "oci"],
      ["--format=oci"],
      ["-f", "oci"],
      ["-foci"],
      ["-f=oci"],
    ]
  ) {
    assert.deepEqual(
      parse(...args).flags,
      new Map([["format", "oci"]]),
      args.join(" "),
    );
  }
  // `-f=` has no value after `=`, so `=` itself is the value (pflag).
  assert.equal(parse("-f=").flags.get("format"), "=");
  assert.equal(parse("--format=").flags.get("format"), "");
  // The next argument is the value even when it looks like a flag.
  assert.equal(parse("--format", "--all").flags.get("format"), "--all");
  // Repeated string flags: the last one wins.
  assert.equal(parse("-f", "a", "--format=b").flags.get("format"), "b");
});

Deno.test("parseFlags() combines short booleans and ends with a value flag", () => {
  const parsed = parse("-qa", "src", "-qfv2s2", "dest");
  assert.deepEqual(
    parsed.flags,
    new Map<string, unknown>([["quiet", true], ["all", true], [
      "format",
      "v2s2",
    ]]),
  );
  assert.deepEqual(parsed.positionals, ["src", "dest"]);
});

Deno.test("parseFlags() treats everything after -- and a lone - as positional", () => {
  const parsed = parse("a", "-", "--all", "--", "--format", "-q", "b");
  assert.deepEqual(parsed.flags, new Map([["all", true]]));
  assert.deepEqual(parsed.positionals, ["a", "-", "--format", "-q", "b"]);
});

Deno.test("parseFlags() accumulates strings flags, splitting each as CSV", () => {
  const parsed = parse(
    "--additional-tag",
    "a:1,b:2",
    "--additional-tag=c:3",
    '--additional-tag="d,e",f',
    '--additional-tag=x,"a""b",',
  );
  assert.deepEqual(parsed.flags.get("additional-tag"), [
    "a:1",
    "b:2",
    "c:3",
    "d,e",
    "f",
    "x",
    'a"b',
    "",
  ]);
  assert.deepEqual(parse("--additional-tag=").flags.get("additional-tag"), []);
  // encoding/csv reads one record: the first line.
  assert.deepEqual(parse("--additional-tag=a\nb").flags.get("additional-tag"), [
    "a",
  ]);
});

Deno.test("parseFlags() reports CSV errors of strings flags as Go's encoding/csv", () => {
  // Checked against `skopeo copy '--additional-tag=…'`.
  assert.throws(
    () => parse('--additional-tag=a,"b'),
    usageError(
      'invalid argument "a,\\"b" for "--additional-tag" flag: parse error on line 1, column 5: extraneous or missing " in quoted-field',
    ),
  );
  assert.throws(
    () => parse('--additional-tag=a"b'),
    usageError(
      'invalid argument "a\\"b" for "--additional-tag" flag: parse error on line 1, column 2: bare " in non-quoted-field',
    ),
  );
  assert.throws(
    () => parse('--additional-tag=\nx,"y'),
    usageError(
      'invalid argument "\\nx,\\"y" for "--additional-tag" flag: parse error on line 2, column 5: extraneous or missing " in quoted-field',
    ),
  );
  assert.throws(
    () => parse("--additional-tag=\n"),
    usageError('invalid argument "\\n" for "--additional-tag" flag: EOF'),
  );
  assert.throws(
    () => parse('--additional-tag="a"b'),
    usageError(
      'invalid argument "\\"a\\"b" for "--additional-tag" flag: parse error on line 1, column 3: extraneous or missing " in quoted-field',
    ),
  );
});

Deno.test("parseFlags() keeps stringArray values whole", () => {
  const parsed = parse("--tag", "a,b", "--tag=c");
  assert.deepEqual(parsed.flags.get("tag"), ["a,b", "c"]);
});

Deno.test("parseFlags() parses ints flags element by element with Atoi", () => {
  assert.deepEqual(
    parse("--encrypt-layer=1,-2", "--encrypt-layer", "3").flags.get(
      "encrypt-layer",
    ),
    [1, -2, 3],
  );
  assert.throws(
    () => parse("--encrypt-layer=1,a"),
    usageError(
      'invalid argument "1,a" for "--encrypt-layer" flag: strconv.Atoi: parsing "a": invalid syntax',
    ),
  );
  assert.throws(
    () => parse("--encrypt-layer=0x1"),
    usageError(
      'invalid argument "0x1" for "--encrypt-layer" flag: strconv.Atoi: parsing "0x1": invalid syntax',
    ),
  );
  assert.throws(
    () => parse("--encrypt-layer="),
    usageError(
      'invalid argument "" for "--encrypt-layer" flag: strconv.Atoi: parsing "": invalid syntax',
    ),
  );
});

Deno.test("parseFlags() converts int and duration values", () => {
  const parsed = parse("--retry-times=0x10", "--command-timeout", "1m30s");
  assert.equal(parsed.flags.get("retry-times"), 16);
  assert.equal(parsed.flags.get("command-timeout"), 90_000);
});

/** skopeo's global flags, declared with skopeo's usage texts. */
const GLOBAL: FlagSpec[] = [
  {
    name: "command-timeout",
    kind: "duration",
    usage: "timeout for the command execution",
  },
  { name: "debug", kind: "bool", usage: "enable debug output" },
  { name: "help", short: "h", kind: "bool", usage: "help for skopeo" },
  {
    name: "insecure-policy",
    kind: "bool",
    usage: "run the tool without any policy check",
  },
  {
    name: "override-arch",
    kind: "string",
    usage:
      "use `ARCH` instead of the architecture of the machine for choosing images",
  },
  {
    name: "override-os",
    kind: "string",
    usage: "use `OS` instead of the running OS for choosing images",
  },
  {
    name: "override-variant",
    kind: "string",
    usage:
      "use `VARIANT` instead of the running architecture variant for choosing images",
  },
  { name: "policy", kind: "string", usage: "Path to a trust policy file" },
  {
    name: "registries.d",
    kind: "string",
    usage:
      "use registry configuration files in `DIR` (e.g. for container signature storage)",
  },
  {
    name: "tmpdir",
    kind: "string",
    usage: "directory used to store temporary files",
  },
  { name: "version", short: "v", kind: "bool", usage: "Version for Skopeo" },
];

/** The `Flags:` section of `skopeo --help` (1.9.3), verbatim. */
const SKOPEO_GLOBAL_FLAGS =
  `      --command-timeout duration   timeout for the command execution
      --debug                      enable debug output
  -h, --help                       help for skopeo
      --insecure-policy            run the tool without any policy check
      --override-arch ARCH         use ARCH instead of the architecture of the machine for choosing images
      --override-os OS             use OS instead of the running OS for choosing images
      --override-variant VARIANT   use VARIANT instead of the running architecture variant for choosing images
      --policy string              Path to a trust policy file
      --registries.d DIR           use registry configuration files in DIR (e.g. for container signature storage)
      --tmpdir string              directory used to store temporary files
  -v, --version                    Version for Skopeo
`;

Deno.test("formatFlagUsages() lays out skopeo's global flags as pflag does", () => {
  // Given out of order: the output is sorted by name.
  assert.equal(formatFlagUsages([...GLOBAL].reverse()), SKOPEO_GLOBAL_FLAGS);
});

Deno.test("formatFlagUsages() names values, hides hidden flags and shows defaults", () => {
  const text = formatFlagUsages(COPY);
  const lines = text.split("\n");
  assert.equal(lines.at(-1), "");
  assert.ok(!text.includes("secret"));
  // Every usage column starts at the same offset: widest left part + 3.
  const widest = "      --dest-oci-accept-uncompressed-layers".length;
  for (const line of lines.slice(0, -1)) {
    assert.equal(line.slice(widest, widest + 3), "   ", line);
    assert.notEqual(line[widest + 3], " ", line);
  }
  assert.ok(text.includes("      --encrypt-layer ints "));
  assert.ok(text.includes("      --additional-tag strings "));
  assert.ok(text.includes("      --tag stringArray "));
  assert.ok(text.includes("      --command-timeout duration "));
  // No back-quoted word: the value is named after the type.
  assert.ok(text.includes("  -f, --format string "));
  assert.ok(text.includes(" MANIFEST TYPE (oci, v2s1, or v2s2) to use"));
  assert.ok(text.includes("      --dest-creds USERNAME[:PASSWORD] "));
  assert.match(text, /--all {2,}Copy all/);

  const withDefaults = formatFlagUsages([
    { name: "name", kind: "string", usage: "a name", defaultText: 'x"y' },
    { name: "count", kind: "int", usage: "a count", defaultText: "3" },
    { name: "on", kind: "bool", usage: "a switch", defaultText: "true" },
  ]);
  assert.equal(
    withDefaults,
    "      --count int     a count (default 3)\n" +
      '      --name string   a name (default "x\\"y")\n' +
      "      --on            a switch (default true)\n",
  );
});

componentTest({
  name: "formatFlagUsages() matches the flag lines of skopeo's own help",
  components: ["skopeo"],
  async fn() {
    const help = async (...args: string[]) => {
      const out = await new Deno.Command("skopeo", { args, stdout: "piped" })
        .output();
      return new TextDecoder().decode(out.stdout);
    };
    const global = await help("--help");
    const section = global.slice(global.indexOf("Flags:\n") + 7).split(
      "\n\n",
    )[0]!;
    assert.equal(formatFlagUsages(GLOBAL), section + "\n");
    // A subset of copy's flags that keeps its widest flag has copy's layout.
    const copy = await help("copy", "--help");
    const ours = formatFlagUsages(
      COPY.filter((f) =>
        !["tag", "secret", "command-timeout"].includes(f.name)
      ),
    );
    for (const line of ours.trimEnd().split("\n")) {
      assert.ok(
        copy.includes(line + "\n"),
        `not in skopeo copy --help: ${line}`,
      );
    }
  },
});
