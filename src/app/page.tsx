import Link from "next/link";
import { LandingActions, SignedInRedirect } from "@/components/LandingActions";
import { Logo } from "@/components/Logo";
import { ThemeToggle } from "@/components/ThemeToggle";
import { ActivityIcon, ChatIcon, FileIcon, GaugeIcon, KeyIcon, ShieldIcon, UsersIcon, WindIcon } from "@/components/icons";
import { Badge, buttonClass, Card, cx, layout } from "@/components/ui";
import shell from "@/components/AppShell.module.css";
import styles from "./landing.module.css";

/** What works today, the two biggest first (drawn wider): each is in the app after signing up. */
const TODAY = [
  {
    Icon: UsersIcon,
    title: "Live group sessions",
    text: "Meditation, breathing, stress check-ins and shared documents. See people arrive, chat, and follow the same server-kept timer to the second.",
  },
  {
    Icon: ChatIcon,
    title: "Chat with Claude",
    text: "Answers that stream in word by word, survive a dropped connection, and can be stopped mid-sentence. Conversations are kept.",
  },
  {
    Icon: FileIcon,
    title: "Documents in the background",
    text: "PDF reports, Word documents, CSV exports and page screenshots, made by a job queue you can follow live, ready to download or share.",
  },
  {
    Icon: ActivityIcon,
    title: "Live status and analytics",
    text: "Health checks that update on their own; traffic, latency percentiles and errors per route, live; and /health and /metrics for the operator's monitoring.",
  },
  {
    Icon: KeyIcon,
    title: "Typed from end to end",
    text: "Programs use the same typed API as the app, over HTTP and WebSocket, with personal API tokens you can revoke.",
  },
  {
    Icon: GaugeIcon,
    title: "Load tests from the browser",
    text: "Bounded load tests that admins start and stop from a page, with live percentiles, a grade for each run and a comparison with the last one.",
  },
  {
    Icon: ShieldIcon,
    title: "Safe to run",
    text: "Rate limits, origin checks and load shedding; maintenance mode, broadcasts to everyone signed in, and an audit log of who did what.",
  },
];

export default function Home() {
  return (
    <div className={styles.landing}>
      <SignedInRedirect />
      <header className={styles.nav}>
        <Logo />
        <div className={styles.navActions}>
          <span className={styles.navTheme}>
            <ThemeToggle />
          </span>
          <LandingActions />
        </div>
      </header>
      <main id="content">
        <section className={styles.hero} aria-labelledby="hero-title">
          <span className={styles.kicker}>
            <Badge tone="accent" className={styles.kickerBadge}>
              New
            </Badge>
            Realtime sessions, now in preview
          </span>
          <h1 id="hero-title">
            Stay in sync, <span className={styles.gradientText}>breathe together.</span>
          </h1>
          <p>
            Pulse is a realtime platform for live group sessions: meditate, breathe, check in or write together, and everyone
            sees the same moment at the same time. Reports, exports and page screenshots are made in the background while you
            work, and Claude answers your questions as it writes them.
          </p>
          <div className={styles.heroActions}>
            <Link href="/sign-up" className={buttonClass({ variant: "primary", size: "lg" })}>
              Create a free account
            </Link>
            <Link href="/sign-in" className={buttonClass({ size: "lg" })}>
              Sign in
            </Link>
          </div>
        </section>
        <div className={styles.shot} aria-hidden="true">
          <div className={styles.shotFrame}>
            <div className={styles.shotBar}>
              <span />
              <span />
              <span />
            </div>
            <div className={styles.shotBody}>
              <div className={styles.shotSide}>
                {["Sessions", "Chat", "Files", "Jobs", "Status"].map((label, i) => (
                  <div key={label} className={cx(shell.navItem, styles.shotNavItem)} aria-current={i === 0 ? "page" : undefined}>
                    {label}
                  </div>
                ))}
              </div>
              <div className={styles.shotMain}>
                <div className={styles.shotHead}>
                  <div className={styles.shotTitle}>
                    <strong>Morning breathing</strong>
                    <span className="subtle">
                      Box breathing · 4-4-4-4 · hosted by Ada
                    </span>
                  </div>
                  <Badge tone="success" dot>
                    Live · 12 here
                  </Badge>
                </div>
                <Card as="div" className={styles.shotPanel}>
                  <div className={styles.shotPhase}>
                    <span className={cx(styles.featureIcon, styles.shotPhaseIcon)}>
                      <WindIcon size={16} />
                    </span>
                    <strong>Inhale</strong>
                    <span className="subtle">3 s left</span>
                  </div>
                  <svg viewBox="0 0 400 60" preserveAspectRatio="none" className={styles.shotWave}>
                    <path
                      d="M0 50 L40 50 L70 10 L130 10 L160 50 L200 50 L230 10 L290 10 L320 50 L360 50 L390 10 L400 10"
                      fill="none"
                      stroke="var(--accent)"
                      strokeWidth="2.5"
                      strokeLinejoin="round"
                      vectorEffect="non-scaling-stroke"
                    />
                  </svg>
                </Card>
                <div className={cx(layout.grid3, styles.shotStats)}>
                  {[
                    ["Participants", "12"],
                    ["Round", "3 of 8"],
                    ["Health score", "100"],
                  ].map(([k, v]) => (
                    <Card as="div" key={k} className={styles.shotStat}>
                      <div className={cx("subtle", styles.shotStatLabel)}>{k}</div>
                      <div className={styles.shotStatValue}>{v}</div>
                    </Card>
                  ))}
                </div>
              </div>
            </div>
          </div>
        </div>
        <section className={cx(styles.features, styles.featuresToday)} aria-labelledby="today-title">
          <h2 className={styles.featuresTitle} id="today-title">
            Works today
          </h2>
          {TODAY.map(({ Icon, title, text }) => (
            <Card as="article" key={title} className={styles.feature}>
              <span className={styles.featureIcon}>
                <Icon size={19} />
              </span>
              <h3>{title}</h3>
              <p>{text}</p>
            </Card>
          ))}
        </section>
      </main>
      <footer className={styles.footer}>
        <span>Pulse · realtime by design</span>
        {/* On a phone the header has no room for it. */}
        <span className={styles.footerTheme}>
          <ThemeToggle />
        </span>
      </footer>
    </div>
  );
}
