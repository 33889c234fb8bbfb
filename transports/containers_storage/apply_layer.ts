/**
 * Creates a layer's files from its uncompressed tar, recording the
 * tar-split metadata as it goes:
 *
 * - `vfs`: `vfs/dir/<id>/` is a full copy of the parent layer (`cp -a`)
 *   with the diff applied; whiteouts (`.wh.name`, `.wh..wh..opq`) delete
 *   what they hide;
 * - `overlay`: `overlay/<id>/diff/` holds the diff alone, whiteouts become
 *   0:0 character devices and opaque directories get the
 *   `trusted.overlay.opaque=y` xattr, beside `link` (a short name), `lower`
 *   (the parents' short names) and `l/<link>` → `../<id>/diff`.
 *
 * The layer is built under a temporary name and renamed into place, so a
 * failure leaves nothing that looks like a layer. Ownership, modes, mtimes,
 * symlinks and hard links are kept (ownership needs root).
 *
 * @module
 */
import { InvalidContentError } from "../../core/errors.ts";
import type { TarHeader } from "../_tar/entry.ts";
import { canSetXattr, lchown, makeNode, setXattr } from "./native.ts";
import type { Store } from "./store.ts";
import { disassembleTar } from "./tar_split.ts";

const WHITEOUT_PREFIX = ".wh.";
const OPAQUE = ".wh..wh..opq";
const LINK_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** What {@linkcode applyLayer} learned from the tar. */
export interface AppliedLayer {
  /** Size of the uncompressed tar. */
  diffSize: number;
  /** User IDs owning files, sorted. */
  uidset: number[];
  /** Group IDs owning files, sorted. */
  gidset: number[];
}

/** Options of {@linkcode applyLayer}. */
export interface ApplyLayerOptions {
  /** The new layer's ID. */
  id: string;
  /** Its parent's ID, if any. */
  parent?: string | undefined;
  /** Cancellation. */
  signal?: AbortSignal | undefined;
}

/**
 * Builds a layer from an uncompressed tar stream and writes its
 * `.tar-split.gz`. Does not touch layers.json.
 *
 * @param store The store.
 * @param tar The layer's uncompressed tar; consumed.
 * @param options The layer's ID and parent.
 * @returns The diff size and the owners seen.
 */
export async function applyLayer(
  store: Store,
  tar: ReadableStream<Uint8Array>,
  options: ApplyLayerOptions,
): Promise<AppliedLayer> {
  const { id, parent } = options;
  const overlay = store.spec.driver === "overlay";
  const driverDir = overlay
    ? `${store.spec.graphRoot}/overlay`
    : `${store.spec.graphRoot}/vfs/dir`;
  await Deno.mkdir(driverDir, { recursive: true, mode: 0o700 });
  const staging = `${driverDir}/.tmp-${id}-${crypto.randomUUID().slice(0, 8)}`;
  const root = overlay ? `${staging}/diff` : staging;
  const splitTemp = `${store.tarSplitPath(id)}.tmp-${
    crypto.randomUUID().slice(0, 8)
  }`;
  await Deno.mkdir(store.layersDir, { recursive: true, mode: 0o700 });
  try {
    if (overlay) {
      // containers/storage: diff/ is 0555, or as the parent's diff/.
      await Deno.mkdir(staging, { mode: 0o700 });
      const mode = parent
        ? (await Deno.stat(store.layerFilesDir(parent))).mode! & 0o7777
        : 0o555;
      await Deno.mkdir(root);
      await Deno.chmod(root, mode);
    } else if (parent) {
      await copyTree(store.layerFilesDir(parent), staging);
    } else {
      await Deno.mkdir(staging);
      await Deno.chmod(staging, 0o555);
    }
    const applied = await extractWithSplit(tar, root, splitTemp, {
      overlay,
      signal: options.signal,
    });
    let link = "";
    if (overlay) {
      link = Array.from(
        crypto.getRandomValues(new Uint8Array(26)),
        (b) => LINK_ALPHABET[b & 31],
      ).join("");
      await Deno.writeTextFile(`${staging}/link`, link);
      if (parent) {
        const parentDir = `${store.spec.graphRoot}/overlay/${parent}`;
        const parentLink = (await Deno.readTextFile(`${parentDir}/link`))
          .trim();
        let lower = `l/${parentLink}`;
        try {
          lower += `:${(await Deno.readTextFile(`${parentDir}/lower`)).trim()}`;
        } catch (error) {
          if (!(error instanceof Deno.errors.NotFound)) throw error;
        }
        await Deno.writeTextFile(`${staging}/lower`, lower);
      } else {
        await Deno.mkdir(`${staging}/empty`, { mode: 0o700 });
      }
      await Deno.mkdir(`${staging}/work`, { mode: 0o700 });
      await Deno.mkdir(`${staging}/merged`, { mode: 0o700 });
    }
    const final = overlay ? `${driverDir}/${id}` : store.layerFilesDir(id);
    await Deno.rename(staging, final);
    if (overlay) {
      await Deno.mkdir(`${driverDir}/l`, { recursive: true, mode: 0o700 });
      await Deno.symlink(`../${id}/diff`, `${driverDir}/l/${link}`);
    }
    await Deno.rename(splitTemp, store.tarSplitPath(id));
    return applied;
  } catch (error) {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
    await Deno.remove(splitTemp).catch(() => {});
    throw error;
  }
}

