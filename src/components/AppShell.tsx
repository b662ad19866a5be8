"use client";
/**
 * The signed-in app's frame: a left sidebar (logo, sections, theme, who you are) and the
 * page. It asks the server who is calling (auth.me) and sends anonymous visitors to sign in.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import type { RouterOutputs } from "@/trpc/types";
import { useConnection, useTRPC } from "@/trpc/react";
import { ConnectionIndicator } from "./ConnectionIndicator";
import { AppToasts } from "./HelpAlerts";
import {
  ActivityIcon,
  ChartIcon,
  ChatIcon,
  FileIcon,
  GaugeIcon,
  LayersIcon,
  LogOutIcon,
  MenuIcon,
  ShieldIcon,
  UserIcon,
  UsersIcon,
  XIcon,
} from "./icons";
import { Logo } from "./Logo";
import { ThemeToggle } from "./ThemeToggle";
import { BroadcastToasts } from "./system/BroadcastToasts";
import { MaintenanceBanner } from "./system/MaintenanceBanner";
import { SystemProvider, useSystem } from "./system/SystemProvider";
import { Alert, Avatar, Button, cx, Skeleton } from "./ui";
import { errorMessage } from "./errors";
import styles from "./AppShell.module.css";

export type Me = NonNullable<RouterOutputs["auth"]["me"]>;

interface NavItem {
  href: string;
  label: string;
  Icon: typeof UsersIcon;
  soon?: boolean;
  adminOnly?: boolean;
}

export const NAV: { section: string; items: NavItem[] }[] = [
  {
    section: "Workspace",
    items: [
      { href: "/sessions", label: "Sessions", Icon: UsersIcon },
      { href: "/chat", label: "Chat", Icon: ChatIcon },
      { href: "/files", label: "Files", Icon: FileIcon },
      { href: "/jobs", label: "Jobs", Icon: LayersIcon },
    ],
  },
  {
    section: "Insights",
    items: [
      { href: "/analytics", label: "Analytics", Icon: ChartIcon },
      { href: "/status", label: "Status", Icon: ActivityIcon },
    ],
  },
  {
    section: "Administration",
    items: [
      { href: "/load-tests", label: "Load tests", Icon: GaugeIcon, adminOnly: true },
      { href: "/admin", label: "Admin", Icon: ShieldIcon, adminOnly: true },
    ],
  },
  { section: "You", items: [{ href: "/account", label: "Account", Icon: UserIcon }] },
];

/** Where a signed-in person lands. */
export const APP_HOME = "/sessions";

interface ShellContextValue {
  me: Me;
  signOut(): void;
  signingOut: boolean;
}

const ShellContext = createContext<ShellContextValue | null>(null);

/** The signed-in person, and sign-out; only inside app pages. */
export function useShell(): ShellContextValue {
  const value = useContext(ShellContext);
  if (!value) throw new Error("useShell() must be used inside <AppShell>");
  return value;
}

/** Only same-site paths, so `?next=` cannot send people elsewhere. */
export function safeNext(next: string | null | undefined, fallback = APP_HOME): string {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : fallback;
}

function Sidebar({ me, pathname, onSignOut, signingOut }: { me: Me; pathname: string; onSignOut(): void; signingOut: boolean }) {
  return (
    <aside className={styles.sidebar} id="sidebar" aria-label="Sidebar">
      <div className={styles.brand}>
        <Logo href={APP_HOME} />
      </div>
      <nav aria-label="Main">
        {NAV.map(({ section, items }) => {
          const visible = items.filter((item) => !item.adminOnly || me.role === "ADMIN");
          if (!visible.length) return null;
          return (
            <div key={section}>
              <div className={styles.navSection}>{section}</div>
              <div className={styles.nav}>
                {visible.map(({ href, label, Icon, soon }) => {
                  const active = pathname === href || pathname.startsWith(`${href}/`);
                  return (
                    <Link key={href} href={href} className={styles.navItem} aria-current={active ? "page" : undefined}>
                      <Icon size={17} />
                      <span>{label}</span>
                      {soon ? <span className={styles.navTag}>Soon</span> : null}
                    </Link>
                  );
                })}
              </div>
            </div>
          );
        })}
      </nav>
      <div className={styles.footer}>
        <div className={styles.footerRow}>
          <ConnectionIndicator />
          <ThemeToggle />
        </div>
        <div className={styles.userChip}>
          <Avatar name={me.name} />
          <div className={styles.userText}>
            <span className={styles.userName} data-testid="user-name">
              {me.name}
            </span>
            <span className={styles.userEmail}>{me.email}</span>
          </div>
          <Button variant="ghost" size="sm" icon onClick={onSignOut} loading={signingOut} aria-label="Sign out" title="Sign out">
            {signingOut ? null : <LogOutIcon size={16} />}
          </Button>
        </div>
      </div>
    </aside>
  );
}

