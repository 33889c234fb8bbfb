import assert from "node:assert/strict";
import {
  CertificateDirectoryError,
  loadCertDir,
  tlsMaterialForHost,
} from "./tls.ts";

Deno.test("loadCertDir() reads CAs and a client pair", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/b.crt`, "CA-B");
  await Deno.writeTextFile(`${dir}/a.crt`, "CA-A");
  await Deno.writeTextFile(`${dir}/client.cert`, "CERT");
  await Deno.writeTextFile(`${dir}/client.key`, "KEY");
  await Deno.writeTextFile(`${dir}/README`, "ignored");
  assert.deepEqual(await loadCertDir(dir), {
    caCerts: ["CA-A", "CA-B"],
    cert: "CERT",
    key: "KEY",
    dir,
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadCertDir() rejects unpaired client files like containers/image", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/client.cert`, "CERT");
  await assert.rejects(
    loadCertDir(dir),
    (e) =>
      e instanceof CertificateDirectoryError &&
      e.message ===
        "missing key client.key for client certificate client.cert. Note that CA certificates should use the extension .crt",
  );
  await Deno.rename(`${dir}/client.cert`, `${dir}/other.key`);
  await assert.rejects(
    loadCertDir(dir),
    /missing client certificate other\.cert for key other\.key/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("tlsMaterialForHost() prefers --cert-dir, then the first existing root", async () => {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(`${root}/one/reg.example:5000`, { recursive: true });
  await Deno.mkdir(`${root}/two/reg.example:5000`, { recursive: true });
  await Deno.mkdir(`${root}/explicit`);
  await Deno.writeTextFile(`${root}/one/reg.example:5000/ca.crt`, "ONE");
  await Deno.writeTextFile(`${root}/two/reg.example:5000/ca.crt`, "TWO");
  await Deno.writeTextFile(`${root}/explicit/ca.crt`, "EXPLICIT");
  const roots = [`${root}/missing`, `${root}/one`, `${root}/two`];
  assert.deepEqual(
    (await tlsMaterialForHost("reg.example:5000", { certsRoots: roots }))
      .caCerts,
    ["ONE"],
  );
  assert.deepEqual(
    (await tlsMaterialForHost("reg.example:5000", {
      certsRoots: roots,
      certDir: `${root}/explicit`,
    })).caCerts,
    ["EXPLICIT"],
  );
  assert.deepEqual(
    (await tlsMaterialForHost("other.example", { certsRoots: roots })).caCerts,
    [],
  );
  await Deno.remove(root, { recursive: true });
});
