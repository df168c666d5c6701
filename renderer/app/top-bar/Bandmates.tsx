/** Who is in the room, in their colours, with what they are doing ("generating bass…"). */
import type { Peer } from '../../state/presence.ts';

export function Bandmates({ peers, onRename }: { peers: Peer[]; onRename(): void }) {
  return (
    <div className="bandmates" data-testid="bandmates" aria-label="Bandmates in the room">
      {peers.map((p) => (
        <span
          key={p.clientId}
          className={`bandmate${p.isLocal ? ' local' : ''}`}
          data-testid="bandmate"
          data-name={p.name}
          title={p.isLocal ? `${p.name} (you) — click to change your name` : p.activity ? `${p.name}: ${p.activity}` : p.name}
          onClick={p.isLocal ? onRename : undefined}
          style={p.isLocal ? { cursor: 'pointer' } : undefined}
        >
          <span className="dot" style={{ background: p.color }}>{p.name.charAt(0).toUpperCase()}</span>
          <span className="name">{p.name}{p.isLocal ? ' (you)' : ''}</span>
          {p.activity && <span className="activity" data-testid="activity">{p.activity}</span>}
        </span>
      ))}
    </div>
  );
}
