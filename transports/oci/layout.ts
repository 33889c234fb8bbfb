/**
 * OCI image layout 1.0 on disk: `oci-layout`, `index.json`, `blobs/<alg>/<hex>`.
 * The helpers live in `transports/_oci_layout/`, shared with `oci-archive:`.
 *
 * @module
 */
export * from "../_oci_layout/layout.ts";
