/**
 * The `docker-archive:` transport: `docker save` / `docker load` tar files,
 * read and written without extracting them. `PATH[:REFERENCE]` names the
 * archive and the tag to read or to write; `PATH:@N` reads the N-th image.
 * More tags for a written image go in
 * `context.settings["docker-archive"].additionalTags` (`copy
 * --additional-tag`).
 *
 * @example Copy an OCI image into a docker archive
 * ```ts ignore
 * import { copyImage, parseImageName } from "../../mod.ts";
 * await copyImage(
 *   await parseImageName("oci:tests/fixtures/oci:demo"),
 *   await parseImageName("docker-archive:/tmp/demo.tar:demo:1"),
 * );
 * ```
 *
 * @example Two images in one archive
 * ```ts ignore
 * import { copyImage, parseImageName } from "../../mod.ts";
 * await using bundle = await createDockerArchiveBundle("/tmp/two.tar");
 * await copyImage(await parseImageName("oci:/l:a"), bundle.reference("a:1"));
 * await copyImage(await parseImageName("oci:/l:b"), bundle.reference("b:1"));
 * await bundle.finish();
 * ```
 *
 * @module
 */
export { transport } from "./transport.ts";
export {
  DELETE_NOT_IMPLEMENTED,
  DockerArchiveReference,
  type DockerArchiveSelector,
} from "./reference.ts";
export type { DockerArchiveSettings } from "./destination.ts";
export {
  createDockerArchiveBundle,
  type DockerArchiveBundle,
  type DockerArchiveBundleOptions,
} from "./multi_image.ts";
