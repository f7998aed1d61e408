// Shown while a console page renders on the server.
export default function ConsoleLoading() {
  return (
    <p role="status" className="py-12 text-sm text-slate-500">
      Loading…
    </p>
  );
}
