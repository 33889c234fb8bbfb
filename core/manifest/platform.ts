/**
 * Choosing the instance of a multi-platform list that fits a platform, with
 * the variant compatibility rules of containers/image
 * (`internal/pkg/platform`, as vendored by skopeo 1.9.3).
 *
 * @module
 */
import type { Descriptor, Platform } from "../types.ts";
import { goQuote } from "./_json.ts";
import { MEDIA_TYPE_OCI_INDEX } from "./media_types.ts";
import type { ParsedManifestList } from "./parsed_manifest.ts";

/** No instance of a list fits the wanted platform. */
export class NoMatchingPlatformError extends Error {
  /** The most specific platform that was looked for. */
  readonly platform: Platform;
  /**
   * Builds the error with skopeo's message.
   *
   * @param platform The most specific wanted platform.
   * @param listKind `image index` (OCI) or `manifest list` (Docker), for the message.
   */
  constructor(platform: Platform, listKind: "image index" | "manifest list") {
    // Worded exactly as containers/image 5.23 (architecture and OS unquoted).
    super(
      `no image found in ${listKind} for architecture ${platform.architecture}, variant ${
        goQuote(platform.variant ?? "")
      }, OS ${platform.os}`,
    );
    this.name = "NoMatchingPlatformError";
    this.platform = platform;
  }
}

/**
 * Known variants per architecture, most capable first; an image built for a
 * later entry runs where an earlier one is wanted.
 */
const COMPATIBLE_VARIANTS: Readonly<Record<string, readonly string[]>> = {
  arm: ["v8", "v7", "v6", "v5"],
  arm64: ["v8"],
};

/** Go's GOARCH names for Deno's architecture names. */
const GO_ARCH: Readonly<Record<string, string>> = {
  x86_64: "amd64",
  aarch64: "arm64",
};

/** `/proc/cpuinfo` "CPU architecture" values → ARM variant. */
function armVariantFromCpuInfo(): string {
  const path = "/proc/cpuinfo";
  try {
    if (
      Deno.permissions.querySync({ name: "read", path }).state !== "granted"
    ) return "";
    for (const line of Deno.readTextFileSync(path).split("\n")) {
      const [key, value] = line.split(":");
      if (
        value === undefined || key!.trim().toLowerCase() !== "cpu architecture"
      ) continue;
      switch (value.trim().toLowerCase()) {
        case "8":
        case "aarch64":
          return "v8";
        case "7":
        case "7m":
        case "?(12)":
        case "?(13)":
        case "?(14)":
        case "?(15)":
        case "?(16)":
        case "?(17)":
          return "v7";
        case "6":
        case "6tej":
          return "v6";
        case "5":
        case "5t":
        case "5te":
        case "5tej":
          return "v5";
        case "4":
        case "4t":
          return "v4";
        case "3":
          return "v3";
        default:
          return "";
      }
    }
  } catch {
    // Unreadable: no variant, as containers/image does on errors.
  }
  return "";
}

function detectVariant(os: string, architecture: string): string {
  if (os === "windows" || os === "darwin") {
    return architecture === "arm64" ? "v8" : architecture === "arm" ? "v7" : "";
  }
  if (os === "linux" && (architecture === "arm" || architecture === "arm64")) {
    return armVariantFromCpuInfo();
  }
  return "";
}

/**
 * The platform this process runs on, in OCI/Go terms (`amd64`, `arm64`;
 * `linux`, `darwin`, `windows`), with the CPU variant on ARM.
 *
 * @example
 * ```ts
 * import { systemPlatform } from "./platform.ts";
 * console.assert(systemPlatform().os === Deno.build.os);
 * ```
 *
 * @returns The running system's platform.
 */
export function systemPlatform(): Platform {
  const architecture = GO_ARCH[Deno.build.arch] ?? Deno.build.arch;
  const os: string = Deno.build.os;
  const variant = detectVariant(os, architecture);
  return variant === "" ? { architecture, os } : { architecture, os, variant };
}

/** Options of {@linkcode wantedPlatforms} and {@linkcode choosePlatformInstance}. */
export interface PlatformChoiceOptions {
  /** The running system, used for whatever `wanted` leaves out; default {@linkcode systemPlatform}(). */
  system?: Platform;
}