function ShellBanner({ admin }: { admin: boolean }) {
  const { maintenance } = useSystem();
  return <MaintenanceBanner state={maintenance} audience={admin ? "admin" : "member"} />;
}

function ShellSkeleton() {
  return (
    <div className={styles.shell} aria-busy="true">
      <aside className={styles.sidebar} aria-hidden="true">
        <div className={styles.brand}>
          <Skeleton width={110} height={28} />
        </div>
        <div className={cx(styles.nav, styles.loadingNav)}>
          {Array.from({ length: 8 }, (_, i) => (
            <Skeleton key={i} height={18} width={`${60 + ((i * 17) % 35)}%`} />
          ))}
        </div>
      </aside>
      <main className={styles.main}>
        <div className={cx(styles.content, styles.loading)}>
          <span className="sr-only" role="status">
            Loading your workspace…
          </span>
          <Skeleton width={220} height={28} />
          <Skeleton width="60%" height={16} />
          <Skeleton height={180} style={{ borderRadius: 14, marginTop: 12 }} />
        </div>
      </main>
    </div>
  );
}

export function AppShell({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const { resetSession } = useConnection();
  const me = useQuery(trpc.auth.me.queryOptions(undefined, { staleTime: 60_000 }));
  const [navOpen, setNavOpen] = useState(false);
  const leaving = useRef(false);

  const signOutMutation = useMutation(trpc.auth.signOut.mutationOptions());

  const signOut = useCallback(() => {
    leaving.current = true;
    signOutMutation.mutate(undefined, {
      onSettled: () => {
        router.replace("/sign-in?signed-out=1");
        resetSession();
      },
    });
  }, [signOutMutation, router, resetSession]);

  // Anonymous (never signed in, signed out elsewhere, session revoked or expired): to sign in.
  useEffect(() => {
    if (me.isSuccess && !me.data && !leaving.current) {
      router.replace(`/sign-in?next=${encodeURIComponent(pathname)}`);
    }
  }, [me.isSuccess, me.data, pathname, router]);

  // A navigation closes the mobile drawer.
  useEffect(() => setNavOpen(false), [pathname]);

  useEffect(() => {
    if (!navOpen) return;
    const onKey = (event: KeyboardEvent) => event.key === "Escape" && setNavOpen(false);
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [navOpen]);

  if (me.isError) {
    return (
      <div className={styles.content} style={{ maxWidth: 560, paddingTop: 80 }}>
        <Alert tone="danger" title="Pulse can't load your workspace" role="alert">
          <p style={{ marginBottom: 10 }}>{errorMessage(me.error)}</p>
          <Button size="sm" onClick={() => void me.refetch()}>
            Try again
          </Button>
        </Alert>
      </div>
    );
  }
  if (!me.data) return <ShellSkeleton />;

  return (
    <ShellContext.Provider value={{ me: me.data, signOut, signingOut: signOutMutation.isPending }}>
      <SystemProvider me={me.data}>
        <a href="#content" className={styles.skipLink}>
          Skip to content
        </a>
        <div className={styles.shell} data-nav-open={navOpen}>
          <Sidebar me={me.data} pathname={pathname} onSignOut={signOut} signingOut={signOutMutation.isPending} />
          <div className={styles.scrim} onClick={() => setNavOpen(false)} aria-hidden="true" />
          <div className={styles.main}>
            <ShellBanner admin={me.data.role === "ADMIN"} />
            <header className={styles.topbar}>
              <Button
                variant="ghost"
                icon
                onClick={() => setNavOpen((open) => !open)}
                aria-label={navOpen ? "Close navigation" : "Open navigation"}
                aria-expanded={navOpen}
                aria-controls="sidebar"
              >
                {navOpen ? <XIcon size={18} /> : <MenuIcon size={18} />}
              </Button>
              <Logo href={APP_HOME} size={24} />
              <ConnectionIndicator />
            </header>
            <main className={styles.content} id="content" tabIndex={-1}>
              {children}
            </main>
            <AppToasts admin={me.data.role === "ADMIN"}>
              <BroadcastToasts />
            </AppToasts>
          </div>
        </div>
      </SystemProvider>
    </ShellContext.Provider>
  );
}
