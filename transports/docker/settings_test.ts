import assert from "node:assert/strict";
import { DockerSettingsError, readDockerSettings } from "./settings.ts";

Deno.test("readDockerSettings() returns the docker section", () => {
  assert.deepEqual(readDockerSettings(undefined), {});
  assert.deepEqual(readDockerSettings({ settings: { oci: {} } }), {});
  const docker = {
    credentials: { username: "u", password: "p" },
    tlsVerify: false,
    retryTimes: 2,
    certDir: "/c",
  };
  assert.deepEqual(readDockerSettings({ settings: { docker } }), docker);
});

Deno.test("readDockerSettings() rejects settings of the wrong shape", () => {
  const bad: Record<string, unknown>[] = [
    { tlsVerify: "false" },
    { retryTimes: -1 },
    { retryTimes: 1.5 },
    { maxConcurrentPerHost: 0 },
    { credentials: { username: "u" } },
    { credentials: { username: "u", password: "p" }, noCreds: true },
    { certsRoots: [1] },
    { getEnv: "HOME" },
  ];
  for (const docker of bad) {
    assert.throws(
      () => readDockerSettings({ settings: { docker } }),
      DockerSettingsError,
      JSON.stringify(docker),
    );
  }
});
