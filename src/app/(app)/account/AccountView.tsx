import { cx, layout, PageHeader } from "@/components/ui";
import { ApiTokensCard } from "./ApiTokensCard";
import { AppearanceCard } from "./AppearanceCard";
import { LoginSessionsCard } from "./LoginSessionsCard";
import { ProfileCard } from "./ProfileCard";
import { SignOutCard } from "./SignOutCard";

/** The account page: one card per concern, each in its own file beside this one. */
export function AccountView() {
  return (
    <>
      <PageHeader eyebrow="You" title="Account" description="Your profile, where you're signed in, and the tokens your programs use." />
      <div className={layout.stack}>
        <div className={cx(layout.grid2, layout.grid2Wide)}>
          <ProfileCard />
          <AppearanceCard />
        </div>
        <LoginSessionsCard />
        <ApiTokensCard />
        <SignOutCard />
      </div>
    </>
  );
}
