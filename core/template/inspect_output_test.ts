import assert from "node:assert/strict";
import { goDigest, inspectOutputValue, parseTemplate } from "./mod.ts";

const FIELDS = {
  Name: "docker.io/library/busybox",
  Digest: "sha256:" + "ab".repeat(32),
  RepoTags: ["1", "latest"],
  Created: "2023-05-06T07:08:09+02:00",
  DockerVersion: "",
  Labels: null,
  Architecture: "amd64",
  Os: "linux",
  Layers: ["sha256:" + "cd".repeat(32)],
  Env: ["A=1"],
};

Deno.test("inspectOutputValue() types fields as skopeo's inspect.Output", () => {
  const t = (text: string) =>
    parseTemplate(text).execute(inspectOutputValue(FIELDS));
  assert.equal(
    t("{{.Name}} {{.RepoTags}} {{.Labels}} {{.Env}}"),
    "docker.io/library/busybox [1 latest] map[] [A=1]",
  );
  assert.equal(t("{{.Created}}"), "2023-05-06 07:08:09 +0200 +0200");
  assert.equal(
    t('{{printf "%T %T %T %T" .Digest .Created .Labels .RepoTags}}'),
    "digest.Digest *time.Time map[string]string []string",
  );
  assert.equal(t("{{.Digest.Algorithm}} {{len .Digest.Encoded}}"), "sha256 64");
  const d = "ab".repeat(32), l = "cd".repeat(32);
  assert.equal(
    t("{{.}}"),
    `{docker.io/library/busybox  sha256:${d} [1 latest] 2023-05-06 07:08:09 +0200 +0200  map[] amd64 linux [sha256:${l}] [A=1]}`,
  );
});

Deno.test("goDigest() exposes digest.Digest's methods", () => {
  const d = goDigest("sha512:beef");
  assert.equal(
    parseTemplate("{{.Algorithm}}|{{.Hex}}|{{.Encoded}}|{{.String}}|{{.}}")
      .execute(d),
    "sha512|beef|beef|sha512:beef|sha512:beef",
  );
});
