/**
 * The plugin author's entry point: the transport contract and the errors a
 * transport throws. Import types only (`import type`) so a bundled plugin
 * has no runtime dependency on skopeo-ts. The full kit (partial helpers,
 * conformance suite, example plugin) arrives with issue #9.
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
