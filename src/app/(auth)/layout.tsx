import type { ReactNode } from "react";
import { Logo } from "@/components/Logo";
import { ThemeToggle } from "@/components/ThemeToggle";
import { AuthAside } from "@/components/AuthAside";
import { MaintenanceNotice } from "@/components/system/MaintenanceNotice";
import styles from "./auth.module.css";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className={styles.auth}>
      <div className={styles.main}>
        <MaintenanceNotice />
        <div className={styles.top}>
          <Logo />
          <ThemeToggle />
        </div>
        <main className={styles.formWrap} id="content">
          {children}
        </main>
        <p className={styles.foot}>© {new Date().getFullYear()} Pulse · Live sessions, realtime by design.</p>
      </div>
      <AuthAside />
    </div>
  );
}
