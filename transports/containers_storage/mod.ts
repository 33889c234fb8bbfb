/**
 * The `containers-storage:` transport: images in the containers/storage
 * store that podman, buildah and CRI-O use, read and written on disk with
 * the `vfs` and `overlay` drivers. References are
 * `[driver@graphroot+runroot:options]name[:tag][@digest]`, `name@imageID`,
 * `@imageID` or an image ID (prefix); without the bracketed store,
 * storage.conf's store is used.
 *
 * @example Copy an OCI image into a private store
 * ```ts ignore
 * import { copyImage, parseImageName } from "../../mod.ts";
 * await copyImage(
 *   await parseImageName("oci:tests/fixtures/oci:demo"),
 *   await parseImageName("containers-storage:[vfs@/tmp/s/root+/tmp/s/run]demo:1"),
 * );
 * ```
 *
 * @module
 */
import { type Transport, TRANSPORT_API_VERSION } from "../../core/transport.ts";
import { StorageReference } from "./reference.ts";

export { StorageReference } from "./reference.ts";
export type { StoreSpec } from "./storage_conf.ts";

/** The `containers-storage` transport. */
export const transport: Transport = {
  apiVersion: TRANSPORT_API_VERSION,
  name: "containers-storage",
  parseReference(text: string): StorageReference {
    return new StorageReference(transport, text);
  },
};
