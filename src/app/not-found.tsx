import Link from "next/link";
import { Logo } from "@/components/Logo";
import { buttonClass, Card, cx, ui } from "@/components/ui";
import styles from "./landing.module.css";

export default function NotFound() {
  return (
    <div className={cx(styles.landing, styles.centered)}>
      <Card as="main" className={cx(styles.notice, styles.noticeNarrow)}>
        <Logo />
        <p className={ui.pageEyebrow}>Error 404</p>
        <h1 className={ui.pageTitle}>This page doesn&apos;t exist</h1>
        <p className="muted">The link may be old, or the page may have moved.</p>
        <Link href="/" className={buttonClass({ variant: "primary" })}>
          Back to Pulse
        </Link>
      </Card>
    </div>
  );
}
