/** The brand panel beside the sign-in and sign-up forms: what Pulse feels like. */
export function AuthAside() {
  const people = [
    { initials: "AM", color: "#f472b6" },
    { initials: "JK", color: "#38bdf8" },
    { initials: "RS", color: "#fbbf24" },
    { initials: "LN", color: "#34d399" },
  ];
  return (
    <aside className="auth-aside" aria-hidden="true">
      <div style={{ display: "grid", gap: 16 }}>
        <span style={{ fontSize: 13, fontWeight: 600, letterSpacing: "0.06em", textTransform: "uppercase", opacity: 0.75 }}>
          Realtime, together
        </span>
        <h2>Breathe, meet and build on the same beat.</h2>
        <p>Live group sessions, streamed answers from Claude, documents made in the background — and a platform that watches its own pulse.</p>
      </div>
      <div className="glass preview">
        <div className="preview-row">
          <span style={{ fontWeight: 650, color: "#fff" }}>Morning breathing · Box 4-4-4-4</span>
          <span style={{ display: "inline-flex", alignItems: "center", gap: 6 }}>
            <span style={{ width: 7, height: 7, borderRadius: "50%", background: "#4ade80", boxShadow: "0 0 0 3px rgb(74 222 128 / 0.25)" }} />
            Live
          </span>
        </div>
        <svg className="preview-wave" viewBox="0 0 400 64" preserveAspectRatio="none">
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
        <div className="preview-row">
          <span className="preview-avatars">
            {people.map((p) => (
              <span key={p.initials} style={{ background: p.color }}>
                {p.initials}
              </span>
            ))}
          </span>
          <span>12 people · inhale 3 s</span>
        </div>
      </div>
      <dl className="aside-stats">
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
