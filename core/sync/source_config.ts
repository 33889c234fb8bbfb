/**
 * The YAML source file of `skopeo sync --src yaml`: registries as keys, each
 * with `images`, `images-by-tag-regex`, `images-by-semver`, `credentials`,
 * `tls-verify` and `cert-dir`. Validated strictly: a syntax error, a value of
 * the wrong type or an unknown key is reported with its line and column
 * (skopeo 1.9.3 ignores unknown keys, which hides typos such as `image:`).
 *
 * @module
 */
import type { Credentials } from "../transport.ts";
import { type QuickNode, readQuickYaml } from "./_quick_yaml.ts";

/** Repository → tags or digests; an empty list means every tag. */
export interface ImagesEntry {
  /** Repository path within the registry, e.g. `library/busybox`. */
  repository: string;
  /** Tags or digests; empty for all tags. */
  refs: string[];
}

/** Repository → a filter over its tags. */
export interface FilterEntry {
  /** Repository path within the registry. */
  repository: string;
  /** The regular expression or semver constraint, as written. */
  pattern: string;
}

/** One registry's section of the file. */
export interface RegistrySyncConfig {
  /** The registry host (the YAML key), e.g. `registry.example.com:5000`. */
  registry: string;
  /** `images`, in file order. */
  images: ImagesEntry[];
  /** `images-by-tag-regex`, in file order. */
  imagesByTagRegex: FilterEntry[];
  /** `images-by-semver`, in file order (newer skopeo's key). */
  imagesBySemver: FilterEntry[];
  /** `credentials`, when given. */
  credentials?: Credentials | undefined;
  /** `tls-verify`, when given. */
  tlsVerify?: boolean | undefined;
  /** `cert-dir`, when given. */
  certDir?: string | undefined;
}

/** A YAML file that does not describe sync sources. */
export class SyncConfigError extends Error {
  /**
   * Makes the error.
   *
   * @param message The full one-line (or multi-line) message.
   */
  constructor(message: string) {
    super(message);
    this.name = "SyncConfigError";
  }
}

/** Options of {@linkcode parseSourceConfig}. */
export interface ParseSourceConfigOptions {
  /** Try the subset reader before npm:yaml (default `true`). */
  fastPath?: boolean;
}

interface Position {
  line: number;
  col: number;
}

type YamlModule = typeof import("npm:yaml@2.9.1");
type YamlNode = import("npm:yaml@2.9.1").Node;

const REGISTRY_KEYS = new Set([
  "images",
  "images-by-tag-regex",
  "images-by-semver",
  "credentials",
  "tls-verify",
  "cert-dir",
]);

/**
 * Parses and validates a sync source file.
 *
 * @example
 * ```ts
 * import { parseSourceConfig } from "./source_config.ts";
 * const [registry] = await parseSourceConfig(
 *   "quay.io:\n  images:\n    skopeo/stable: [latest]\n",
 *   "sync.yaml",
 * );
 * console.assert(registry?.images[0]?.refs[0] === "latest");
 * ```
 *
 * @param text The file's content.
 * @param fileName The file name, for messages (`Failed to unmarshal "…"`).
 * @param options `fastPath: false` always uses the full YAML parser (tests
 *   compare both paths).
 * @returns The registries in file order.
 * @throws {SyncConfigError} With `yaml: line L, column C: …` details.
 */
