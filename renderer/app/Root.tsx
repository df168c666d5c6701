/**
 * From the link to the room: a link that cannot be used shows why; a user with no name is asked
 * for one; then the room session opens (and closes when the window does) and the app renders.
 */
import { useEffect, useState } from 'react';
import type { Transport } from '../audio/transport.ts';
import { connectJam } from '../jam/connect.ts';
import { JamContext } from '../jam/JamContext.tsx';
import type { JamSession } from '../jam/jam-session.ts';
import type { Platform } from '../platform/platform.ts';
import type { RoomLink } from '../platform/room-link.ts';
import { animationFrames } from '../state/frame-scheduler.ts';
import { colorForName } from '../state/presence.ts';
import { openRoomSession, type RoomSession } from '../state/session.ts';
import { App } from './App.tsx';
import { JoinProblem, NamePrompt } from './Dialogs.tsx';
import { displayName, rememberName } from './identity.ts';

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

function Room({ platform, link, name, createTransport }: RootProps & { link: RoomLink; name: string }) {
  const [opened, setOpened] = useState<{ session: RoomSession; transport: Transport; jam: JamSession | null } | null>(null);
  useEffect(() => {
    const session = openRoomSession(platform, link, { name, color: colorForName(name) }, animationFrames);
    const engine = createTransport(session);
    // The jam channel (renderer/jam/): with it, the transport the UI drives is the shared one.
    const jam = connectJam(session, engine);
    const transport = jam?.transport ?? engine;
    setOpened({ session, transport, jam });
    return () => {
      jam?.dispose();
      engine.stop();
      engine.dispose?.();
      session.destroy();
    };
    // Not re-run for a new name (a rename goes through presence) or transport factory: the
    // session lives as long as the window shows this room.
  }, [platform, link]);
  if (!opened) return null;
  return (
    <JamContext.Provider value={opened.jam}>
      <App session={opened.session} transport={opened.transport} platform={platform} />
    </JamContext.Provider>
  );
}

export function Root({ platform, createTransport }: RootProps) {
  const [linkResult] = useState(() => platform.roomLink());
  const [name, setName] = useState(() => (linkResult.ok ? displayName(linkResult.link.claims, storage()) : null));
  if (!linkResult.ok) return <JoinProblem problem={linkResult.problem} />;
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
  return <Room platform={platform} link={linkResult.link} name={name} createTransport={createTransport} />;
}