/**
 * The platforms an instance may have to be chosen, best first
 * (containers/image `WantedPlatforms`). Empty fields of `wanted` come from
 * the system; the system's variant is used only when the architecture is
 * the system's too. A wanted variant accepts the less capable variants of
 * its architecture and then no variant; no wanted variant accepts no
 * variant first, then every known variant.
 *
 * @example ARM v7 accepts v6 and v5 images
 * ```ts
 * import { wantedPlatforms } from "./platform.ts";
 * const variants = wantedPlatforms({ architecture: "arm", variant: "v7", os: "linux" })
 *   .map((p) => p.variant ?? "");
 * console.assert(variants.join(",") === "v7,v6,v5,");
 * ```
 *
 * @param wanted What was asked (`--override-arch`, `--override-variant`, `--override-os`).
 * @param options The system platform, for tests.
 * @returns Candidate platforms, most specific first.
 */
export function wantedPlatforms(
  wanted: Partial<Platform> = {},
  options: PlatformChoiceOptions = {},
): Platform[] {
  const system = options.system ?? systemPlatform();
  let architecture = system.architecture;
  let variant = "";
  if (wanted.architecture) {
    architecture = wanted.architecture;
  } else {
    variant = system.variant ?? "";
  }
  if (wanted.variant) variant = wanted.variant;
  const os = wanted.os || system.os;

  let variants: string[];
  const known = COMPATIBLE_VARIANTS[architecture];
  if (variant !== "") {
    const index = known?.indexOf(variant) ?? -1;
    variants = index === -1 ? [variant, ""] : [...known!.slice(index), ""];
  } else {
    variants = ["", ...(known ?? [])];
  }
  return variants.map((v) =>
    v === "" ? { architecture, os } : { architecture, os, variant: v }
  );
}

/**
 * Picks the instance of a list to use for a platform, as skopeo does when it
 * reads a list without `--all`: for each wanted platform in order, the first
 * instance whose architecture, OS and variant all match. An OCI index
 * instance without a platform is the last resort.
 *
 * @example
 * ```ts
 * import { choosePlatformInstance } from "./platform.ts";
 * import { parseOciIndex } from "./oci.ts";
 * const d = (n: number) => `sha256:${String(n).repeat(64)}`;
 * const list = parseOciIndex(new TextEncoder().encode(JSON.stringify({
 *   schemaVersion: 2,
 *   manifests: [
 *     { mediaType: "", digest: d(1), size: 1, platform: { architecture: "arm", os: "linux", variant: "v6" } },
 *     { mediaType: "", digest: d(2), size: 1, platform: { architecture: "arm", os: "linux", variant: "v7" } },
 *   ],
 * })));
 * const chosen = choosePlatformInstance(list, { architecture: "arm", variant: "v7" });
 * console.assert(chosen.digest === d(2));
 * ```
 *
 * @param list The parsed list.
 * @param wanted The platform asked for; missing fields come from the system.
 * @param options The system platform, for tests.
 * @returns The chosen instance's descriptor.
 * @throws {NoMatchingPlatformError} When no instance fits.
 */
export function choosePlatformInstance(
  list: ParsedManifestList,
  wanted: Partial<Platform> = {},
  options: PlatformChoiceOptions = {},
): Descriptor {
  const candidates = wantedPlatforms(wanted, options);
  const isOci = list.mediaType === MEDIA_TYPE_OCI_INDEX;
  for (const candidate of candidates) {
    for (const instance of list.manifests) {
      // A Docker list entry without a platform has empty fields and never matches.
      if (instance.platform === undefined) continue;
      if (
        instance.platform.architecture === candidate.architecture &&
        instance.platform.os === candidate.os &&
        (instance.platform.variant ?? "") === (candidate.variant ?? "")
      ) {
        return instance;
      }
    }
  }
  if (isOci) {
    const generic = list.manifests.find((instance) =>
      instance.platform === undefined
    );
    if (generic !== undefined) return generic;
  }
  throw new NoMatchingPlatformError(
    candidates[0]!,
    isOci ? "image index" : "manifest list",
  );
}
