import type { Metadata } from "next";
import { ComingSoon } from "../../../components/ComingSoon";
import { UsersIcon } from "../../../components/icons";

export const metadata: Metadata = { title: "Sessions" };

export default function SessionsPage() {
  return (
    <ComingSoon
      eyebrow="Workspace"
      title="Sessions"
      description="Live group sessions: meditation, breathing, stress check-ins and collaboration rooms."
      icon={<UsersIcon size={34} />}
      headline="Meet live, in step with everyone else"
      summary="Start or join a session and see people arrive in real time. Timers and breathing patterns come from the server, so everyone breathes on the same beat."
      features={[
        "Create a session (meditation, breathing, check-in or collaboration room), public or invite-only, with a capacity.",
        "See who is here right now, and who joins or leaves, as it happens.",
        "Hosts start, pause, resume and end; every participant's timer follows the server's clock.",
        "Chat inside the room and ask the host for help; nothing is lost if your connection drops.",
        "Look back at a session's history afterwards.",
      ]}
      caption="Live sessions arrive next."
    />
  );
}
