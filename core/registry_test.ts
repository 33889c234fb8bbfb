import assert from "node:assert/strict";
import {
  InvalidReferenceError,
  PluginLoadError,
  UnknownTransportError,
  UnsupportedTransportError,
} from "./errors.ts";
import {
  formatImageName,
  splitImageName,
  type TransportLoader,
  TransportRegistry,
  validateTransportModule,
} from "./registry.ts";
import {
  type ImageReference,
  type Transport,
  TRANSPORT_API_VERSION,
  type TransportModule,
} from "./transport.ts";

/** A transport whose references only remember their text. */
function textTransport(name: string): Transport {
  const transport: Transport = {
    apiVersion: TRANSPORT_API_VERSION,
    name,
    parseReference(text: string): ImageReference {
      if (text === "") throw new InvalidReferenceError(text, "empty reference");
      return {
        transport,
        toString: () => text,
        openSource: () => Promise.reject(new Error("not used")),
      };
    },
  };
  return transport;
}

/** A loader that counts its calls. */
function countingLoader(module: unknown): TransportLoader & { calls: number } {
  const loader = Object.assign(() => {
    loader.calls++;
    return Promise.resolve(module as TransportModule);
  }, { calls: 0 });
  return loader;
}

Deno.test("splitImageName() splits at the first colon", () => {
  assert.deepEqual(splitImageName("docker://busybox:latest"), {
    transportName: "docker",
    rest: "//busybox:latest",
  });
  assert.deepEqual(splitImageName("oci:/a:b"), {
    transportName: "oci",
    rest: "/a:b",
  });
  assert.deepEqual(splitImageName("dir:"), { transportName: "dir", rest: "" });
  // skopeo reports `:x` as an unknown transport "", not a missing colon.
  assert.deepEqual(splitImageName(":x"), { transportName: "", rest: "x" });
});

Deno.test("splitImageName() rejects a name without a transport with skopeo's text", () => {
  for (const text of ["foo", ""]) {
    assert.throws(
      () => splitImageName(text),
      (error: unknown) => {
        assert.ok(error instanceof InvalidReferenceError);
        assert.ok(error instanceof SyntaxError);
        assert.equal(error.input, text);
        assert.equal(
          error.message,
          `Invalid image name "${text}", expected colon-separated transport:reference`,
        );
        return true;
      },
    );
  }
});

Deno.test("TransportRegistry.parseImageName() reports unknown transports like skopeo", async () => {
  const registry = new TransportRegistry({
    loaders: { dir: countingLoader({ transport: textTransport("dir") }) },
  });
  for (const [text, name] of [["foo:bar", "foo"], [":foo", ""]] as const) {
    await assert.rejects(registry.parseImageName(text), (error: unknown) => {
      assert.ok(error instanceof InvalidReferenceError, String(error));
      assert.equal(
        error.message,
        `Invalid image name "${text}", unknown transport "${name}"`,
      );
      assert.ok(error.cause instanceof UnknownTransportError);
      assert.equal(error.cause.transportName, name);
      return true;
    });
  }
  await assert.rejects(
    registry.parseImageName("foo"),
    /expected colon-separated transport:reference/,
  );
});

Deno.test("TransportRegistry.parseImageName() hands the rest to the transport", async () => {
  const registry = new TransportRegistry({
    loaders: { dir: countingLoader({ transport: textTransport("dir") }) },
  });
  const reference = await registry.parseImageName("dir:/tmp/x:y");
  assert.equal(reference.toString(), "/tmp/x:y");
  assert.equal(formatImageName(reference), "dir:/tmp/x:y");
  await assert.rejects(registry.parseImageName("dir:"), /empty reference/);
});

Deno.test("TransportRegistry loads a transport on first get() only, once", async () => {
  const dir = countingLoader({ transport: textTransport("dir") });
  const oci = countingLoader({ transport: textTransport("oci") });
  const registry = new TransportRegistry({ loaders: { dir, oci } });
  assert.equal(registry.has("dir"), true);
  assert.deepEqual(registry.names(), ["dir", "oci"]);
  assert.equal(dir.calls + oci.calls, 0);
  const [a, b] = await Promise.all([registry.get("dir"), registry.get("dir")]);
  assert.equal(a, b);
  assert.equal(a.name, "dir");
  await registry.parseImageName("dir:x");
  assert.equal(dir.calls, 1);
  assert.equal(oci.calls, 0);
});

