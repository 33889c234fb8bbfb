import assert from "node:assert/strict";
import { planManifestTypes } from "./copy_single.ts";

const DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_V1 = "application/vnd.docker.distribution.manifest.v1+prettyjws";
const OCI = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

/** What the destinations in skopeo declare (containers/image). */
const OCI_DEST = [OCI, OCI_INDEX];
const REGISTRY_DEST = [OCI, DOCKER_V2, DOCKER_V1];
const DOCKER_ONLY_DEST = [DOCKER_V2, DOCKER_V1];

Deno.test("planManifestTypes() follows the decision table", () => {
  const cases: Array<{
    name: string;
    source: string;
    supported: readonly string[] | undefined;
    forced?: string;
    expected: string[];
  }> = [
    {
      name: "a destination taking anything keeps the source type",
      source: DOCKER_V2,
      supported: undefined,
      expected: [DOCKER_V2],
    },
    {
      name: "an empty list also means anything (containers/image)",
      source: OCI,
      supported: [],
      expected: [OCI],
    },
    {
      name: "the source type comes first, then conversions as fallbacks",
      source: DOCKER_V2,
      supported: REGISTRY_DEST,
      expected: [DOCKER_V2, OCI],
    },
    {
      name: "OCI to a registry: keep OCI, fall back to Docker schema2",
      source: OCI,
      supported: REGISTRY_DEST,
      expected: [OCI, DOCKER_V2],
    },
    {
      name: "Docker schema2 to an OCI layout converts",
      source: DOCKER_V2,
      supported: OCI_DEST,
      expected: [OCI],
    },
    {
      name: "OCI to a Docker-only destination converts",
      source: OCI,
      supported: DOCKER_ONLY_DEST,
      expected: [DOCKER_V2],
    },
    {
      name: "OCI to an OCI layout needs nothing",
      source: OCI,
      supported: OCI_DEST,
      expected: [OCI],
    },
    {
      name: "schema1 converts to OCI, as skopeo does",
      source: DOCKER_V1,
      supported: OCI_DEST,
      expected: [OCI],
    },
    {
      name: "a forced type equal to the source",
      source: OCI,
      supported: OCI_DEST,
      forced: OCI,
      expected: [OCI],
    },
    {
      name: "a forced conversion is the only candidate",
      source: DOCKER_V2,
      supported: REGISTRY_DEST,
      forced: OCI,
      expected: [OCI],
    },
    {
      name: "a forced type is tried even when the destination does not list it",
      source: OCI,
      supported: OCI_DEST,
      forced: DOCKER_V2,
      expected: [DOCKER_V2],
    },
    {
      name: "a forced type that cannot be reached gives nothing",
      source: OCI,
      supported: undefined,
      forced: "application/x-not-a-manifest",
      expected: [],
    },
    {
      name: "a forced schema1 is reached by conversion",
      source: OCI,
      supported: undefined,
      forced: DOCKER_V1,
      expected: [DOCKER_V1],
    },
    {
      name: "forcing a list type for an image gives nothing",
      source: OCI,
      supported: undefined,
      forced: OCI_INDEX,
      expected: [],
    },
  ];
  for (const { name, source, supported, forced, expected } of cases) {
    assert.deepEqual(
      planManifestTypes(source, supported, forced),
      expected,
      name,
    );
  }
});

Deno.test("planManifestTypes() never lists a type twice", () => {
  const plan = planManifestTypes(OCI, [OCI, DOCKER_V2, OCI, DOCKER_V2]);
  assert.deepEqual(plan, [OCI, DOCKER_V2]);
});
