import assert from "node:assert/strict";
import { digestOf } from "../core/digest.ts";
import { componentTest } from "../tests/support/components.ts";
import { makeTempDir } from "../tests/support/temp_dir.ts";
import {
  collect,
  readTarFile,
  scanTar,
  type TarMember,
} from "./tar_members.ts";

componentTest({
  name: "scanTar() reads GNU tar's members, long names and content",
  components: ["tar"],
  async fn() {
    await using dir = await makeTempDir("bench-tar-");
    const long = `${"d".repeat(120)}/${"f".repeat(110)}.bin`;
    await Deno.mkdir(dir.join("src", "d".repeat(120)), { recursive: true });
    const big = new Uint8Array(3_000_000);
    crypto.getRandomValues(big.subarray(0, 65536));
    await Deno.writeFile(dir.join("src", long), big);
    await Deno.writeTextFile(dir.join("src", "small.json"), '{"a":1}');
    await Deno.symlink("small.json", dir.join("src", "link"));
    for (const format of ["gnu", "posix"]) {
      const tar = dir.join(`${format}.tar`);
      const out = await new Deno.Command("tar", {
        args: [
          `--format=${format}`,
          "-C",
          dir.join("src"),
          "-cf",
          tar,
          long,
          "small.json",
          "link",
        ],
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      const seen: TarMember[] = [];
      let bigDigest = "";
      await scanTar(tar, async (member, read) => {
        seen.push(member);
        if (member.name === long) bigDigest = digestOf(await collect(read()));
      });
      assert.deepEqual(seen.map((m) => [m.name, m.type, m.size]), [
        [long, "0", big.length],
        ["small.json", "0", 7],
        ["link", "2", 0],
      ], format);
      assert.equal(seen[2]!.linkName, "small.json");
      assert.equal(bigDigest, digestOf(big));
      const small = await readTarFile(tar, "small.json");
      assert.equal(new TextDecoder().decode(small), '{"a":1}');
      assert.equal(await readTarFile(tar, "absent"), undefined);
    }
  },
});

Deno.test("scanTar() rejects a truncated archive", async () => {
  await using dir = await makeTempDir("bench-tar-");
  await Deno.writeFile(dir.join("bad.tar"), new Uint8Array(100));
  await assert.rejects(
    () => scanTar(dir.join("bad.tar"), () => {}),
    /truncated/,
  );
});
