/**
 * `inspect --format TEMPLATE`: Go text/template output.
 *
 * @module
 */
import type { InspectInfo } from "../core/image/inspect.ts";

/**
 * Renders the inspect data through a Go template.
 *
 * @throws {Error} Until the template engine (issue #10) lands.
 */
export function renderInspectTemplate(
  _template: string,
  _info: InspectInfo,
): string {
  // TODO(#10): evaluate with core/template once it lands.
  throw new Error("inspect --format is not supported yet");
}
