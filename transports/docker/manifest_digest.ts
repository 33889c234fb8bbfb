/**
 * `ImageReference.getManifestDigest` for `docker://`: one `HEAD` of the
 * manifest, accepting every manifest type (so the registry never converts),
 * read from `Docker-Content-Digest`.
 *
 * @module
 */
import { parseDigest } from "../../core/digest.ts";
import type { OpenOptions } from "../../core/transport.ts";
import type { Digest } from "../../core/types.ts";
import { RegistryClient } from "./client.ts";
import type { DockerName } from "../../core/docker_name.ts";
import { statusErrorFromResponse } from "./registry_error.ts";
import { readDockerSettings } from "./settings.ts";
import { MANIFEST_ACCEPT } from "./source.ts";

/**
 * Asks the registry for the digest of the manifest a name points at.
 *
 * @param name A normalised name with a tag or digest.
 * @param options Context (credentials, TLS) and signal.
 * @returns The digest, or undefined when the registry has no such manifest.
 * @throws {RegistryError} On other failures.
 */
export async function headManifestDigest(
  name: DockerName,
  options: OpenOptions = {},
): Promise<Digest | undefined> {
  const client = await RegistryClient.create({
    domain: name.domain,
    repository: name.path,
    actions: "pull",
    settings: readDockerSettings(options.context),
    logger: options.context?.logger,
    userAgent: options.context?.userAgent,
    signal: options.signal,
  });
  try {
    const path = `/v2/${name.path}/manifests/${name.digest ?? name.tag!}`;
    const response = await client.request("HEAD", path, {
      headers: { Accept: MANIFEST_ACCEPT },
      signal: options.signal,
    });
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (response.status !== 200) {
      throw await statusErrorFromResponse(response, {
        method: "HEAD",
        url: client.url(path),
        context: "checking manifest",
      });
    }
    await response.body?.cancel();
    const header = response.headers.get("docker-content-digest");
    // Without the header the registry cannot answer cheaply: report unknown.
    if (header === null) return undefined;
    return parseDigest(header);
  } finally {
    client.close();
  }
}
