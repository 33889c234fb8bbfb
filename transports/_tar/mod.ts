/**
 * Tar archives for docker-archive, oci-archive and docker-daemon: a
 * random-access indexer for seekable files, link resolution inside the
 * archive, a streaming reader for pipes and a streaming writer.
 *
 * @example Write, then index and read back
 * ```ts
 * import { createTarWriter, indexTar } from "./mod.ts";
 * import { readFileStream } from "../../core/fs_stream.ts";
 * const path = await Deno.makeTempFile();
 * const tar = createTarWriter();
 * const saved = Deno.writeFile(path, tar.readable);
 * await tar.add({ name: "manifest.json", body: new TextEncoder().encode("[]") });
 * await tar.close();
 * await saved;
 * using file = await Deno.open(path);
 * const entry = (await indexTar(file)).get("manifest.json")!;
 * const body = readFileStream(await Deno.open(path), { offset: entry.offset, length: entry.size });
 * console.assert(await new Response(body).text() === "[]");
 * await Deno.remove(path);
 * ```
 *
 * @module
 */
export * from "./reader.ts";
export * from "./writer.ts";
