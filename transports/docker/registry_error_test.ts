import assert from "node:assert/strict";
import {
  isManifestRejection,
  parseErrorBody,
  readErrorResponse,
  redactUrl,
  RegistryError,
  registryErrorFromResponse,
  statusErrorFromResponse,
  TooManyRequestsError,
  UnauthorizedError,
} from "./registry_error.ts";

const request = {
  method: "GET",
  url: "http://127.0.0.1:5000/v2/a/b/manifests/latest",
  context: "reading manifest latest in 127.0.0.1:5000/a/b",
};

function response(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(
    typeof body === "string" ? body : JSON.stringify(body),
    { status, headers },
  );
}

Deno.test("registryErrorFromResponse() words errors like skopeo", async () => {
  const cases: [Response, string, typeof RegistryError][] = [
    [
      response(404, {
        errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }],
      }),
      "reading manifest latest in 127.0.0.1:5000/a/b: manifest unknown: manifest unknown",
      RegistryError,
    ],
    [
      response(401, {
        errors: [{
          code: "UNAUTHORIZED",
          message: "authentication required",
          detail: [{ Type: "repository" }],
        }],
      }),
      "reading manifest latest in 127.0.0.1:5000/a/b: unauthorized: authentication required",
      UnauthorizedError,
    ],
    [
      response(401, ""),
      "reading manifest latest in 127.0.0.1:5000/a/b: unauthorized: authentication required",
      UnauthorizedError,
    ],
    [
      response(403, "", {
        "www-authenticate":
          'Bearer realm="r",error="insufficient_scope",error_description="no push"',
      }),
      "reading manifest latest in 127.0.0.1:5000/a/b: denied: no push",
      RegistryError,
    ],
    [
      response(
        400,
        "<html>not json at all, and a long page of it too........</html>",
      ),
      "reading manifest latest in 127.0.0.1:5000/a/b: StatusCode: 400, <html>not json at all, and a long page of it too.....",
      RegistryError,
    ],
    [
      response(500, "oops"),
      "reading manifest latest in 127.0.0.1:5000/a/b: received unexpected HTTP status: 500 Internal Server Error",
      RegistryError,
    ],
    [
      response(400, {
        errors: [
          { code: "WEIRD_CODE", message: "odd" },
          { code: "name_invalid", message: "" },
        ],
      }),
      "reading manifest latest in 127.0.0.1:5000/a/b: unknown: odd; name invalid: invalid repository name",
      RegistryError,
    ],
    [
      response(429, { errors: [{ code: "TOOMANYREQUESTS", message: "slow" }] }),
      "reading manifest latest in 127.0.0.1:5000/a/b: toomanyrequests: slow",
      TooManyRequestsError,
    ],
  ];
  for (const [res, message, kind] of cases) {
    const error = await registryErrorFromResponse(res, request);
    assert.equal(error.message, message);
    assert.ok(error instanceof kind, message);
    assert.equal(error.method, "GET");
    assert.ok(!error.message.includes("\n"));
  }
});

Deno.test("statusErrorFromResponse() words status errors like skopeo", async () => {
  const tags = { ...request, context: "fetching tags list" };
  assert.equal(
    (await statusErrorFromResponse(response(404, {}), tags)).message,
    "fetching tags list: invalid status code from registry 404 (Not Found)",
  );
  const unauthorized = await statusErrorFromResponse(
    response(401, {
      errors: [{ code: "UNAUTHORIZED", message: "authentication required" }],
    }),
    tags,
  );
  assert.ok(unauthorized instanceof UnauthorizedError);
  assert.equal(
    unauthorized.message,
    "unable to retrieve auth token: invalid username/password: unauthorized: authentication required",
  );
  const busy = await statusErrorFromResponse(response(429, ""), tags);
  assert.ok(busy instanceof TooManyRequestsError && busy.temporary);
});

Deno.test("RegistryError marks temporary failures", async () => {
  for (
    const [status, temporary] of [[502, true], [503, true], [500, false], [
      404,
      false,
    ]] as const
  ) {
    const error = await registryErrorFromResponse(
      response(status, ""),
      request,
    );
    assert.equal(error.temporary, temporary, String(status));
  }
  const unavailable = await registryErrorFromResponse(
    response(500, { errors: [{ code: "UNAVAILABLE", message: "later" }] }),
    request,
  );
  assert.ok(unavailable.temporary);
});

Deno.test("redactUrl() hides credentials and secret query values", () => {
  assert.equal(
    redactUrl(
      "https://user:pw@r.example/v2/a/blobs/uploads/x?_state=SECRET&digest=sha256:1",
    ),
    "https://r.example/v2/a/blobs/uploads/x?_state=REDACTED&digest=sha256%3A1",
  );
  assert.equal(redactUrl("not a url?token=x"), "not a url?REDACTED");
  const error = new RegistryError({
    status: 400,
    method: "PUT",
    url: "https://s3.example/blob?X-Amz-Signature=abc",
    message: "m",
  });
  assert.ok(!error.url.includes("abc"));
});

Deno.test("parseErrorBody() reads spec and legacy bodies", () => {
  assert.deepEqual(
    parseErrorBody('{"errors":[{"code":"BLOB_UNKNOWN","detail":"sha256:1"}]}'),
    [{
      code: "BLOB_UNKNOWN",
      message: "blob unknown to registry",
      detail: "sha256:1",
    }],
  );
  assert.deepEqual(parseErrorBody('{"details":"old style"}'), [{
    code: "",
    message: "old style",
  }]);
  assert.equal(parseErrorBody('{"errors":[]}'), undefined);
  assert.equal(parseErrorBody("nope"), undefined);
});

Deno.test("isManifestRejection() recognises type rejections", async () => {
  const invalid = await registryErrorFromResponse(
    response(400, {
      errors: [{ code: "MANIFEST_INVALID", message: "manifest invalid" }],
    }),
    request,
  );
  assert.ok(isManifestRejection(invalid));
  assert.ok(
    isManifestRejection(
      await registryErrorFromResponse(response(415, ""), request),
    ),
  );
  assert.ok(
    !isManifestRejection(
      await registryErrorFromResponse(
        response(400, { errors: [{ code: "BLOB_UNKNOWN" }] }),
        request,
      ),
    ),
  );
  assert.ok(!isManifestRejection(new Error("x")));
});

Deno.test("readErrorResponse() reads at most 64 KiB of a body", async () => {
  const big = "x".repeat(10 * 1024 * 1024);
  const read = await readErrorResponse(response(500, big));
  assert.equal(read.status, 500);
});
