import assert from "node:assert/strict";
import { componentTest } from "../../tests/support/components.ts";
import { Crc64 } from "./crc64.ts";
import {
  assembleTar,
  disassembleTar,
  readTarSplit,
  TarSplitEncoder,
  type TarSplitEntry,
} from "./tar_split.ts";

function gzipLines(text: string): ReadableStream<Uint8Array> {
  return new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

Deno.test("Crc64 matches Go's crc64.ISO check value", () => {
  const crc = new Crc64();
  crc.update(new TextEncoder().encode("12345"));
  crc.update(new TextEncoder().encode("6789"));
  assert.equal(crc.hex(), "b90956c775a41001");
  assert.equal(new Crc64().hex(), "0000000000000000");
});

Deno.test("readTarSplit() reads the lines containers/storage writes", async () => {
  // Lines as skopeo 1.9.3 wrote them for a layer with one file.
  const text = '{"type":2,"payload":"AAE=","position":0}\n' +
    '{"type":1,"name":"etc/","payload":null,"position":1}\n' +
    '{"type":1,"name":"etc/os-release","size":45,"payload":"MOArJgTgGPg=","position":2}\n' +
    '{"type":2,"payload":"","position":3}\n';
  const entries = await collect(readTarSplit(gzipLines(text)));
  assert.equal(entries.length, 4);
  assert.deepEqual(entries[0], {
    type: 2,
    payload: new Uint8Array([0, 1]),
    position: 0,
  });
  assert.deepEqual(entries[1], {
    type: 1,
    name: "etc/",
    size: 0,
    payload: null,
    position: 1,
  });
  const file = entries[2] as TarSplitEntry & { type: 1 };
  assert.equal(file.size, 45);
  assert.deepEqual(
    file.payload,
    new Uint8Array([0x30, 0xe0, 0x2b, 0x26, 0x04, 0xe0, 0x18, 0xf8]),
  );
});

Deno.test("readTarSplit() rejects an unknown entry type", async () => {
  await assert.rejects(
    collect(readTarSplit(gzipLines('{"type":7,"position":0}\n'))),
    /unknown entry type 7/,
  );
});

Deno.test("TarSplitEncoder writes Go's field order and omissions", () => {
  const enc = new TarSplitEncoder();
  assert.equal(
    enc.segment(new Uint8Array([255])),
    '{"type":2,"payload":"/w==","position":0}\n',
  );
  assert.equal(
    enc.file("a/", 0, null),
    '{"type":1,"name":"a/","payload":null,"position":1}\n',
  );
  assert.equal(
    enc.file("a/b", 3, new Uint8Array(8)),
    '{"type":1,"name":"a/b","size":3,"payload":"AAAAAAAAAAA=","position":2}\n',
  );
});

async function makeTar(dir: string): Promise<Uint8Array> {
  const script = `
    mkdir -p t/${"d".repeat(90)}/${"e".repeat(40)} && cd t
    printf 'x%.0s' $(seq 1 1500) > ${"d".repeat(90)}/${
    "e".repeat(40)
  }/long-name-file
    : > empty; printf hello > small; ln small hard; ln -s small soft
    tar --format=gnu -cf ../gnu.tar . && tar --format=pax -cf ../pax.tar .`;
  const { code, stderr } = await new Deno.Command("sh", {
    args: ["-euc", script],
    cwd: dir,
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return await Deno.readFile(`${dir}/gnu.tar`);
}

/** Splits `tar`, keeping bodies in memory, and returns the lines and bodies. */
async function split(tar: Uint8Array) {
  const bodies = new Map<string, Uint8Array>();
  let lines = "";
  const { size } = await disassembleTar(new Blob([tar as BlobPart]).stream(), {
    onLine: (line) => {
      lines += line;
    },
    async onMember({ header, body }) {
      if (header.type !== "file") return;
      const chunks: Uint8Array[] = [];
      for await (const chunk of body) chunks.push(chunk.slice());
      bodies.set(
        header.name,
        new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer()),
      );
    },
  });
  return { lines, bodies, size };
}

for (const format of ["gnu", "pax"]) {
  componentTest({
    name:
      `disassembleTar() and assembleTar() give back a ${format} tar byte for byte`,
    components: ["tar"],
    async fn() {
      const dir = await Deno.makeTempDir();
      try {
        await makeTar(dir);
        const tar = await Deno.readFile(`${dir}/${format}.tar`);
        const { lines, bodies, size } = await split(tar);
        assert.equal(size, tar.length);
        assert.equal(bodies.size, 3); // long-name-file, empty, small
        const open = (name: string) => {
          const body = bodies.get(name.replace(/^\.\//, ""));
          assert.ok(body, name);
          return Promise.resolve(new Blob([body as BlobPart]).stream());
        };
        const rebuilt = await new Response(
          assembleTar(readTarSplit(gzipLines(lines)), open),
        ).bytes();
        assert.deepEqual(rebuilt, tar);
        // A changed file is caught by its checksum.
        const key = [...bodies.keys()].find((k) => k.endsWith("small"))!;
        bodies.set(key, new TextEncoder().encode("HELLO"));
        await assert.rejects(
          new Response(assembleTar(readTarSplit(gzipLines(lines)), open))
            .bytes(),
          /file integrity checksum failed/,
        );
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

Deno.test("disassembleTar() rejects a truncated tar", async () => {
  const header = new Uint8Array(512);
  header.set(new TextEncoder().encode("f"), 0);
  header.set(new TextEncoder().encode("0000644\0"), 100);
  header.set(new TextEncoder().encode("00000001000\0"), 124); // 512 bytes
  header[156] = 0x30;
  header.set(new TextEncoder().encode("        "), 148);
  const sum = header.reduce((a, b) => a + b, 0);
  header.set(
    new TextEncoder().encode(sum.toString(8).padStart(6, "0") + "\0 "),
    148,
  );
  const truncated = new Uint8Array([...header, ...new Uint8Array(100)]);
  await assert.rejects(
    disassembleTar(new Blob([truncated]).stream(), {
      onLine: () => {},
      onMember: async ({ body }) => {
        for await (const _ of body) { /* read */ }
      },
    }),
    /truncated/,
  );
});
