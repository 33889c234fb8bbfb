/**
 * The plugin conformance suite (plugins/testing.ts) run against the built-in
 * file transports and the example plugins, so authors and built-ins meet the
 * same bar.
 */
import { transport as dir } from "../transports/dir/mod.ts";
import { transport as oci } from "../transports/oci/mod.ts";
import { testTransport } from "../plugins/testing.ts";
import { createMemoryTransport } from "../plugins/examples/memory/mod.ts";
import { transport as kvdir } from "../plugins/examples/kv_dir/mod.ts";

testTransport({
  name: "dir",
  makeReference: ({ id, tmpDir }) => dir.parseReference(`${tmpDir}/${id}`),
});

testTransport({
  name: "oci",
  makeReference: ({ tmpDir }) => oci.parseReference(`${tmpDir}/layout:latest`),
});

const memory = createMemoryTransport();
testTransport({
  name: "memory (example plugin)",
  makeReference: ({ id }) =>
    memory.parseReference(`${id}-${crypto.randomUUID()}`),
});

testTransport({
  name: "kvdir (example plugin)",
  makeReference: ({ id, tmpDir }) => kvdir.parseReference(`${tmpDir}/${id}`),
});
