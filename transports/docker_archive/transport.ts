/**
 * The `docker-archive` transport object.
 *
 * @module
 */
import { type Transport, TRANSPORT_API_VERSION } from "../../core/transport.ts";
import { DockerArchiveReference } from "./reference.ts";

/** The `docker-archive` transport. */
export const transport: Transport = {
  apiVersion: TRANSPORT_API_VERSION,
  name: "docker-archive",
  parseReference(text: string): DockerArchiveReference {
    return new DockerArchiveReference(transport, text);
  },
};
