"use client";
import Link from "next/link";
import { useId } from "react";
import styles from "./Logo.module.css";

/** Pulse's mark: a heartbeat line across a rounded violet-to-pink tile. */
export function LogoMark({ size = 28 }: { size?: number }) {
  const id = useId().replace(/:/g, "");
  return (
    <svg className={styles.mark} width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <defs>
        <linearGradient id={`pulse-g-${id}`} x1="0" y1="0" x2="32" y2="32" gradientUnits="userSpaceOnUse">
          <stop offset="0" stopColor="#6d5dfc" />
          <stop offset="0.55" stopColor="#8b5cf6" />
          <stop offset="1" stopColor="#ec4899" />
        </linearGradient>
      </defs>
      <rect width="32" height="32" rx="9" fill={`url(#pulse-g-${id})`} />
      <path
        d="M5.5 17h4.2l2.4-6.2 4.3 11.4 3-8 1.7 2.8h5.4"
        fill="none"
        stroke="#fff"
        strokeWidth="2.5"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}

export function Logo({ href = "/", size = 28 }: { href?: string; size?: number }) {
  return (
    <Link href={href} className={styles.logo} aria-label="Pulse home">
      <LogoMark size={size} />
      <span>Pulse</span>
    </Link>
  );
}
