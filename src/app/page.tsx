import Link from "next/link";
import { LandingActions, SignedInRedirect } from "../components/LandingActions";
import { Logo } from "../components/Logo";
import { ThemeToggle } from "../components/ThemeToggle";
import { ActivityIcon, ChatIcon, FileIcon, GaugeIcon, KeyIcon, UsersIcon, WindIcon } from "../components/icons";

/** What works today: each links to nothing here, but each is in the app after signing up. */
const TODAY = [
  {
    Icon: UsersIcon,
    title: "Live group sessions",
    text: "Meditation, breathing, stress check-ins and shared documents. See people arrive, chat, and follow the same server-kept timer to the second.",
  },
  {
    Icon: ActivityIcon,
    title: "Live status",
    text: "Health checks that update on their own, and /health and /metrics for the operator's monitoring.",
  },
  {
    Icon: KeyIcon,
    title: "Typed from end to end",
    text: "Programs use the same typed API as the app, over HTTP and WebSocket, with personal API tokens you can revoke.",
  },
];

/** What is being built: shown as such, so nobody signs up for something that is not there yet. */
const NEXT = [
  {
    Icon: ChatIcon,
    title: "Chat with Claude",
    text: "Answers that stream in word by word, survive a dropped connection, and can be stopped mid-sentence.",
  },
  {
    Icon: FileIcon,
    title: "Documents in the background",
    text: "PDF reports, Word documents, CSV exports and page screenshots, made by a job queue and ready to download.",
  },
  {
    Icon: GaugeIcon,
    title: "Analytics and load tests",
    text: "Latency percentiles and error rates per route, and bounded load tests admins run from the browser.",
  },
];

export default function Home() {
  return (
    <div className="landing">
      <SignedInRedirect />
      <header className="landing-nav">
        <Logo />
        <div className="landing-nav-actions">
          <span className="landing-nav-theme">
            <ThemeToggle />
          </span>
          <LandingActions />
        </div>
      </header>
      <main id="content">
        <section className="hero" aria-labelledby="hero-title">
          <span className="hero-kicker">
            <span className="badge badge-accent">New</span>
            Realtime sessions, now in preview
          </span>
          <h1 id="hero-title">
            Stay in sync, <span className="gradient-text">breathe together.</span>
          </h1>
          <p>
            Pulse is a realtime platform for live group sessions: meditate, breathe, check in or write together, and everyone
            sees the same moment at the same time. Conversations with Claude and generated documents are coming next.
          </p>
          <div className="hero-actions">
            <Link href="/sign-up" className="btn btn-primary btn-lg">
              Create a free account
            </Link>
            <Link href="/sign-in" className="btn btn-lg">
              Sign in
            </Link>
          </div>
        </section>
        <div className="hero-shot" aria-hidden="true">
          <div className="hero-shot-frame">
            <div className="hero-shot-bar">
              <span />
              <span />
              <span />
            </div>
            <div className="hero-shot-body">
              <div className="hero-shot-side">
                {["Sessions", "Chat", "Files & jobs", "Analytics", "Status"].map((label, i) => (
                  <div key={label} className="nav-item" aria-current={i === 0 ? "page" : undefined} style={{ height: 30 }}>
                    {label}
                  </div>
                ))}
              </div>
              <div className="hero-shot-main">
                <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center" }}>
                  <div style={{ display: "grid", gap: 4 }}>
                    <strong style={{ fontSize: 16 }}>Morning breathing</strong>
                    <span className="subtle" style={{ fontSize: 13 }}>
                      Box breathing · 4-4-4-4 · hosted by Ada
                    </span>
                  </div>
                  <span className="badge badge-success badge-dot">Live · 12 here</span>
                </div>
                <div className="card" style={{ padding: 18, display: "grid", gap: 12, boxShadow: "none" }}>
                  <div style={{ display: "flex", alignItems: "center", gap: 10 }}>
                    <span className="feature-icon" style={{ width: 32, height: 32 }}>
                      <WindIcon size={16} />
                    </span>
                    <strong>Inhale</strong>
                    <span className="subtle">3 s left</span>
                  </div>
                  <svg viewBox="0 0 400 60" preserveAspectRatio="none" style={{ width: "100%", height: 56, display: "block" }}>
                    <path
                      d="M0 50 L40 50 L70 10 L130 10 L160 50 L200 50 L230 10 L290 10 L320 50 L360 50 L390 10 L400 10"
                      fill="none"
                      stroke="var(--accent)"
                      strokeWidth="2.5"
                      strokeLinejoin="round"
                      vectorEffect="non-scaling-stroke"
                    />
                  </svg>
                </div>
                <div className="grid-3" style={{ gap: 10 }}>
                  {[
                    ["Participants", "12"],
                    ["Round", "3 of 8"],
                    ["Health score", "100"],
                  ].map(([k, v]) => (
                    <div key={k} className="card" style={{ padding: "12px 14px", boxShadow: "none" }}>
                      <div className="subtle" style={{ fontSize: 12 }}>
                        {k}
                      </div>
                      <div style={{ fontWeight: 700, fontSize: 18 }}>{v}</div>
                    </div>
                  ))}
                </div>
              </div>
            </div>
          </div>
        </div>
        <section className="features" aria-labelledby="today-title">
          <h2 className="features-title" id="today-title">
            Works today
          </h2>
          {TODAY.map(({ Icon, title, text }) => (
            <article key={title} className="card feature">
              <span className="feature-icon">
                <Icon size={19} />
              </span>
              <h3>{title}</h3>
              <p>{text}</p>
            </article>
          ))}
        </section>
        <section className="features features-next" aria-labelledby="next-title">
          <h2 className="features-title" id="next-title">
            Coming next
          </h2>
          {NEXT.map(({ Icon, title, text }) => (
            <article key={title} className="card feature" data-testid="feature-soon">
              <span className="feature-head">
                <span className="feature-icon">
                  <Icon size={19} />
                </span>
                <span className="badge">Coming soon</span>
              </span>
              <h3>{title}</h3>
              <p>{text}</p>
            </article>
          ))}
        </section>
      </main>
      <footer className="landing-footer">
        <span>Pulse · realtime by design</span>
        {/* On a phone the header has no room for it. */}
        <span className="landing-footer-theme">
          <ThemeToggle />
        </span>
      </footer>
    </div>
  );
}
