/**
 * The plugin conformance suite against `containers-storage:` (vfs, a
 * private store per case). The suite's images have random bytes for
 * layers; a store unpacks layers, so it needs real tars: the round-trip
 * and overwrite cases are covered by tests/cli/145 with tar layers instead.
 */
import { testTransport } from "../../plugins/testing.ts";
import { transport } from "./mod.ts";

testTransport({
  name: "containers-storage (vfs)",
  makeReference: ({ id, tmpDir }) =>
    transport.parseReference(`[vfs@${tmpDir}/root+${tmpDir}/run]x/${id}:1`),
  skip: ["image-round-trip", "overwrite"],
});
