/**
 * The `docker-daemon:` transport: images in a Docker engine, read with
 * `GET /images/get` (`docker save`) and written with `POST /images/load`
 * (`docker load`), over `unix://`, `http://` or TLS (`tcp://`, `https://`).
 * References are `NAME:TAG`, `NAME@DIGEST` (read only) or an image ID
 * `sha256:HEX` (read only). The engine is chosen by
 * `context.settings["docker-daemon"].host` (`--daemon-host`), else
 * `DOCKER_HOST`, else `unix:///var/run/docker.sock`.
 *
 * @example Load an OCI image into a private engine
 * ```ts ignore
 * import { copyImage, parseImageName } from "../../mod.ts";
 * await copyImage(
 *   await parseImageName("oci:tests/fixtures/oci:demo"),
 *   await parseImageName("docker-daemon:demo:1"),
 *   {
 *     destinationContext: {
 *       settings: { "docker-daemon": { host: "unix:///tmp/d/d.sock" } },
 *     },
 *   },
 * );
 * ```
 *
 * @module
 */
import { type Transport, TRANSPORT_API_VERSION } from "../../core/transport.ts";
import { DockerDaemonReference } from "./reference.ts";

export { DockerDaemonReference } from "./reference.ts";
export {
  DEFAULT_DOCKER_HOST,
  type DockerDaemonSettings,
} from "./engine_client.ts";

/** The `docker-daemon` transport. */
export const transport: Transport = {
  apiVersion: TRANSPORT_API_VERSION,
  name: "docker-daemon",
  parseReference(text: string): DockerDaemonReference {
    return new DockerDaemonReference(transport, text);
  },
};
