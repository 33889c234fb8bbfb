/**
 * `inspectImage()`: what `skopeo inspect` prints, for library users.
 *
 * @module
 */
import { adaptSource } from "../_adapt.ts";
import type { ImageReference, OpenOptions } from "../transport.ts";
import type { Platform } from "../types.ts";
import { buildInspectInfo, type InspectInfo } from "./inspect.ts";
import { loadImage, readConfigBlob } from "./load_image.ts";

/**
 * The repository part of a Docker reference: no tag, no digest
 * (`localhost:5000/a/b:1@sha256:…` → `localhost:5000/a/b`).
 */
export function repositoryName(dockerReference: string): string {
  const withoutDigest = dockerReference.replace(/@.*$/, "");
  const slash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.lastIndexOf(":");
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}

/** Options of {@linkcode inspectImage}. */
export interface InspectImageOptions extends OpenOptions {
  /** The platform to choose from a list (default: the running system). */
  platform?: Partial<Platform> | undefined;
  /** List the repository's tags into `RepoTags` (docker:// only; default true). */
  listTags?: boolean | undefined;
}

/**
 * Inspects an image: digest, platform, labels, layers and more.
 *
 * @example Inspect the demo fixture
 * ```ts ignore
 * import { inspectImage, parseImageName } from "../../mod.ts";
 * const info = await inspectImage(await parseImageName("oci:tests/fixtures/oci:demo"));
 * console.log(info.Digest, info.Architecture);
 * ```
 *
 * @param reference The image.
 * @param options Transport context, platform, cancellation.
 * @returns skopeo's inspect structure.
 */
export async function inspectImage(
  reference: ImageReference,
  options: InspectImageOptions = {},
): Promise<InspectInfo> {
  await using source = adaptSource(await reference.openSource(options));
  const image = await loadImage(source, options);
  const configBytes = await readConfigBlob(source, image, options);
  let repoTags: string[] = [];
  if (
    (options.listTags ?? true) && reference.transport.name === "docker" &&
    reference.listTags
  ) {
    repoTags = await reference.listTags(options);
  }
  return buildInspectInfo({
    ...(reference.dockerReference
      ? { name: repositoryName(reference.dockerReference) }
      : {}),
    manifest: image.manifest,
    topLevelManifest: image.topLevel,
    ...(configBytes ? { configBytes } : {}),
    repoTags,
  });
}
