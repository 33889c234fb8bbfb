/**
 * The `dir:` transport: skopeo's directory format (`manifest.json`, blobs
 * named by hex digest, `version`, `signature-N`).
 *
 * @module
 */
import { type Transport, TRANSPORT_API_VERSION } from "../../core/transport.ts";
import { DirReference } from "./reference.ts";

/** The `dir` transport. */
export const transport: Transport = {
  apiVersion: TRANSPORT_API_VERSION,
  name: "dir",
  parseReference(text: string): DirReference {
    return new DirReference(transport, text);
  },
};
