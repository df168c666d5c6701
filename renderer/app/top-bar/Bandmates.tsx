/** Who is in the room, in their colours, with what they are doing ("generating bass…"). */
import type { Peer } from '../../state/presence.ts';

export function Bandmates({ peers, onRename }: { peers: Peer[]; onRename(): void }) {
  return (
    <section className="bandmates" data-testid="bandmates" aria-label="Bandmates in the room">
      {peers.map((p) => {
        const content = (
          <>
            <span className="dot" style={{ background: p.color }}>
              {p.name.charAt(0).toUpperCase()}
            </span>
            <span className="name">
              {p.name}
              {p.isLocal ? ' (you)' : ''}
            </span>
            {p.activity && (
              <span className="activity" data-testid="activity">
                {p.activity}
              </span>
            )}
          </>
        );
        const title = p.isLocal ? `${p.name} (you) — click to change your name` : p.activity ? `${p.name}: ${p.activity}` : p.name;
        // Your own chip is a button (a click or Enter renames you); the others only show who is here.
        return p.isLocal ? (
          <button
            type="button"
            key={p.clientId}
            className="bandmate local"
            data-testid="bandmate"
            data-name={p.name}
            title={title}
            onClick={onRename}
            style={{ cursor: 'pointer' }}
          >
            {content}
          </button>
        ) : (
          <span key={p.clientId} className="bandmate" data-testid="bandmate" data-name={p.name} title={title}>
            {content}
          </span>
        );
      })}
    </section>
  );
}
