import assert from "node:assert/strict";
import type { DockerName } from "../../core/docker_name.ts";
import {
  loadRegistriesD,
  lookasideBaseUrl,
  mergeRegistriesD,
  registriesDirPath,
  registryScopes,
  usesSigstoreAttachments,
} from "./registries_d.ts";

const NAME: DockerName = {
  domain: "registry.example.com",
  path: "ns/app",
  tag: "v1",
};

Deno.test("registryScopes() goes from the image to the registry", () => {
  assert.deepEqual(registryScopes(NAME), [
    "registry.example.com/ns/app:v1",
    "registry.example.com/ns/app",
    "registry.example.com/ns",
    "registry.example.com",
  ]);
});

Deno.test("lookasideBaseUrl() prefers the most specific scope, staging for writes, legacy names too", () => {
  const config = mergeRegistriesD([
    ["a.yaml", {
      "default-docker": { lookaside: "https://default.example/sigs" },
      docker: {
        "registry.example.com": { sigstore: "file:///legacy" },
        "registry.example.com/ns": {
          lookaside: "https://read.example/s",
          "lookaside-staging": "file:///staging",
        },
      },
    }],
  ]);
  const url = (write: boolean, name = NAME) =>
    lookasideBaseUrl(config, name, { write, uid: 1000 }).href;
  assert.equal(url(false), "https://read.example/s/ns/app");
  assert.equal(url(true), "file:///staging/ns/app");
  const other = { domain: "registry.example.com", path: "x/y", tag: "1" };
  assert.equal(url(true, other), "file:///legacy/x/y");
  const elsewhere = { domain: "quay.io", path: "a/b", tag: "1" };
  assert.equal(url(false, elsewhere), "https://default.example/sigs/a/b");
});

Deno.test("lookasideBaseUrl() falls back to containers/image's built-in directories", () => {
  const empty = mergeRegistriesD([]);
  const getEnv = (name: string) => name === "HOME" ? "/home/u" : undefined;
  assert.equal(
    lookasideBaseUrl(empty, NAME, { write: true, uid: 0, getEnv }).href,
    "file:///var/lib/containers/sigstore/ns/app",
  );
  assert.equal(
    lookasideBaseUrl(empty, NAME, { write: true, uid: 1000, getEnv }).href,
    "file:///home/u/.local/share/containers/sigstore/ns/app",
  );
});

Deno.test("usesSigstoreAttachments() takes the most specific explicit value", () => {
  const config = mergeRegistriesD([
    ["a.yaml", {
      "default-docker": { "use-sigstore-attachments": true },
      docker: {
        "registry.example.com/ns": { "use-sigstore-attachments": false },
      },
    }],
  ]);
  assert.equal(usesSigstoreAttachments(config, NAME), false);
  assert.equal(
    usesSigstoreAttachments(config, { domain: "quay.io", path: "x", tag: "1" }),
    true,
  );
  assert.equal(usesSigstoreAttachments(mergeRegistriesD([]), NAME), false);
});

Deno.test("mergeRegistriesD() refuses a scope or default-docker defined twice", () => {
  assert.throws(
    () =>
      mergeRegistriesD([["/d/a.yaml", { "default-docker": {} }], [
        "/d/b.yaml",
        { "default-docker": {} },
      ]]),
    {
      message:
        'Error parsing signature storage configuration: "default-docker" defined both in "/d/a.yaml" and "/d/b.yaml"',
    },
  );
  assert.throws(
    () =>
      mergeRegistriesD([["/d/a.yaml", { docker: { x: {} } }], [
        "/d/b.yaml",
        { docker: { x: {} } },
      ]]),
    /"docker" namespace "x" defined both in "\/d\/a.yaml" and "\/d\/b.yaml"/,
  );
});

Deno.test("loadRegistriesD() reads only *.yaml files and names a broken one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/a.yaml`,
      "docker:\n  quay.io:\n    lookaside: file:///q\n",
    );
    await Deno.writeTextFile(`${dir}/ignored.yml`, "{{{");
    const config = await loadRegistriesD(dir);
    assert.equal(config.docker["quay.io"]?.lookaside, "file:///q");
    await Deno.writeTextFile(`${dir}/b.yaml`, "docker: [1\n");
    await assert.rejects(
      loadRegistriesD(`${dir}/.`),
      new RegExp(`^InvalidContentError: parsing ${dir}/\\./b\\.yaml: .*line 2`),
    );
    assert.deepEqual(await loadRegistriesD(`${dir}/missing`), { docker: {} });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("registriesDirPath() prefers the flag, then the user's directory", async () => {
  const home = await Deno.makeTempDir();
  try {
    const getEnv = (name: string) => name === "HOME" ? home : undefined;
    assert.equal(registriesDirPath({ getEnv }), "/etc/containers/registries.d");
    await Deno.mkdir(`${home}/.config/containers/registries.d`, {
      recursive: true,
    });
    assert.equal(
      registriesDirPath({ getEnv }),
      `${home}/.config/containers/registries.d`,
    );
    assert.equal(registriesDirPath({ registriesDirPath: "/x", getEnv }), "/x");
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
