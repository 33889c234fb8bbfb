import assert from "node:assert/strict";
import { componentTest } from "../support/components.ts";
import { runOurs, runSkopeo } from "../support/skopeo.ts";

const IMAGE = "oci:tests/fixtures/oci:demo";

/** Templates users write with skopeo 1.9.3's builtins; outputs must match it. */
const TEMPLATES = [
  "Name: {{.Name}} Digest: {{.Digest}}",
  "{{.Digest}}",
  "{{.Created}}",
  "{{.Architecture}}/{{.Os}}",
  "{{.Labels}}",
  "{{.Env}}",
  "{{.Layers}}",
  "{{len .Layers}}",
  "{{index .Layers 0}}",
  '{{index .Labels "org.opencontainers.image.title"}}',
  '{{index .Labels "missing"}}',
  "{{range .Layers}}{{.}}\n{{end}}",
  "{{range $i, $l := .Layers}}{{$i}}={{$l}} {{end}}",
  '{{range $k, $v := .Labels}}{{$k}}="{{$v}}";{{end}}',
  "{{if .Labels}}labelled{{else}}plain{{end}}",
  '{{if eq .Os "linux"}}linux!{{end}}',
  '{{printf "%s-%s" .Os .Architecture}}',
  '{{printf "%q" .Architecture}}',
  '{{printf "%v" .RepoTags}}',
  "{{.RepoTags}}",
  "{{.DockerVersion}}",
  "{{with .Labels}}{{len .}}{{end}}",
  "{{.Digest.Algorithm}} {{.Digest.Encoded}}",
  "{{.Created.Year}}",
  "{{- .Os}}  {{- .Architecture}}",
  "json",
  "{{json .}}",
  "{{.}}",
  "{{.Nope}}",
  "{{.Os",
  "{{range .Layers}}{{.Foo}}{{end}}",
  "{{index .Layers 9}}",
];

componentTest({
  name: "inspect --format prints what skopeo 1.9.3 prints, for 30+ templates",
  components: ["skopeo"],
  async fn() {
    for (const template of TEMPLATES) {
      const theirs = await runSkopeo(["inspect", "--format", template, IMAGE]);
      const ours = await runOurs(["inspect", "--format", template, IMAGE]);
      assert.equal(ours.code, theirs.code, `${template}: ${ours.stderr}`);
      assert.equal(ours.stdout, theirs.stdout, template);
      const strip = (s: string) => s.replace(/^time="[^"]+" /, "").trimEnd();
      assert.equal(strip(ours.stderr), strip(theirs.stderr), template);
    }
  },
});

Deno.test("inspect --format adds the report functions and flushes aligned columns", async () => {
  const json = await runOurs([
    "inspect",
    "--format",
    "{{json .Labels}}",
    IMAGE,
  ]);
  assert.equal(json.code, 0, json.stderr);
  assert.equal(
    JSON.parse(json.stdout)["org.opencontainers.image.title"],
    "demo",
  );
  const joined = await runOurs([
    "inspect",
    "--format",
    '{{join .Env ","}} {{upper .Os}}',
    IMAGE,
  ]);
  assert.match(joined.stdout, /^PATH=.*,DEMO=1 LINUX\n$/);
  const table = await runOurs([
    "inspect",
    "--format",
    "{{.Os}}\\t{{.Architecture}}",
    IMAGE,
  ]);
  assert.equal(table.stdout, "linux   amd64\n");
});

Deno.test("inspect --format with --raw is refused like skopeo", async () => {
  const result = await runOurs([
    "inspect",
    "--raw",
    "--format",
    "{{.Os}}",
    IMAGE,
  ]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /raw output does not support format option/);
});

componentTest({
  name: "inspect --config --format matches skopeo 1.9.3",
  components: ["skopeo"],
  async fn() {
    for (
      const template of [
        "{{.Architecture}}",
        "{{.Config.Env}}",
        "{{.RootFS.DiffIDs}}",
        "{{.Created}}",
        "{{.Nope}}",
      ]
    ) {
      const theirs = await runSkopeo([
        "inspect",
        "--config",
        "--format",
        template,
        IMAGE,
      ]);
      const ours = await runOurs([
        "inspect",
        "--config",
        "--format",
        template,
        IMAGE,
      ]);
      assert.equal(ours.code, theirs.code, template);
      assert.equal(ours.stdout, theirs.stdout, template);
    }
  },
});
