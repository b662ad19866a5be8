"use client";
import Link from "next/link";
import type { MaintenanceState } from "@/shared/system";
import { AlertIcon } from "../icons";
import { cx } from "../ui";
import styles from "./MaintenanceBanner.module.css";

/**
 * The strip across the top of every page while maintenance mode is on: what it means for the
 * reader (an admin may still change things), and the admin's message.
 */
export function MaintenanceBanner({ state, audience, inset = false }: { state: MaintenanceState | null; audience: "admin" | "member" | "visitor"; inset?: boolean }) {
  // An always-present live region: the banner is announced when it appears, not only on load.
  return (
    <div role="status" aria-live="polite" className={styles.region}>
      {state?.on ? (
        <div className={cx(styles.banner, inset && styles.inset)} data-testid="maintenance-banner">
          <AlertIcon size={17} />
          <p className={styles.text}>
            <strong>Maintenance mode.</strong>{" "}
            {audience === "admin"
              ? "Everyone else's changes are paused; as an admin you can still make them."
              : audience === "visitor"
                ? "Signing in works; new accounts and changes wait until it ends."
                : "Changes are paused until it ends; you can still look around."}
            {state.message ? <span className={styles.message}> {state.message}</span> : null}
          </p>
          {audience === "admin" ? (
            <Link href="/admin" className={styles.link}>
              Manage
            </Link>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
