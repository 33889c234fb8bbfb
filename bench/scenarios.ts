/**
 * The scenarios the bench times, one table entry each. A scenario says how to
 * call the CLI, what result both tools must agree on, and how to check the
 * copy it made. Registry scenarios join the table when `docker://` lands
 * (a registry address then goes into {@linkcode RunPaths}).
 *
 * @module
 */
import type { BenchImage } from "./image.ts";
import {
  type StoredImage,
  storedManifestDigest,
  textDigest,
  verifyStoredImage,
} from "./verify.ts";

/** What one run of a scenario works on. */
export interface RunPaths {
  /** The source image. */
  image: BenchImage;
  /**
   * A destination path that does not exist yet (fresh per run), or, with
   * `keepDestination`, the same path for all of one tool's runs.
   */
  dest: string;
}

/** One row of the bench. */
export interface Scenario {
  /** Short id for `--only`. */
  id: string;
  /** The row's label. */
  title: string;
  /** Reuse one destination per tool; its untimed warm-up run fills it. */
  keepDestination?: boolean;
  /** The command line after the global flags. */
  args(paths: RunPaths): string[];
  /** What the run produced; both tools and all runs must agree. */
  outcome(paths: RunPaths, stdout: string): Promise<string>;
  /** The outcome the source dictates, when known. */
  expected?(image: BenchImage): string;
  /** Full check of the produced image, once per tool (untimed). */
  verify?(paths: RunPaths): Promise<void>;
}

type Location = "oci" | "dir";

function source(kind: Location, image: BenchImage): string {
  return kind === "oci"
    ? `oci:${image.ociDir}:${image.ref}`
    : `dir:${image.dirDir}`;
}

function stored(kind: Location, paths: RunPaths): StoredImage {
  return kind === "oci"
    ? { kind, path: paths.dest, ref: paths.image.ref }
    : { kind, path: paths.dest };
}

function copy(
  id: string,
  title: string,
  from: Location,
  to: Location,
  options: { keepDestination?: boolean } = {},
): Scenario {
  return {
    id,
    title,
    ...options,
    args: (paths) => [
      "copy",
      source(from, paths.image),
      to === "oci"
        ? `oci:${paths.dest}:${paths.image.ref}`
        : `dir:${paths.dest}`,
    ],
    outcome: (paths) => storedManifestDigest(stored(to, paths)),
    expected: (image) =>
      to === "oci"
        ? `${image.manifestDigest} (1 index entry)`
        : image.manifestDigest,
    verify: (paths) => verifyStoredImage(stored(to, paths)),
  };
}

/** Every scenario, in table order. */
export const SCENARIOS: readonly Scenario[] = [
  {
    id: "startup",
    title: "start-up (`--version`)",
    args: () => ["--version"],
    // Ours appends its own version in parentheses.
    outcome: (_, stdout) =>
      Promise.resolve(stdout.split(/\s+/).slice(0, 3).join(" ")),
    expected: () => "skopeo version 1.9.3",
  },
  copy("oci-dir", "copy oci: → dir:", "oci", "dir"),
  copy("oci-oci", "copy oci: → oci: (empty destination)", "oci", "oci"),
  copy("dir-oci", "copy dir: → oci: (empty destination)", "dir", "oci"),
  copy("recopy", "copy oci: → oci: (all blobs present)", "oci", "oci", {
    keepDestination: true,
  }),
  {
    id: "inspect",
    title: "inspect oci:",
    args: (paths) => ["inspect", source("oci", paths.image)],
    // Same JSON values; the digest keeps the table's check column short.
    outcome: (_, stdout) =>
      Promise.resolve(textDigest(JSON.stringify(JSON.parse(stdout)))),
  },
  {
    id: "manifest-digest",
    title: "manifest-digest",
    args: (paths) => ["manifest-digest", paths.image.manifestPath],
    outcome: (_, stdout) => Promise.resolve(stdout.trim()),
    expected: (image) => image.manifestDigest,
  },
];
