import Link from "next/link";
import { Logo } from "../components/Logo";

export default function NotFound() {
  return (
    <div className="landing" style={{ display: "grid", placeItems: "center", padding: 24 }}>
      <main className="card" style={{ maxWidth: 440, width: "100%", padding: 32, display: "grid", gap: 16, textAlign: "center", justifyItems: "center" }}>
        <Logo />
        <p className="page-eyebrow">Error 404</p>
        <h1 className="page-title">This page doesn&apos;t exist</h1>
        <p className="muted">The link may be old, or the page may have moved.</p>
        <Link href="/" className="btn btn-primary">
          Back to Pulse
        </Link>
      </main>
    </div>
  );
}
