/**
 * The plugin author's entry point: the transport contract, the errors a
 * transport throws, {@linkcode fromContentStore} (a full source and
 * destination from a minimal blob/manifest store) and stubs for what a
 * transport does not offer. The conformance suite is
 * `@skopeo-ts/skopeo/plugin/testing`; `plugins/README.md` explains writing,
 * bundling, loading and versioning plugins.
 *
 * @example A read-only transport's shape
 * ```ts
 * import { TRANSPORT_API_VERSION, type Transport } from "./mod.ts";
 * const transport: Transport = {
 *   apiVersion: TRANSPORT_API_VERSION,
 *   name: "example",
 *   parseReference(text) {
 *     throw new SyntaxError(`example: cannot parse ${text}`);
 *   },
 * };
 * console.assert(transport.name === "example");
 * ```
 *
 * @module
 */
export * from "../core/transport.ts";
export * from "../core/errors.ts";
export type * from "../core/types.ts";
export { digestOf, DigestVerifierStream, parseDigest } from "../core/digest.ts";
export type { DigestAlgorithm, DigestVerifierOptions } from "../core/digest.ts";
export { fromContentStore } from "./partial.ts";
export type {
  ContentStore,
  ContentStoreOpeners,
  FromContentStoreOptions,
  WriteBlobOptions,
} from "./partial.ts";
export { stubTransport, unsupported } from "./stubs.ts";
