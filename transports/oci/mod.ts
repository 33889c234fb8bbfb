/**
 * The `oci:` transport: OCI image layout 1.0 directories.
 *
 * @module
 */
import { type Transport, TRANSPORT_API_VERSION } from "../../core/transport.ts";
import { OciReference } from "./reference.ts";

/** The `oci` transport. */
export const transport: Transport = {
  apiVersion: TRANSPORT_API_VERSION,
  name: "oci",
  parseReference(text: string): OciReference {
    return new OciReference(transport, text);
  },
};
