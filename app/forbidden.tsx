import Link from "next/link";

// The 403 page (next/navigation forbidden()).
export default function Forbidden() {
  return (
    <main className="mx-auto flex min-h-[60vh] max-w-xl flex-col justify-center gap-4 px-6">
      <p className="text-sm font-semibold text-indigo-600">403</p>
      <h1 className="text-3xl font-semibold tracking-tight">You do not have access to this page</h1>
      <p className="text-slate-600">Your role does not include this page. Ask an administrator if you need it.</p>
      <Link href="/" className="text-sm font-medium text-indigo-700 underline underline-offset-2">
        Back to the start page
      </Link>
    </main>
  );
}
