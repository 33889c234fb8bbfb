/**
 * Version strings.
 *
 * @module
 */

/** This package's version. */
export const SKOPEO_TS_VERSION = "0.1.0";

/** The skopeo release whose CLI we match; scripts read it from `--version`. */
export const SKOPEO_COMPAT_VERSION = "1.9.3";
