/**
 * `skopeo delete [flags] IMAGE-NAME`: deletes an image where its transport
 * can (in a registry: the manifest, by digest, which removes every tag of
 * it; the registry must have deletes enabled).
 *
 * @module
 */
import { UnsupportedOperationError, UsageError } from "../core/errors.ts";
import { deleteImage } from "../core/image/repository_ops.ts";
import type { ImageReference } from "../core/transport.ts";
import type { Command, CommandContext } from "./_command.ts";
import {
  imageContext,
  imageFlagSpecs,
  RETRY_DELAY_FLAG,
  RETRY_FLAG,
} from "./_image_flags.ts";

/** The `delete` command. */
export const deleteCommand: Command = {
  name: "delete",
  description: [
    'Delete an "IMAGE_NAME" from a transport',
    "Supported transports:",
    "%TRANSPORTS%",
    'See skopeo(1) section "IMAGE NAMES" for the expected format',
  ].join("\n"),
  usage: "skopeo delete [command options] IMAGE-NAME",
  examples: "skopeo delete docker://registry.example.com/example/pause:latest",
  flags: [...imageFlagSpecs(""), RETRY_FLAG, RETRY_DELAY_FLAG],
  async run(context: CommandContext): Promise<number> {
    const { args, registry, global } = context;
    if (args.length !== 1) {
      throw new UsageError("Usage: delete imageReference");
    }
    const name = args[0]!;
    let reference: ImageReference;
    try {
      reference = await registry.parseImageName(name);
    } catch (error) {
      const wrapped = new Error(
        `Invalid source name ${name}: ${(error as Error).message}`,
        { cause: error },
      );
      wrapped.name = (error as Error).name;
      throw wrapped;
    }
    const transportContext = imageContext(
      context.flags,
      "",
      global,
      context.logger,
    );
    try {
      await deleteImage(reference, {
        context: transportContext,
        signal: global.signal,
      });
    } catch (error) {
      // `--command-timeout`: its TimeoutError, not fetch's AbortError.
      if (global.signal?.aborted) throw global.signal.reason ?? error;
      if (
        error instanceof UnsupportedOperationError &&
        error.operation === "deleting images"
      ) {
        // skopeo's wording (containers/image's per-transport DeleteImage).
        error.message =
          `Deleting images not implemented for ${error.transportName}: images`;
      }
      throw error;
    }
    return 0;
  },
};
