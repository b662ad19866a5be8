import type { ReactNode } from "react";
import { Logo } from "../../components/Logo";
import { ThemeToggle } from "../../components/ThemeToggle";
import { AuthAside } from "../../components/AuthAside";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="auth">
      <div className="auth-main">
        <div className="auth-top">
          <Logo />
          <ThemeToggle />
        </div>
        <main className="auth-form-wrap" id="content">
          {children}
        </main>
        <p className="auth-foot">© {new Date().getFullYear()} Pulse · Live sessions, realtime by design.</p>
      </div>
      <AuthAside />
    </div>
  );
}
