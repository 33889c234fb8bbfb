/**
 * Several images in one `docker save` archive, for library users (skopeo's
 * CLI writes one image per archive; containers/image offers this to Go
 * callers such as `podman save`). Each image is copied to a reference from
 * {@linkcode DockerArchiveBundle.reference}; the archive is complete once
 * {@linkcode DockerArchiveBundle.finish} returns.
 *
 * @module
 */
import { InvalidReferenceError } from "../../core/errors.ts";
import type {
  ImageDestination,
  OpenOptions,
  Transport,
} from "../../core/transport.ts";
import {
  type ArchiveOutput,
  openArchiveOutput,
} from "../_archive/output_file.ts";
import { DockerArchiveWriter } from "../_docker_tarfile/writer.ts";
import { formatName } from "../../core/docker_name.ts";
import {
  additionalTags,
  DockerArchiveDestination,
  EXISTING_ARCHIVE_MESSAGE,
} from "./destination.ts";
import { DockerArchiveReference } from "./reference.ts";
import { transport } from "./transport.ts";

/** Options of {@linkcode createDockerArchiveBundle}. */
export interface DockerArchiveBundleOptions {
  /** Where layers of unknown size are spooled. */
  tmpDir?: string;
}

/** An archive receiving several images. */
export interface DockerArchiveBundle extends AsyncDisposable {
  /**
   * A destination reference for the next image: copy to it with
   * `copyImage`. Its tag (and `additionalTags` settings) become RepoTags.
   *
   * @param tag `busybox:1` and the like; none for an untagged image.
   * @throws {InvalidReferenceError} When the tag does not parse.
   */
  reference(tag?: string): DockerArchiveReference;
  /** Writes `manifest.json` and gives the archive its final name. */
  finish(): Promise<void>;
  /** Abandons the archive (nothing is left at its path). */
  abort(): Promise<void>;
}

/**
 * Starts an archive for several images.
 *
 * @example Two images in one archive
 * ```ts ignore
 * await using bundle = await createDockerArchiveBundle("/tmp/two.tar");
 * await copyImage(srcA, bundle.reference("a:1"));
 * await copyImage(srcB, bundle.reference("b:1"));
 * await bundle.finish();
 * ```
 *
 * @param path The archive file (an existing non-empty file is refused).
 * @param options Temporary directory.
 * @returns The bundle; `finish()` it, or dispose of it to abandon it.
 * @throws {InvalidReferenceError} When the path has a colon.
 */
export async function createDockerArchiveBundle(
  path: string,
  options: DockerArchiveBundleOptions = {},
): Promise<DockerArchiveBundle> {
  if (path.includes(":")) {
    throw new InvalidReferenceError(
      `docker-archive:${path}`,
      `Invalid docker-archive: reference: colon in path "${path}" is not supported`,
    );
  }
  const output: ArchiveOutput = await openArchiveOutput(path, {
    refuseExisting: EXISTING_ARCHIVE_MESSAGE,
  });
  const writer = new DockerArchiveWriter(output.writable);
  let state: "open" | "finished" | "aborted" = "open";
  const abort = async (): Promise<void> => {
    if (state !== "open") return;
    state = "aborted";
    await writer.abort(new Error("docker-archive bundle abandoned"));
    await output.discard();
  };
  return {
    reference(tag?: string): DockerArchiveReference {
      return new BundleReference(
        transport,
        tag === undefined ? path : `${path}:${tag}`,
        {
          writer,
          isOpen: () => state === "open",
          tmpDir: options.tmpDir,
        },
      );
    },
    async finish(): Promise<void> {
      if (state !== "open") throw new Error(`The archive ${path} is ${state}`);
      try {
        await writer.finish();
        await output.commit();
        state = "finished";
      } catch (error) {
        await abort();
        throw error;
      }
    },
    abort,
    [Symbol.asyncDispose]: abort,
  };
}

interface BundleState {
  writer: DockerArchiveWriter;
  isOpen: () => boolean;
  tmpDir: string | undefined;
}

/** A reference whose destination adds to a shared archive. */
class BundleReference extends DockerArchiveReference {
  readonly #bundle: BundleState;

  constructor(transport: Transport, text: string, bundle: BundleState) {
    super(transport, text);
    this.#bundle = bundle;
  }

  /** A destination adding this image to the bundle; its commit ends nothing. */
  override openDestination(
    options: OpenOptions = {},
  ): Promise<ImageDestination> {
    if (this.selector.kind === "index") {
      return super.openDestination(options);
    }
    if (!this.#bundle.isOpen()) {
      return Promise.reject(
        new Error(`The archive ${this.path} is no longer open`),
      );
    }
    const tags = this.selector.kind === "tag"
      ? [{ name: formatName(this.selector.name), tag: this.selector.name.tag! }]
      : [];
    return Promise.resolve(
      new DockerArchiveDestination(this, {
        writer: this.#bundle.writer,
        repoTags: [...tags, ...additionalTags(options)],
        tmpDir: options.context?.tmpDir ?? this.#bundle.tmpDir,
      }),
    );
  }
}
