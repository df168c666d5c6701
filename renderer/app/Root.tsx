/**
 * From the address to the room: an address that cannot be used shows why; an invite asks the
 * user's name and trades the invite for their own token (POST /join: their own identity); a
 * reload uses the token kept for this server and room (platform/token-keeper.ts), so it comes
 * back as the same person; a user with no name is asked for one; then the room session opens
 * (and closes when the window does), its token renewed as it goes, and the app renders.
 */
import { useEffect, useState } from 'react';
import type { Transport } from '../audio/transport.ts';
import { connectJam } from '../jam/connect.ts';
import { JamContext } from '../jam/JamContext.tsx';
import type { JamSession } from '../jam/jam-session.ts';
import { connectMidi } from '../midi/connect.ts';
import { MidiContext } from '../midi/MidiContext.tsx';
import type { MidiSession } from '../midi/midi-session.ts';
import type { Platform } from '../platform/platform.ts';
import type { RoomLink } from '../../sync-server/client/room-link.ts';
import { joinProblem, joinRoom, renewToken } from '../platform/token-api.ts';
import { chooseToken, type KeptToken, type TokenChoice } from '../platform/token-keeper.ts';
import { TokenRenewal } from '../platform/token-renewal.ts';
import { animationFrames } from '../state/frame-scheduler.ts';
import { colorForName } from '../state/presence.ts';
import { openRoomSession, type RoomSession } from '../state/session.ts';
import { App } from './App.tsx';
import { JoinProblem, NamePrompt } from './Dialogs.tsx';
import { displayName, NAME_KEY, rememberName } from './identity.ts';

interface RootProps {
  platform: Platform;
  /** Makes the transport for a session: the audio engine, or the null transport without one. */
  createTransport(session: RoomSession): Transport;
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

type JoinChoice = Extract<TokenChoice, { kind: 'join' }>;

type Stage =
  | { kind: 'problem'; problem: string }
  /** An invite: the name is asked, then POST /join (`busy` while it runs; `problem`: why the last try failed). */
  | { kind: 'join'; choice: JoinChoice; busy: boolean; problem: string | null }
  | { kind: 'room'; link: RoomLink; kept: KeptToken };

/** Where the page starts: the address read once (its token then leaves the address bar), against what is kept. */
function firstStage(platform: Platform): Stage {
  const address = platform.roomAddress();
  if (!address.ok) return { kind: 'problem', problem: address.problem };
  const choice = chooseToken(address.address, address.token, platform.tokens.get(address.address));
  if (choice.kind === 'problem') {
    if (choice.forget) platform.tokens.forget(address.address);
    return { kind: 'problem', problem: choice.problem };
  }
  if (choice.kind === 'join') return { kind: 'join', choice, busy: false, problem: null };
  platform.tokens.keep(address.address, choice.kept);
  return { kind: 'room', link: choice.link, kept: choice.kept };
}

function Room({ platform, link, kept, name, createTransport }: RootProps & { link: RoomLink; kept: KeptToken; name: string }) {
  const [opened, setOpened] = useState<{
    session: RoomSession;
    transport: Transport;
    jam: JamSession | null;
    midi: MidiSession | null;
  } | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the session opens once per room link; a new name goes through presence, and kept and createTransport are read at open (see the note at the end)
  useEffect(() => {
    // The token is renewed before it runs out, for as long as the server allows; each renewal is
    // kept, so a reload later in the session opens with the newest.
    const token = new TokenRenewal({ token: link.token, claims: link.claims, renew: (t) => renewToken(link.httpUrl, link.room, t) });
    const stopKeeping = token.subscribe((event) => {
      if (event.type === 'renewed') platform.tokens.keep(link, { ...kept, token: event.token });
    });
    const session = openRoomSession(platform, link, { name, color: colorForName(name) }, animationFrames, token);
    const engine = createTransport(session);
    // The jam channel (renderer/jam/): with it, the transport the UI drives is the shared one.
    const jam = connectJam(session, engine);
    const transport = jam?.transport ?? engine;
    // MIDI out, clock and routing (renderer/midi/): beside the jam, on the same engine.
    const midi = connectMidi(session, engine, jam);
    setOpened({ session, transport, jam, midi });
    return () => {
      midi?.dispose();
      jam?.dispose();
      engine.stop();
      engine.dispose?.();
      session.destroy();
      stopKeeping();
      token.dispose();
    };
    // Not re-run for a new name (a rename goes through presence) or transport factory: the
    // session lives as long as the window shows this room.
  }, [platform, link]);
  if (!opened) return null;
  return (
    <JamContext.Provider value={opened.jam}>
      <MidiContext.Provider value={opened.midi}>
        <App session={opened.session} transport={opened.transport} platform={platform} />
      </MidiContext.Provider>
    </JamContext.Provider>
  );
}

export function Root({ platform, createTransport }: RootProps) {
  const [stage, setStage] = useState<Stage>(() => firstStage(platform));
  const [name, setName] = useState(() => (stage.kind === 'room' ? displayName(stage.link.claims, storage()) : null));

  if (stage.kind === 'problem') return <JoinProblem problem={stage.problem} />;

  if (stage.kind === 'join') {
    const { choice } = stage;
    const join = async (chosen: string): Promise<void> => {
      setStage({ ...stage, busy: true, problem: null });
      const answer = await joinRoom(choice.address.httpUrl, choice.address.room, choice.invite, chosen);
      if (!answer.ok) {
        const problem = joinProblem(answer, choice.claims, choice.address.httpUrl);
        // A refused invite (expired, not for this room) will not do better with another try.
        if (answer.refused && answer.status !== 400) return setStage({ kind: 'problem', problem });
        return setStage({ ...stage, busy: false, problem });
      }
      const kept: KeptToken = { token: answer.token, invite: choice.invite };
      platform.tokens.keep(choice.address, kept);
      rememberName(storage(), chosen);
      setName(chosen);
      setStage({ kind: 'room', link: { ...choice.address, token: answer.token, claims: answer.claims }, kept });
    };
    return (
      <NamePrompt
        initial={storage()?.getItem(NAME_KEY)?.trim() ?? ''}
        joining={choice.address.room}
        busy={stage.busy}
        problem={stage.problem}
        onDone={(chosen) => void join(chosen)}
      />
    );
  }

  if (!name) {
    return (
      <NamePrompt
        initial=""
        onDone={(chosen) => {
          rememberName(storage(), chosen);
          setName(chosen);
        }}
      />
    );
  }
  return <Room platform={platform} link={stage.link} kept={stage.kept} name={name} createTransport={createTransport} />;
}