Deno.test("TransportRegistry.names() is sorted, deduplicated and loads nothing", () => {
  const loaders = {
    zeta: countingLoader({ transport: textTransport("zeta") }),
    alpha: countingLoader({ transport: textTransport("alpha") }),
  };
  const registry = new TransportRegistry({
    loaders,
    unsupported: { ostree: "no libostree", alpha: "shadowed by the loader" },
  });
  registry.add(textTransport("mid"));
  assert.deepEqual(registry.names(), ["alpha", "mid", "ostree", "zeta"]);
  assert.equal(loaders.zeta.calls + loaders.alpha.calls, 0);
});

Deno.test("TransportRegistry.get() refuses unknown and unsupported names", async () => {
  const registry = new TransportRegistry({
    loaders: { dir: countingLoader({ transport: textTransport("dir") }) },
    unsupported: { ostree: "needs libostree" },
  });
  await assert.rejects(registry.get("ostree"), (error: unknown) => {
    assert.ok(error instanceof UnsupportedTransportError);
    assert.equal(error.transportName, "ostree");
    assert.match(error.message, /needs libostree/);
    return true;
  });
  // An unsupported name still parses as a transport name (not "unknown").
  await assert.rejects(
    registry.parseImageName("ostree:x"),
    UnsupportedTransportError,
  );
  await assert.rejects(registry.get("nope"), (error: unknown) => {
    assert.ok(error instanceof UnknownTransportError);
    assert.equal(error.transportName, "nope");
    assert.match(error.message, /dir, ostree/);
    return true;
  });
});

Deno.test("TransportRegistry.get() turns bad modules into PluginLoadError", async () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ["empty", {}, /no named export "transport"/],
    ["dflt", { default: textTransport("dflt") }, /no named export "transport"/],
    [
      "old",
      { transport: { ...textTransport("old"), apiVersion: 0 } },
      /transport API version 0 is not supported \(this build implements 1\)/,
    ],
    [
      "noparse",
      { transport: { apiVersion: 1, name: "noparse" } },
      /parseReference is missing/,
    ],
    [
      "named",
      { transport: textTransport("other") },
      /declares transport "other"/,
    ],
    [
      "Bad",
      { transport: textTransport("Bad") },
      /invalid transport name "Bad"/,
    ],
  ];
  const loaders = Object.fromEntries(
    cases.map(([name, module]) => [name, countingLoader(module)]),
  );
  const registry = new TransportRegistry({ loaders });
  for (const [name, , message] of cases) {
    await assert.rejects(registry.get(name), (error: unknown) => {
      assert.ok(error instanceof PluginLoadError, `${name}: ${error}`);
      assert.equal(error.specifier, name);
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("TransportRegistry.get() passes on a loader's own failure", async () => {
  const failure = new Error("import failed");
  const registry = new TransportRegistry({
    loaders: { dir: () => Promise.reject(failure) },
  });
  await assert.rejects(registry.get("dir"), (error) => error === failure);
});

Deno.test("TransportRegistry.add() registers a transport and refuses duplicates", async () => {
  const registry = new TransportRegistry({
    loaders: { dir: countingLoader({ transport: textTransport("dir") }) },
    unsupported: { ostree: "n/a" },
  });
  const memory = textTransport("memory");
  registry.add(memory);
  assert.equal(await registry.get("memory"), memory);
  assert.equal((await registry.parseImageName("memory:x")).transport, memory);
  for (const name of ["memory", "dir", "ostree"]) {
    assert.throws(() => registry.add(textTransport(name)), (error: unknown) => {
      assert.ok(error instanceof PluginLoadError);
      assert.match(error.message, new RegExp(`"${name}" already exists`));
      return true;
    });
  }
  assert.throws(
    () => registry.add({ ...textTransport("x"), apiVersion: 2 as 1 }),
    PluginLoadError,
  );
});

Deno.test("validateTransportModule() returns the transport of a good module", () => {
  const transport = textTransport("good-1");
  assert.equal(validateTransportModule({ transport }, "/p.js"), transport);
  assert.throws(() => validateTransportModule(undefined, "/p.js"), {
    message:
      'Cannot load transport plugin "/p.js": the module has no named export "transport"',
  });
  assert.throws(
    () => validateTransportModule({ transport: textTransport("a:b") }, "/p.js"),
    /invalid transport name "a:b"/,
  );
});