export async function parseSourceConfig(
  text: string,
  fileName: string,
  options: ParseSourceConfigOptions = {},
): Promise<RegistrySyncConfig[]> {
  // Fast path: a file in the common subset that validates cleanly is read
  // without loading npm:yaml; anything else (including every error) takes
  // the full path below, so results and messages do not change.
  const quick = options.fastPath === false ? undefined : readQuickYaml(text);
  if (quick !== undefined) {
    const registries = registriesOf(quick);
    if (registries !== undefined) return registries;
  }
  const yaml: YamlModule = await import("npm:yaml@2.9.1");
  const lineCounter = new yaml.LineCounter();
  const document = yaml.parseDocument(text, { lineCounter });
  const fail = (detail: string): never => {
    throw new SyncConfigError(`Failed to unmarshal "${fileName}": ${detail}`);
  };
  const syntax = document.errors[0];
  if (syntax) {
    const position = syntax.linePos?.[0];
    const reason = syntax.message.split("\n")[0]!.replace(
      / at line \d+, column \d+:?$/,
      "",
    );
    fail(
      position
        ? `yaml: line ${position.line}, column ${position.col}: ${reason}`
        : `yaml: ${reason}`,
    );
  }
  const problems: string[] = [];
  const at = (node: YamlNode | null | undefined): Position =>
    lineCounter.linePos(node?.range?.[0] ?? 0);
  const problem = (node: YamlNode | null | undefined, message: string) => {
    const { line, col } = at(node);
    problems.push(`line ${line}, column ${col}: ${message}`);
  };
  const describe = (node: YamlNode): string => {
    if (yaml.isMap(node)) return "!!map";
    if (yaml.isSeq(node)) return "!!seq";
    if (yaml.isScalar(node)) {
      const value = node.value;
      const tag = value === null
        ? "!!null"
        : typeof value === "boolean"
        ? "!!bool"
        : typeof value === "number"
        ? (Number.isInteger(value) ? "!!int" : "!!float")
        : "!!str";
      return `${tag} \`${String(node.source ?? value)}\``;
    }
    return "!!node";
  };
  const isNull = (node: YamlNode | null | undefined): boolean =>
    node === null || node === undefined ||
    (yaml.isScalar(node) && node.value === null);
  /** A scalar as Go decodes it into a string: its text as written. */
  const scalarText = (
    node: YamlNode | null | undefined,
  ): string | undefined => {
    if (!yaml.isScalar(node) || node.value === null) return undefined;
    return typeof node.value === "string" ? node.value : String(node.source);
  };
  const stringValue = (node: YamlNode | null | undefined): string => {
    if (isNull(node)) return "";
    const text = scalarText(node);
    if (text === undefined) {
      problem(node, `cannot unmarshal ${describe(node!)} into string`);
      return "";
    }
    return text;
  };
  /** Key/value pairs of a mapping (null = empty), in order. */
  const pairs = (
    node: YamlNode | null | undefined,
    type: string,
  ): [YamlNode, string, YamlNode | null][] => {
    if (isNull(node)) return [];
    if (!yaml.isMap(node)) {
      problem(node, `cannot unmarshal ${describe(node!)} into ${type}`);
      return [];
    }
    return node.items.map((pair) => {
      const key = pair.key as YamlNode;
      return [key, stringValue(key), pair.value as YamlNode | null];
    });
  };
  const stringList = (node: YamlNode | null): string[] => {
    if (isNull(node)) return [];
    if (!yaml.isSeq(node)) {
      problem(node, `cannot unmarshal ${describe(node!)} into []string`);
      return [];
    }
    return node.items.map((item) => stringValue(item as YamlNode));
  };

  const registries: RegistrySyncConfig[] = [];
  for (
    const [, registry, section] of pairs(
      document.contents as YamlNode | null,
      "map[string]registrySyncConfig",
    )
  ) {
    const config: RegistrySyncConfig = {
      registry,
      images: [],
      imagesByTagRegex: [],
      imagesBySemver: [],
    };
    for (const [keyNode, key, value] of pairs(section, "registrySyncConfig")) {
      switch (key) {
        case "images":
          for (
            const [, repository, refs] of pairs(value, "map[string][]string")
          ) {
            config.images.push({ repository, refs: stringList(refs) });
          }
          break;
        case "images-by-tag-regex":
        case "images-by-semver": {
          const list = key === "images-by-semver"
            ? config.imagesBySemver
            : config.imagesByTagRegex;
          for (
            const [, repository, pattern] of pairs(value, "map[string]string")
          ) {
            list.push({ repository, pattern: stringValue(pattern) });
          }
          break;
        }
        case "credentials": {
          const credentials = { username: "", password: "" };
          for (const [k, name, v] of pairs(value, "types.DockerAuthConfig")) {
            if (name === "username") credentials.username = stringValue(v);
            else if (name === "password") credentials.password = stringValue(v);
            else {
              problem(
                k,
                `field ${name} not found in type types.DockerAuthConfig`,
              );
            }
          }
          if (credentials.username !== "" || credentials.password !== "") {
            config.credentials = credentials;
          }
          break;
        }
        case "tls-verify":
          if (yaml.isScalar(value) && typeof value.value === "boolean") {
            config.tlsVerify = value.value;
          } else if (!isNull(value)) {
            problem(value, `cannot unmarshal ${describe(value!)} into bool`);
          }
          break;
        case "cert-dir":
          config.certDir = stringValue(value);
          if (config.certDir === "") delete config.certDir;
          break;
        default:
          if (!REGISTRY_KEYS.has(key)) {
            problem(
              keyNode,
              `field ${key} not found in type registrySyncConfig`,
            );
          }
      }
    }
    registries.push(config);
  }
  if (problems.length > 0) {
    fail(`yaml: unmarshal errors:\n  ${problems.join("\n  ")}`);
  }
  return registries;
}

