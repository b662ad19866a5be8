import styles from "./AuthAside.module.css";

/** The brand panel beside the sign-in and sign-up forms: what Pulse feels like. */
export function AuthAside() {
  const people = [
    { initials: "AM", color: "#f472b6" },
    { initials: "JK", color: "#38bdf8" },
    { initials: "RS", color: "#fbbf24" },
    { initials: "LN", color: "#34d399" },
  ];
  return (
    <aside className={styles.aside} aria-hidden="true">
      <div className={styles.intro}>
        <span className={styles.kicker}>
          Realtime, together
        </span>
        <h2>Breathe, meet and build on the same beat.</h2>
        <p>Live group sessions, streamed answers from Claude, documents made in the background — and a platform that watches its own pulse.</p>
      </div>
      <div className={styles.preview}>
        <div className={styles.previewRow}>
          <span className={styles.previewTitle}>Morning breathing · Box 4-4-4-4</span>
          <span className={styles.live}>
            <span className={styles.liveDot} />
            Live
          </span>
        </div>
        <svg className={styles.wave} viewBox="0 0 400 64" preserveAspectRatio="none">
          <defs>
            <linearGradient id="aside-wave" x1="0" x2="1">
              <stop offset="0" stopColor="#fff" stopOpacity="0.2" />
              <stop offset="0.5" stopColor="#fff" stopOpacity="0.95" />
              <stop offset="1" stopColor="#fff" stopOpacity="0.2" />
            </linearGradient>
          </defs>
          <path
            d="M0 48 L40 48 L70 14 L130 14 L160 48 L200 48 L230 14 L290 14 L320 48 L360 48 L390 14 L400 14"
            fill="none"
            stroke="url(#aside-wave)"
            strokeWidth="3"
            strokeLinejoin="round"
            strokeLinecap="round"
          />
          <circle cx="230" cy="14" r="6" fill="#fff" />
        </svg>
        <div className={styles.previewRow}>
          <span className={styles.avatars}>
            {people.map((p) => (
              <span key={p.initials} style={{ background: p.color }}>
                {p.initials}
              </span>
            ))}
          </span>
          <span>12 people · inhale 3 s</span>
        </div>
      </div>
      <dl className={styles.stats}>
        {[
          ["Live", "updates over one WebSocket"],
          ["Typed", "from database to browser"],
          ["0 gaps", "when a connection drops"],
        ].map(([value, label]) => (
          <div key={value}>
            <dt>{value}</dt>
            <dd>{label}</dd>
          </div>
        ))}
      </dl>
    </aside>
  );
}
