import type { Metadata } from "next";
import { headers } from "next/headers";
import "./globals.css";

export const metadata: Metadata = {
  title: "Tessera",
  description: "Self-hosted token service for APIs and MQTT",
};

export default async function RootLayout({ children }: Readonly<{ children: React.ReactNode }>) {
  // Every page is rendered per request: a prerendered page's scripts carry no nonce, and the
  // Content-Security-Policy (lib/auth/csp.ts) would block them all (the start page and the 404 did).
  await headers();
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">{children}</body>
    </html>
  );
}
