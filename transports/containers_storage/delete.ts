/**
 * Deletes an image from a store, as `skopeo delete containers-storage:…`
 * does: the image record and its big-data directory go, then every layer
 * of its chain that no other image uses, top first (files, tar-split and
 * record). images.json is written before any layer goes, so an interrupted
 * delete leaves unused layers, never an image missing layers.
 *
 * @module
 */
import type { OpenOptions } from "../../core/transport.ts";
import type { StorageReference } from "./reference.ts";
import { openStore, resolveImage } from "./source.ts";

/**
 * Deletes the image `reference` names.
 *
 * @throws {ImageNotFoundError} When no image matches.
 */
export async function deleteStorageImage(
  reference: StorageReference,
  _options: OpenOptions = {},
): Promise<void> {
  const store = openStore(reference);
  await store.locked(true, async () => {
    const image = await resolveImage(store, reference);
    const images = (await store.readImages()).filter((i) => i.id !== image.id);
    await store.writeImages(images);
    await Deno.remove(`${store.imagesDir}/${image.id}`, { recursive: true })
      .catch(() => {});
    const inUse = new Set<string>();
    let layers = await store.readLayers();
    for (const other of images) {
      for (let id = other.layer; id;) {
        inUse.add(id);
        id = layers.find((l) => l.id === id)?.parent;
      }
    }
    for (let id = image.layer; id && !inUse.has(id);) {
      const layer = layers.find((l) => l.id === id);
      if (layers.some((l) => l.parent === id)) break; // another layer builds on it
      layers = layers.filter((l) => l.id !== id);
      await store.writeLayers(layers);
      await removeLayerFiles(store.spec.graphRoot, store.spec.driver, id);
      await Deno.remove(store.tarSplitPath(id)).catch(() => {});
      id = layer?.parent;
    }
  });
}

async function removeLayerFiles(
  graphRoot: string,
  driver: string,
  id: string,
): Promise<void> {
  if (driver === "vfs") {
    await Deno.remove(`${graphRoot}/vfs/dir/${id}`, { recursive: true })
      .catch(() => {});
    return;
  }
  const dir = `${graphRoot}/overlay/${id}`;
  const link = await Deno.readTextFile(`${dir}/link`).catch(() => "");
  if (link.trim() !== "") {
    await Deno.remove(`${graphRoot}/overlay/l/${link.trim()}`).catch(() => {});
  }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
