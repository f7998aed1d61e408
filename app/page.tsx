import packageJson from "../package.json" with { type: "json" };

// GET / - names the product and its version, and links to the console and health.
export default function HomePage() {
  return (
    <main className="mx-auto flex min-h-screen max-w-2xl flex-col justify-center gap-6 px-6">
      <div>
        <h1 className="text-4xl font-semibold tracking-tight">Tessera</h1>
        <p className="mt-2 text-slate-600">
          Self-hosted tokens for machines: application tokens for the REST API, short-lived MQTT credentials, and device
          tokens over MQTT.
        </p>
      </div>
      <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
        <dt className="font-medium text-slate-500">Version</dt>
        <dd data-testid="version" className="font-mono">
          {packageJson.version}
        </dd>
        <dt className="font-medium text-slate-500">Console</dt>
        <dd>
          <a className="text-indigo-700 underline underline-offset-2" href="/tokens">
            App Tokens
          </a>{" "}
          <span className="text-slate-500">(sign-in required)</span>
        </dd>
        <dt className="font-medium text-slate-500">Health</dt>
        <dd>
          <a className="font-mono text-indigo-700 underline underline-offset-2" href="/api/health">
            /api/health
          </a>
        </dd>
      </dl>
    </main>
  );
}
