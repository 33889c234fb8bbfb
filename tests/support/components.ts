/**
 * Tests that need a real component (skopeo, docker-registry, umoci…) declare
 * it here. When one is missing the test is skipped with a loud reason, except
 * under `CI=true`, where it fails instead: CI installs every component.
 *
 * @module
 */

const found = new Map<string, boolean>();

/** Whether an executable is on PATH. */
export function hasCommand(command: string): boolean {
  let known = found.get(command);
  if (known === undefined) {
    known = false;
    for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
      if (!dir) continue;
      try {
        const info = Deno.statSync(`${dir}/${command}`);
        if (info.isFile && ((info.mode ?? 0o111) & 0o111)) {
          known = true;
          break;
        }
      } catch {
        // not in this directory
      }
    }
    found.set(command, known);
  }
  return known;
}

/** Whether the run is CI's (`CI=true`): missing components fail there. */
export function isCi(): boolean {
  return Deno.env.get("CI") === "true";
}

/** A test that needs real components. */
export interface ComponentTestDefinition {
  /** Test name. */
  name: string;
  /** Executables the test needs on PATH. */
  components: readonly string[];
  /** The test body. */
  fn: (t: Deno.TestContext) => void | Promise<void>;
  /** Passed through to Deno.test. */
  sanitizeResources?: boolean;
  /** Passed through to Deno.test. */
  sanitizeOps?: boolean;
}

/**
 * Registers a test that runs only when its components exist: skipped with a
 * reason otherwise, and failing under CI=true.
 */
export function componentTest(definition: ComponentTestDefinition): void {
  const missing = definition.components.filter((c) => !hasCommand(c));
  const options: Deno.TestDefinition = {
    name: definition.name,
    fn: definition.fn,
    sanitizeResources: definition.sanitizeResources ?? true,
    sanitizeOps: definition.sanitizeOps ?? true,
  };
  if (missing.length > 0) {
    const reason = `needs ${missing.join(", ")} (not on PATH)`;
    if (isCi()) {
      options.fn = () => {
        throw new Error(`${definition.name}: ${reason}; CI must install it`);
      };
    } else {
      console.error(`SKIP "${definition.name}": ${reason}`);
      options.ignore = true;
    }
  }
  Deno.test(options);
}
