/**
 * Where `sync` puts each image: skopeo's destination naming, built on Go's
 * `path.Clean`/`path.Join`/`path.Base` semantics.
 *
 * @module
 */

/** Go's `path.Clean`. */
export function goClean(path: string): string {
  if (path === "") return ".";
  const rooted = path.startsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(part);
  }
  const joined = out.join("/");
  return rooted ? `/${joined}` : joined === "" ? "." : joined;
}

/** Go's `path.Join`: non-empty elements joined by `/`, cleaned. */
export function goJoin(...elements: string[]): string {
  const parts = elements.filter((e) => e !== "");
  return parts.length === 0 ? "" : goClean(parts.join("/"));
}

/** Go's `path.Base`. */
export function goBase(path: string): string {
  if (path === "") return ".";
  const trimmed = path.replace(/\/+$/, "");
  if (trimmed === "") return "/";
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** Options of {@linkcode destinationName}. */
export interface DestinationNameOptions {
  /** `--scoped`: keep the full source path instead of its last element. */
  scoped?: boolean | undefined;
  /** `--append-suffix` (newer skopeo): text added to the whole name. */
  appendSuffix?: string | undefined;
}

/**
 * The destination (registry path or directory) of one synced image, as
 * skopeo computes it: the source's full Docker reference, or for `dir:`
 * sources its path below the source directory; only the last element
 * unless scoped; joined under the destination.
 *
 * @example
 * ```ts
 * import { destinationName } from "./naming.ts";
 * const name = destinationName("/media/usb", {
 *   dockerReference: "registry.example.com/busybox:1.36",
 * });
 * console.assert(name === "/media/usb/busybox:1.36");
 * ```
 *
 * @param destination The DESTINATION argument.
 * @param source The image: its Docker reference, or its `dir:` path and
 *   the source directory it was found under.
 * @param options `scoped`, `appendSuffix`.
 * @returns The destination text, without the transport.
 */
export function destinationName(
  destination: string,
  source: { dockerReference: string } | { dirPath: string; basePath: string },
  options: DestinationNameOptions = {},
): string {
  let suffix: string;
  if ("dockerReference" in source) {
    suffix = source.dockerReference;
  } else {
    suffix = source.dirPath.startsWith(source.basePath)
      ? source.dirPath.slice(source.basePath.length)
      : source.dirPath;
    // The source was itself an image: name it after that directory.
    if (suffix === "") suffix = goBase(source.basePath);
  }
  if (!options.scoped) suffix = goBase(suffix);
  return goJoin(destination, suffix) + (options.appendSuffix ?? "");
}
