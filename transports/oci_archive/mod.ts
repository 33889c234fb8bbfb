/**
 * The `oci-archive:` transport: a tar file holding an OCI image layout
 * (`oci-layout`, `index.json`, `blobs/`). Reading indexes the tar and serves
 * members by offset (nothing is extracted); writing builds the layout in a
 * temporary directory and tars it into place at commit.
 *
 * @example Copy an image out of an OCI archive
 * ```ts ignore
 * import { copyImage, parseImageName } from "../../mod.ts";
 * await copyImage(
 *   await parseImageName("oci-archive:/tmp/image.tar:latest"),
 *   await parseImageName("dir:/tmp/image"),
 * );
 * ```
 *
 * @module
 */
import { type Transport, TRANSPORT_API_VERSION } from "../../core/transport.ts";
import { OciArchiveReference } from "./reference.ts";

export { DELETE_NOT_IMPLEMENTED, OciArchiveReference } from "./reference.ts";

/** The `oci-archive` transport. */
export const transport: Transport = {
  apiVersion: TRANSPORT_API_VERSION,
  name: "oci-archive",
  parseReference(text: string): OciArchiveReference {
    return new OciArchiveReference(transport, text);
  },
};
