/**
 * The transport registry: maps transport names to lazily loaded transports
 * and parses `transport:reference` image names.
 *
 * @module
 */
import {
  InvalidReferenceError,
  PluginLoadError,
  UnknownTransportError,
  UnsupportedTransportError,
} from "./errors.ts";
import {
  type ImageReference,
  type Transport,
  TRANSPORT_API_VERSION,
  type TransportModule,
} from "./transport.ts";

/** Loads a transport module on first use. */
export type TransportLoader = () => Promise<TransportModule>;

/** Options of {@linkcode TransportRegistry}. */
export interface TransportRegistryOptions {
  /** Lazily loaded transports by name (e.g. `BUILTIN_TRANSPORTS`). */
  loaders?: Readonly<Record<string, TransportLoader>>;
  /** Names that parse but cannot run here, with the reason. */
  unsupported?: Readonly<Record<string, string>>;
}

/**
 * Checks that a module is a usable transport module.
 *
 * @param module The imported module namespace.
 * @param specifier Where it came from, for messages.
 * @returns The transport it exports.
 * @throws {PluginLoadError} When the shape or API version is wrong.
 */
export function validateTransportModule(
  module: unknown,
  specifier: string,
): Transport {
  const transport = (module as Partial<TransportModule> | undefined)
    ?.transport;
  if (typeof transport !== "object" || transport === null) {
    throw new PluginLoadError(
      specifier,
      'the module has no named export "transport"',
    );
  }
  if (transport.apiVersion !== TRANSPORT_API_VERSION) {
    throw new PluginLoadError(
      specifier,
      `transport API version ${
        String(transport.apiVersion)
      } is not supported (this build implements ${TRANSPORT_API_VERSION})`,
    );
  }
  if (
    typeof transport.name !== "string" || !/^[a-z0-9][a-z0-9-]*$/.test(
      transport.name,
    )
  ) {
    throw new PluginLoadError(
      specifier,
      `invalid transport name ${JSON.stringify(transport.name)}`,
    );
  }
  if (typeof transport.parseReference !== "function") {
    throw new PluginLoadError(specifier, "transport.parseReference is missing");
  }
  return transport;
}

/**
 * Splits `transport:reference` at the first colon.
 *
 * @param text The image name.
 * @returns The transport name and the rest.
 * @throws {InvalidReferenceError} When there is no colon.
 */
export function splitImageName(
  text: string,
): { transportName: string; rest: string } {
  const colon = text.indexOf(":");
  // `:x` has an empty transport name (skopeo: unknown transport "").
  if (colon < 0) {
    throw new InvalidReferenceError(
      text,
      `Invalid image name "${text}", expected colon-separated transport:reference`,
    );
  }
  return { transportName: text.slice(0, colon), rest: text.slice(colon + 1) };
}

/** Name → transport, loading each built-in only when first used. */
export class TransportRegistry {
  readonly #loaders: Map<string, TransportLoader>;
  readonly #unsupported: Map<string, string>;
  readonly #loaded = new Map<string, Promise<Transport>>();

  /**
   * Creates a registry.
   *
   * @param options Built-in loaders and unsupported names.
   */
  constructor(options: TransportRegistryOptions = {}) {
    this.#loaders = new Map(Object.entries(options.loaders ?? {}));
    this.#unsupported = new Map(Object.entries(options.unsupported ?? {}));
  }

  /**
   * Adds a transport object (a plugin, or one built by a library user).
   *
   * @throws {PluginLoadError} When the name is taken.
   */
  add(transport: Transport): void {
    validateTransportModule({ transport }, transport.name);
    if (this.has(transport.name)) {
      throw new PluginLoadError(
        transport.name,
        `a transport named "${transport.name}" already exists`,
      );
    }
    this.#loaded.set(transport.name, Promise.resolve(transport));
  }

  /** Whether a transport of that name is known (loaded or not). */
  has(name: string): boolean {
    return this.#loaders.has(name) || this.#loaded.has(name) ||
      this.#unsupported.has(name);
  }

  /** All known transport names, sorted; loads nothing. */
  names(): string[] {
    return [
      ...new Set([
        ...this.#loaders.keys(),
        ...this.#loaded.keys(),
        ...this.#unsupported.keys(),
      ]),
    ].sort();
  }

  /**
   * Returns the transport, loading it on first use.
   *
   * @throws {UnknownTransportError} When no transport has that name.
   * @throws {UnsupportedTransportError} When it cannot run in this build.
   */
  get(name: string): Promise<Transport> {
    let pending = this.#loaded.get(name);
    if (pending) return pending;
    const loader = this.#loaders.get(name);
    if (!loader) {
      const reason = this.#unsupported.get(name);
      if (reason !== undefined) {
        return Promise.reject(new UnsupportedTransportError(name, reason));
      }
      return Promise.reject(new UnknownTransportError(name, this.names()));
    }
    pending = loader().then((module) => {
      const transport = validateTransportModule(module, name);
      if (transport.name !== name) {
        throw new PluginLoadError(
          name,
          `module declares transport "${transport.name}"`,
        );
      }
      return transport;
    });
    this.#loaded.set(name, pending);
    return pending;
  }

  /**
   * Parses `transport:reference`.
   *
   * @throws {InvalidReferenceError} When the text does not parse.
   * @throws {UnknownTransportError} When the transport is unknown.
   */
  async parseImageName(text: string): Promise<ImageReference> {
    const { transportName, rest } = splitImageName(text);
    let transport: Transport;
    try {
      transport = await this.get(transportName);
    } catch (error) {
      if (error instanceof UnknownTransportError) {
        throw new InvalidReferenceError(
          text,
          `Invalid image name "${text}", unknown transport "${transportName}"`,
          { cause: error },
        );
      }
      throw error;
    }
    return transport.parseReference(rest);
  }
}

/**
 * The canonical `transport:reference` text of a reference.
 *
 * @param reference Any image reference.
 * @returns `name:text`.
 */
export function formatImageName(reference: ImageReference): string {
  return `${reference.transport.name}:${reference.toString()}`;
}