async function copyTree(from: string, to: string): Promise<void> {
  const { code, stderr } = await new Deno.Command("cp", {
    args: ["-a", "--", from, to],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(
      `copying parent layer ${from}: ${
        new TextDecoder().decode(stderr).trim()
      }`,
    );
  }
}

interface ExtractOptions {
  overlay: boolean;
  signal?: AbortSignal | undefined;
}

async function extractWithSplit(
  tar: ReadableStream<Uint8Array>,
  root: string,
  splitPath: string,
  options: ExtractOptions,
): Promise<AppliedLayer> {
  const lines = new TransformStream<string, string>();
  const written = lines.readable
    .pipeThrough(new TextEncoderStream())
    .pipeThrough(new CompressionStream("gzip"))
    .pipeTo(
      (await Deno.open(splitPath, {
        write: true,
        createNew: true,
        mode: 0o600,
      })).writable,
    );
  const writer = lines.writable.getWriter();
  const uids = new Set<number>();
  const gids = new Set<number>();
  const directories: TarHeader[] = [];
  const seen = new Set<string>();
  let size: number;
  try {
    ({ size } = await disassembleTar(tar, {
      signal: options.signal,
      onLine: (line) => writer.write(line),
      onMember: async ({ header, body }) => {
        uids.add(header.uid);
        gids.add(header.gid);
        await applyMember(root, header, body, { ...options, seen });
        if (header.type === "directory") directories.push(header);
      },
    }));
    await writer.close();
    await written;
  } catch (error) {
    await writer.abort(error).catch(() => {});
    await written.catch(() => {});
    throw error;
  }
  // Children changed the directories' mtimes: restore them last, deepest first.
  for (const dir of directories.reverse()) {
    const path = dir.name === "." ? root : `${root}/${dir.name}`;
    await Deno.utime(path, dir.mtime, dir.mtime).catch(() => {});
  }
  return {
    diffSize: size,
    uidset: [...uids].sort((a, b) => a - b),
    gidset: [...gids].sort((a, b) => a - b),
  };
}

// Members are applied with synchronous calls: a layer is thousands of
// small metadata operations, and each async call costs more than the work.
function mkdirParents(path: string): void {
  try {
    if (Deno.lstatSync(path).isDirectory) return;
  } catch {
    // missing: create it
  }
  Deno.mkdirSync(path, { recursive: true });
}

function lstatOrUndefined(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.lstatSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

interface MemberOptions extends ExtractOptions {
  /** Paths this layer's tar created, which an opaque whiteout keeps. */
  seen: Set<string>;
}

async function applyMember(
  root: string,
  header: TarHeader,
  body: AsyncIterable<Uint8Array>,
  options: MemberOptions,
): Promise<void> {
  const slash = header.name.lastIndexOf("/");
  const dir = slash === -1 ? "" : header.name.slice(0, slash);
  const base = header.name.slice(slash + 1);
  const dirPath = dir === "" ? root : `${root}/${dir}`;
  if (base.startsWith(WHITEOUT_PREFIX)) {
    await Deno.mkdir(dirPath, { recursive: true });
    if (base === OPAQUE) {
      if (options.overlay) {
        if (!canSetXattr()) {
          throw new InvalidContentError(
            `layer has an opaque directory (${dir}/): writing it to overlay needs the trusted.overlay.opaque xattr, which needs --allow-ffi`,
          );
        }
        setXattr(
          dirPath,
          "trusted.overlay.opaque",
          new TextEncoder().encode("y"),
        );
      } else {
        for await (const entry of Deno.readDir(dirPath)) {
          const child = dir === "" ? entry.name : `${dir}/${entry.name}`;
          if (!options.seen.has(child)) {
            await Deno.remove(`${root}/${child}`, { recursive: true });
          }
        }
      }
      return;
    }
    const hidden = `${dirPath}/${base.slice(WHITEOUT_PREFIX.length)}`;
    await Deno.remove(hidden, { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
    if (options.overlay) {
      await makeNode(hidden, "c", 0, { major: 0, minor: 0 });
      await Deno.chown(hidden, header.uid, header.gid);
    }
    return;
  }
  options.seen.add(header.name);
  // overlay leaves its diff/ root as created; vfs applies the tar's `./`.
  if (header.name === "." && options.overlay) return;
  const path = header.name === "." ? root : `${root}/${header.name}`;
  if (header.name !== ".") mkdirParents(dirPath);
  // A member replaces whatever the parent layer had there, except a
  // directory over a directory (which merges).
  const existing = lstatOrUndefined(path);
  if (existing && !(existing.isDirectory && header.type === "directory")) {
    Deno.removeSync(path, { recursive: true });
  }
  switch (header.type) {
    case "directory":
      if (!existing) Deno.mkdirSync(path);
      break;
    case "file": {
      const file = Deno.openSync(path, {
        write: true,
        createNew: true,
        mode: 0o600,
      });
      try {
        for await (const chunk of body) {
          let at = 0;
          while (at < chunk.length) at += file.writeSync(chunk.subarray(at));
        }
      } finally {
        file.close();
      }
      break;
    }
    case "symlink":
      Deno.symlinkSync(header.linkName, path);
      lchown(path, header.uid, header.gid);
      return;
    case "hardlink":
      Deno.linkSync(`${root}/${header.linkName}`, path);
      return;
    default: {
      const kind = header.typeflag === "3"
        ? "c"
        : header.typeflag === "4"
        ? "b"
        : header.typeflag === "6"
        ? "p"
        : undefined;
      if (kind === undefined) return; // unknown types carry no file
      await makeNode(path, kind, header.mode, {
        major: header.devMajor,
        minor: header.devMinor,
      });
    }
  }
  Deno.chownSync(path, header.uid, header.gid);
  Deno.chmodSync(path, header.mode);
  for (const [key, value] of Object.entries(header.pax)) {
    if (key.startsWith("SCHILY.xattr.")) {
      setXattr(
        path,
        key.slice("SCHILY.xattr.".length),
        new TextEncoder().encode(value),
      );
    }
  }
  if (header.type !== "directory") {
    Deno.utimeSync(path, header.mtime, header.mtime);
  }
}