/**
 * The registries of a document read by the quick reader, decoded exactly as
 * the full path decodes them; `undefined` on any problem (the full path then
 * reports it with its position).
 */
function registriesOf(document: QuickNode): RegistrySyncConfig[] | undefined {
  const invalid = Symbol("invalid");
  const fail = (): never => {
    throw invalid;
  };
  const isMap = (node: QuickNode): node is Map<string, QuickNode> =>
    node instanceof Map;
  const pairs = (node: QuickNode): [string, QuickNode][] =>
    node === null ? [] : isMap(node) ? [...node] : fail();
  const stringValue = (node: QuickNode): string =>
    node === null
      ? ""
      : Array.isArray(node) || isMap(node)
      ? fail()
      : node.text;
  const stringList = (node: QuickNode): string[] =>
    node === null ? [] : Array.isArray(node) ? node.map(stringValue) : fail();
  try {
    return pairs(document).map(([registry, section]) => {
      const config: RegistrySyncConfig = {
        registry,
        images: [],
        imagesByTagRegex: [],
        imagesBySemver: [],
      };
      for (const [key, value] of pairs(section)) {
        switch (key) {
          case "images":
            for (const [repository, refs] of pairs(value)) {
              config.images.push({ repository, refs: stringList(refs) });
            }
            break;
          case "images-by-tag-regex":
          case "images-by-semver": {
            const list = key === "images-by-semver"
              ? config.imagesBySemver
              : config.imagesByTagRegex;
            for (const [repository, pattern] of pairs(value)) {
              list.push({ repository, pattern: stringValue(pattern) });
            }
            break;
          }
          case "credentials": {
            const credentials = { username: "", password: "" };
            for (const [name, v] of pairs(value)) {
              if (name === "username") credentials.username = stringValue(v);
              else if (name === "password") {
                credentials.password = stringValue(v);
              } else fail();
            }
            if (credentials.username !== "" || credentials.password !== "") {
              config.credentials = credentials;
            }
            break;
          }
          case "tls-verify":
            if (value === null) break;
            config.tlsVerify =
              (Array.isArray(value) || isMap(value) ? undefined : value.bool) ??
                fail();
            break;
          case "cert-dir":
            config.certDir = stringValue(value);
            if (config.certDir === "") delete config.certDir;
            break;
          default:
            fail();
        }
      }
      return config;
    });
  } catch (error) {
    if (error === invalid) return undefined;
    throw error;
  }
}
