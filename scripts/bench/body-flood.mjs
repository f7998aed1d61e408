// node scripts/bench/body-flood.mjs BASE ADMIN_TOKEN - a running server's RSS (from /api/metrics) before and
// after 30 parallel 9.9 MB POSTs to /api/me without a token, and the statuses they got (issue 14, point 3).
import http from "node:http";
const [base, token] = process.argv.slice(2);
const rss = async () =>
  (await (await fetch(`${base}/api/metrics`, { headers: { authorization: `Bearer ${token}` } })).json()).rssBytes;
const body = Buffer.alloc(9.9 * 1024 * 1024, 0x20);
const url = new URL(base);
const post = () =>
  new Promise((resolve) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: "/api/me",
        method: "POST",
        headers: { "content-type": "application/json", "content-length": body.length },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode);
      },
    );
    req.on("error", () => resolve("reset"));
    req.end(body);
  });
const before = await rss();
const statuses = await Promise.all(Array.from({ length: 30 }, post));
await new Promise((r) => setTimeout(r, 1000));
const after = await rss();
console.log(
  JSON.stringify({
    statuses: [...new Set(statuses)],
    beforeMB: Math.round(before / 1048576),
    afterMB: Math.round(after / 1048576),
  }),
);
