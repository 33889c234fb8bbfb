/**
 * `umoci stat`, an independent validator of OCI image layouts.
 *
 * @module
 */

/** One history entry as `umoci stat --json` reports it. */
export interface UmociHistoryEntry {
  /** The layer's descriptor; null for empty layers. */
  layer: { mediaType: string; digest: string; size: number } | null;
  /** Digest of the uncompressed layer; empty for empty layers. */
  diff_id: string;
  /** From the config's history. */
  created?: string;
  /** From the config's history. */
  created_by?: string;
  /** From the config's history. */
  author?: string;
  /** From the config's history. */
  comment?: string;
  /** From the config's history. */
  empty_layer?: boolean;
}

/** What `umoci stat` produced. */
export interface UmociStatResult {
  /** umoci's exit code. */
  code: number;
  /** umoci's JSON output. */
  stdout: string;
  /** umoci's diagnostics. */
  stderr: string;
  /** The parsed `--json` output when umoci succeeded. */
  history: UmociHistoryEntry[] | undefined;
}

/**
 * Runs `umoci stat --json --image LAYOUT:TAG`. umoci refuses what is not a
 * valid OCI layout with an OCI image manifest behind the tag (it reports an
 * index with several platforms as "tag is ambiguous").
 *
 * @example Validate a layout
 * ```ts ignore
 * import { umociStat } from "./umoci.ts";
 * const result = await umociStat("tests/fixtures/oci", "demo");
 * console.assert(result.code === 0);
 * ```
 *
 * @param layoutDir The OCI layout directory.
 * @param tag The `org.opencontainers.image.ref.name` to check.
 * @returns Exit code, output and, on success, the layer history.
 */
export async function umociStat(
  layoutDir: string,
  tag: string,
): Promise<UmociStatResult> {
  const output = await new Deno.Command("umoci", {
    args: ["stat", "--json", "--image", `${layoutDir}:${tag}`],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  const stdout = decoder.decode(output.stdout);
  let history: UmociHistoryEntry[] | undefined;
  if (output.code === 0) {
    history = (JSON.parse(stdout) as { history: UmociHistoryEntry[] }).history;
  }
  return {
    code: output.code,
    stdout,
    stderr: decoder.decode(output.stderr),
    history,
  };
}
