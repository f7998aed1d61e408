import Link from "next/link";

// The 404 page, in the console's own styles (Next.js's default one uses inline styles, which the CSP refuses).
export default function NotFound() {
  return (
    <main className="mx-auto flex min-h-[60vh] max-w-xl flex-col justify-center gap-4 px-6">
      <p className="text-sm font-semibold text-indigo-600">404</p>
      <h1 className="text-3xl font-semibold tracking-tight">This page does not exist</h1>
      <Link href="/" className="text-sm font-medium text-indigo-700 underline underline-offset-2">
        Back to the start page
      </Link>
    </main>
  );
}
