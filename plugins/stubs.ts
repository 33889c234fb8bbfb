/**
 * Stand-ins for what a transport does not offer: a transport whose names
 * parse but which cannot run (like skopeo's stub transports), and rejections
 * for operations a reference lacks.
 *
 * @example A name users may type, which this build cannot serve
 * ```ts
 * import { stubTransport } from "./stubs.ts";
 * const transport = stubTransport("sif", "not supported by this plugin");
 * const reference = transport.parseReference("/tmp/x.sif");
 * await reference.openSource().catch((e) => console.assert(e.name === "UnsupportedTransportError"));
 * ```
 *
 * @module
 */
import {
  UnsupportedOperationError,
  UnsupportedTransportError,
} from "../core/errors.ts";
import {
  type ImageReference,
  type ImageSource,
  type Transport,
  TRANSPORT_API_VERSION,
} from "../core/transport.ts";

/**
 * A rejected promise for an operation a transport does not offer.
 *
 * @param operation What was asked, e.g. `deleting images`.
 * @param transportName The transport's name.
 * @returns A promise rejected with an {@linkcode UnsupportedOperationError}.
 */
export function unsupported(
  operation: string,
  transportName: string,
): Promise<never> {
  return Promise.reject(
    new UnsupportedOperationError(operation, transportName),
  );
}

/**
 * A transport that parses any reference but fails to open it, saying why.
 *
 * @param name The transport's name.
 * @param reason Why it cannot run, for the message.
 * @returns The transport.
 */
export function stubTransport(name: string, reason: string): Transport {
  const transport: Transport = {
    apiVersion: TRANSPORT_API_VERSION,
    name,
    parseReference(text: string): ImageReference {
      const fail = (): Promise<never> =>
        Promise.reject(new UnsupportedTransportError(name, reason));
      return {
        transport,
        toString: () => text,
        openSource: (): Promise<ImageSource> => fail(),
        openDestination: fail,
        deleteImage: fail,
        listTags: fail,
      };
    },
  };
  return transport;
}
